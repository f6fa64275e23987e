import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
var e={critical:7,high:30,medium:90,low:180};export{e as a};
