import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-JFUYIYQN.js";import"./chunk-DWRVSPNJ.js";import"./chunk-N6SXFNTG.js";import"./chunk-ZNFVSSMW.js";import"./chunk-572A5H4T.js";export{a as TRUSTED_KEYS_MEDIA_TYPE,e as buildTrustedKeyEntry,d as isTrustedAt,c as parseTrustedKeys,b as parseUtcTime};
