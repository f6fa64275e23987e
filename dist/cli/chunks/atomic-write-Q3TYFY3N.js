import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a}from"./chunk-T63RYFG6.js";import"./chunk-CIEIVDYG.js";import"./chunk-572A5H4T.js";export{a as writeFileAtomic};
