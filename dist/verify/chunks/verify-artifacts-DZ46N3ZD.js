import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{e as a,f as b,g as c}from"./chunk-RGCRPUIZ.js";import"./chunk-O7GFFJCW.js";import"./chunk-VACOCMXC.js";import"./chunk-ITFTIAPJ.js";import"./chunk-ZEMM4SCA.js";export{c as failureOf,a as resolveArtifact,b as verifyArtifacts};
