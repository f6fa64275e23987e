import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a}from"./chunk-WUGY2AIN.js";import"./chunk-4FUGS5UT.js";import"./chunk-572A5H4T.js";export default a();
