import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{c as a,d as b,e as c,f as d,g as e,h as f}from"./chunk-EKH4TOUM.js";import"./chunk-VXSMEYXA.js";import"./chunk-572A5H4T.js";export{a as MAX_CONTROL_FILE_BYTES,f as getDefaultBranch,e as isBranchProtected,d as isTeamMember,c as readCodeOwnersFile,b as readFileAtRef};
