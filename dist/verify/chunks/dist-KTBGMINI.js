import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a}from"./chunk-NNZLM5IK.js";import"./chunk-JGZL5VS5.js";import"./chunk-572A5H4T.js";export default a();
