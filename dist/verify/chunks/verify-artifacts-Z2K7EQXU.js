import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{f as a,g as b,h as c}from"./chunk-FXC4HXJ4.js";import"./chunk-ITFTIAPJ.js";import"./chunk-Y3WWVIKA.js";import"./chunk-MGGLN57D.js";import"./chunk-ZEMM4SCA.js";export{c as failureOf,a as resolveArtifact,b as verifyArtifacts};
