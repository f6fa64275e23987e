import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-V3GLODPI.js";import"./chunk-CY5QAJL3.js";import"./chunk-VXSMEYXA.js";import"./chunk-572A5H4T.js";export{a as isEncryptedPem,c as loadFileSigner,b as parsePrivateKeyPem,d as readPublicKeyFromFile};
