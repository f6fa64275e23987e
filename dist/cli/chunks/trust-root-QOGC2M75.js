import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-4VMZKWF4.js";import"./chunk-A7CWEBIZ.js";import"./chunk-LYPPERP2.js";import"./chunk-CIEIVDYG.js";import"./chunk-572A5H4T.js";export{a as SHIPPED_INSTANCES,b as STALE_AFTER_DAYS,e as loadTrustDocument,d as readShippedRoot,c as trustSourceOf};
