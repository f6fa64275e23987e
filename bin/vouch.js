#!/usr/bin/env node
// Entry of the `vouch` command. vouch runs on Node 24; when started by an older Node, it re-runs
// itself with the Node 24 that the project's dependencies bring (the `node` package), if present.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24 && !process.env.VOUCH_NO_REEXEC) {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', 'node_modules', 'node', 'bin', 'node')];
  const node24 = candidates.find((p) => existsSync(p));
  if (node24) {
    const result = spawnSync(node24, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, VOUCH_NO_REEXEC: '1' },
    });
    process.exit(result.status ?? 3);
  }
  process.stderr.write(`vouch needs Node 24 or newer (this is ${process.version}).\n`);
  process.exit(2);
}
await import('../dist/cli/index.js');
