import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-BV7G67CO.js";import"./chunk-PAIZR3VH.js";import"./chunk-ITFTIAPJ.js";import"./chunk-ZEMM4SCA.js";export{c as failureOf,a as resolveArtifact,b as verifyArtifacts};
