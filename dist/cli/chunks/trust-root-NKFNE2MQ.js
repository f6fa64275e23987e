import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-IGVJ3YN6.js";import"./chunk-A7CWEBIZ.js";import"./chunk-INAJHAWC.js";import"./chunk-YX6H4R7U.js";import"./chunk-572A5H4T.js";export{a as STALE_AFTER_DAYS,c as loadTrustDocument,b as readShippedRoot};
