import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{e as a,f as b,g as c}from"./chunk-6BT7E4XF.js";import"./chunk-RVJ6OXBP.js";import"./chunk-VSIIVT3C.js";import"./chunk-ITFTIAPJ.js";import"./chunk-ZEMM4SCA.js";export{c as failureOf,a as resolveArtifact,b as verifyArtifacts};
