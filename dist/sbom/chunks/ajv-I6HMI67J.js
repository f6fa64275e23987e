import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a}from"./chunk-PL5I3WAZ.js";import"./chunk-XXPRDKTO.js";import"./chunk-ZEMM4SCA.js";export default a();
