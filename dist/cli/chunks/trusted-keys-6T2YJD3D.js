import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-BWUTTFRM.js";import"./chunk-SCXJWA7G.js";import"./chunk-A52DHWHB.js";import"./chunk-FPAVOJQL.js";import"./chunk-572A5H4T.js";export{a as TRUSTED_KEYS_MEDIA_TYPE,e as buildTrustedKeyEntry,d as isTrustedAt,c as parseTrustedKeys,b as parseUtcTime};
