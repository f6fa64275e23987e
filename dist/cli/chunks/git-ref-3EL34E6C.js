import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b}from"./chunk-EMVJNKEH.js";import"./chunk-PLOR6JFZ.js";import"./chunk-PKUF3T5D.js";import"./chunk-PE3AJK4T.js";import"./chunk-N6SXFNTG.js";import"./chunk-ZNFVSSMW.js";import"./chunk-572A5H4T.js";export{a as loadExceptionsFromGitRef,b as resolveLocalExceptionsRef};
