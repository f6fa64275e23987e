import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{b as a}from"./chunk-XH234VWG.js";import"./chunk-X2IVAB55.js";import"./chunk-572A5H4T.js";export default a();
