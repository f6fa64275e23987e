import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-UMZ6UJTQ.js";import"./chunk-A7CWEBIZ.js";import"./chunk-IYM7ISR2.js";import"./chunk-EYVMY256.js";import"./chunk-572A5H4T.js";export{a as SHIPPED_INSTANCES,b as STALE_AFTER_DAYS,e as loadTrustDocument,d as readShippedRoot,c as trustSourceOf};
