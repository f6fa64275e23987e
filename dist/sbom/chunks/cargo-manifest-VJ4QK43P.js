import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-RJS2MEJ6.js";import"./chunk-53ESNWE3.js";import"./chunk-ROSNUZB6.js";import"./chunk-ZEMM4SCA.js";export{b as cargoPathDependencyDirs,a as cargoWorkspaceGlobs,d as pathCrateUrl,c as readCargoWorkspace};
