import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-QYYSB6RD.js";import"./chunk-YL57EOFV.js";import"./chunk-PKUF3T5D.js";import"./chunk-PE3AJK4T.js";import"./chunk-IEFO3F6E.js";import"./chunk-5VYCBTMQ.js";import"./chunk-572A5H4T.js";export{a as SEVERITIES,b as canonicalSpdxId,c as parsePolicy};
