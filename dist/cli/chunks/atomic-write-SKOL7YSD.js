import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a}from"./chunk-6DWTSTD4.js";import"./chunk-FPAVOJQL.js";import"./chunk-572A5H4T.js";export{a as writeFileAtomic};
