import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b}from"./chunk-RW4J6MD5.js";import"./chunk-U46BIS2O.js";import"./chunk-PKUF3T5D.js";import"./chunk-PE3AJK4T.js";import"./chunk-LYPPERP2.js";import"./chunk-CIEIVDYG.js";import"./chunk-572A5H4T.js";export{a as loadExceptionsFromGitRef,b as resolveLocalExceptionsRef};
