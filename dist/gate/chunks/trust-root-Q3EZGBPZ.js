import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-U5PEDWFW.js";import"./chunk-A7CWEBIZ.js";import"./chunk-IEFO3F6E.js";import"./chunk-5VYCBTMQ.js";import"./chunk-572A5H4T.js";export{a as STALE_AFTER_DAYS,c as loadTrustDocument,b as readShippedRoot};
