import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a}from"./chunk-D6AAN5EJ.js";import"./chunk-YX6H4R7U.js";import"./chunk-572A5H4T.js";export{a as writeFileAtomic};
