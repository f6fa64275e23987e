import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-ELEPCEY2.js";import"./chunk-VXJ4G3Z6.js";import"./chunk-INAJHAWC.js";import"./chunk-YX6H4R7U.js";import"./chunk-572A5H4T.js";export{a as TRUSTED_KEYS_MEDIA_TYPE,e as buildTrustedKeyEntry,d as isTrustedAt,c as parseTrustedKeys,b as parseUtcTime};
