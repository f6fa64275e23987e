import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-STX7I35M.js";import"./chunk-W4W7SV5K.js";import"./chunk-44OZFJEJ.js";import"./chunk-ZEMM4SCA.js";export{b as cargoPathDependencyDirs,a as cargoWorkspaceGlobs,d as pathCrateUrl,c as readCargoWorkspace};
