import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-4KCHCXNS.js";import"./chunk-VXSMEYXA.js";import"./chunk-572A5H4T.js";export{c as createGitHubClient,a as rateLimitWaitMs,d as splitRepo,b as toGitHubError};
