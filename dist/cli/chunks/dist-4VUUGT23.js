import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-QSW72IFF.js";import"./chunk-572A5H4T.js";export{a as convertPathToPattern,b as escapePath,d as glob,e as globSync,c as isDynamicPattern};
