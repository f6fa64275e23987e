import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-2JJBLIJW.js";import"./chunk-BHTCKXJR.js";import"./chunk-V4TZD3WG.js";import"./chunk-ZEMM4SCA.js";export{b as cargoPathDependencyDirs,a as cargoWorkspaceGlobs,d as pathCrateUrl,c as readCargoWorkspace};
