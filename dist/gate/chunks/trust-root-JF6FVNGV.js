import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-YAK5JTBJ.js";import"./chunk-A7CWEBIZ.js";import"./chunk-622TGKZM.js";import"./chunk-IDK4QCKL.js";import"./chunk-572A5H4T.js";export{a as STALE_AFTER_DAYS,c as loadTrustDocument,b as readShippedRoot};
