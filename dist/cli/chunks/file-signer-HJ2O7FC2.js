import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-I7EW72CJ.js";import"./chunk-VXJ4G3Z6.js";import"./chunk-YX6H4R7U.js";import"./chunk-572A5H4T.js";export{a as isEncryptedPem,c as loadFileSigner,b as parsePrivateKeyPem,d as readPublicKeyFromFile};
