import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b}from"./chunk-46REL5IF.js";import"./chunk-UOI5TKQ2.js";import"./chunk-PKUF3T5D.js";import"./chunk-PE3AJK4T.js";import"./chunk-A52DHWHB.js";import"./chunk-FPAVOJQL.js";import"./chunk-572A5H4T.js";export{a as loadExceptionsFromGitRef,b as resolveLocalExceptionsRef};
