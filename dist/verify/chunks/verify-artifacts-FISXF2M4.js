import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{c as a,d as b,e as c}from"./chunk-6M5L4LUO.js";import"./chunk-ITFTIAPJ.js";import"./chunk-Y3WWVIKA.js";import"./chunk-MGGLN57D.js";import"./chunk-ZEMM4SCA.js";export{c as failureOf,a as resolveArtifact,b as verifyArtifacts};
