import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-A42NEYZC.js";import"./chunk-VXSMEYXA.js";import"./chunk-572A5H4T.js";export{d as confineWorkspacePath,b as confinedRealPath,c as expandWorkspaceGlobs,a as isInside,e as resolveWorkspaceFile};
