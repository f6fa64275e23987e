import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-WP4LRPPW.js";import"./chunk-4D75ELH6.js";import"./chunk-CIEIVDYG.js";import"./chunk-572A5H4T.js";export{a as isEncryptedPem,c as loadFileSigner,b as parsePrivateKeyPem,d as readPublicKeyFromFile};
