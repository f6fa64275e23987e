import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a as e}from"./chunk-572A5H4T.js";function n(o){let t=o.default;return t!==null&&(typeof t=="object"||typeof t=="function")?t:o}e(n,"cjsExports");export{n as a};
