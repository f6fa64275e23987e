import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d,e,f}from"./chunk-BCHPSPW5.js";import"./chunk-EYVMY256.js";import"./chunk-572A5H4T.js";export{a as MAX_CONTROL_FILE_BYTES,f as getDefaultBranch,e as isBranchProtected,d as isTeamMember,c as readCodeOwnersFile,b as readFileAtRef};
