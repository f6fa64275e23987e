import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{d as a}from"./chunk-H62AO4W7.js";import"./chunk-572A5H4T.js";export default a();
