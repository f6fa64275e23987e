import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{c as a,d as b,e as c}from"./chunk-POFRJSJT.js";import"./chunk-ITFTIAPJ.js";import"./chunk-AQ23XLCP.js";import"./chunk-NDUEOH7L.js";import"./chunk-ZEMM4SCA.js";export{c as failureOf,a as resolveArtifact,b as verifyArtifacts};
