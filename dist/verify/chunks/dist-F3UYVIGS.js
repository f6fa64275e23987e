import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{c as a}from"./chunk-ITFTIAPJ.js";import"./chunk-ZEMM4SCA.js";export default a();
