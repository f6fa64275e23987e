import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-MJIHGTGA.js";import"./chunk-7272GI7S.js";import"./chunk-EYVMY256.js";import"./chunk-572A5H4T.js";export{c as createGitHubClient,a as rateLimitWaitMs,d as splitRepo,b as toGitHubError};
