import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d,e,f}from"./chunk-LYF7VMTW.js";import"./chunk-IDK4QCKL.js";import"./chunk-572A5H4T.js";export{a as MAX_CONTROL_FILE_BYTES,f as getDefaultBranch,e as isBranchProtected,d as isTeamMember,c as readCodeOwnersFile,b as readFileAtRef};
