import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-CY5QAJL3.js";import"./chunk-VXSMEYXA.js";import"./chunk-572A5H4T.js";export{b as computeKeyHint,d as createKeySigner,a as describeKeyAlgorithm,c as toSpkiPem};
