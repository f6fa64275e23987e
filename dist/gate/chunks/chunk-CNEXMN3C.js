import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
var o="0.1.0",t="vouch";export{o as a,t as b};
