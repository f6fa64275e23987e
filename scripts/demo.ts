/**
 * The main job: a full local release dry run on the example projects in examples/.
 * Until every stage exists, it runs the stages that do.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const r = spawnSync(process.execPath, [join(root, 'bin/vouch.js'), '--help'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
