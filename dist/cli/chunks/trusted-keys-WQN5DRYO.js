import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-CPYSL5JV.js";import"./chunk-4D75ELH6.js";import"./chunk-LYPPERP2.js";import"./chunk-CIEIVDYG.js";import"./chunk-572A5H4T.js";export{a as TRUSTED_KEYS_MEDIA_TYPE,e as buildTrustedKeyEntry,d as isTrustedAt,c as parseTrustedKeys,b as parseUtcTime};
