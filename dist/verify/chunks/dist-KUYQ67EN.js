import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{c as a}from"./chunk-JGZL5VS5.js";import"./chunk-572A5H4T.js";export default a();
