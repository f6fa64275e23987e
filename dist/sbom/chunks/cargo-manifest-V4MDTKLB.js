import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-XCBXDUYX.js";import"./chunk-L7CYGNUS.js";import"./chunk-FKTFF4J4.js";import"./chunk-ZEMM4SCA.js";export{b as cargoPathDependencyDirs,a as cargoWorkspaceGlobs,d as pathCrateUrl,c as readCargoWorkspace};
