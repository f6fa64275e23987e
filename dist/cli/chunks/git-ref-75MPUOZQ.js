import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b}from"./chunk-RUAMIBSL.js";import"./chunk-Q2YE5GQV.js";import"./chunk-PKUF3T5D.js";import"./chunk-PE3AJK4T.js";import"./chunk-SUJO3R5O.js";import"./chunk-VXSMEYXA.js";import"./chunk-572A5H4T.js";export{a as loadExceptionsFromGitRef,b as resolveLocalExceptionsRef};
