import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a}from"./chunk-GMNEV3LE.js";import"./chunk-VXSMEYXA.js";import"./chunk-572A5H4T.js";export{a as writeFileAtomic};
