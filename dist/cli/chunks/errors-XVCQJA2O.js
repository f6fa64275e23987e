import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d,e,f,g}from"./chunk-VXSMEYXA.js";import"./chunk-572A5H4T.js";export{b as ERROR_CODES,a as EXIT_CODES,c as VouchError,f as exitCodeFor,g as formatError,d as isVouchError,e as toVouchError};
