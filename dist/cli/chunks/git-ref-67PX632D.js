import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a}from"./chunk-P3SITXXE.js";import"./chunk-WIEMXW3L.js";import"./chunk-PKUF3T5D.js";import"./chunk-PE3AJK4T.js";import"./chunk-INAJHAWC.js";import"./chunk-YX6H4R7U.js";import"./chunk-572A5H4T.js";export{a as loadExceptionsFromGitRef};
