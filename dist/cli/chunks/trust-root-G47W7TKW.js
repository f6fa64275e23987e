import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-2DBR7PKB.js";import"./chunk-A7CWEBIZ.js";import"./chunk-N6SXFNTG.js";import"./chunk-ZNFVSSMW.js";import"./chunk-572A5H4T.js";export{a as STALE_AFTER_DAYS,c as loadTrustDocument,b as readShippedRoot};
