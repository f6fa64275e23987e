import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-UZH2QEBN.js";import"./chunk-SCXJWA7G.js";import"./chunk-FPAVOJQL.js";import"./chunk-572A5H4T.js";export{a as isEncryptedPem,c as loadFileSigner,b as parsePrivateKeyPem,d as readPublicKeyFromFile};
