import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SHARED = join(ROOT, '..', 'shared');

/** Runs the CLI from source (src/cli/index.ts) in a child process. */
export function vouch(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(ROOT, 'src/cli/index.ts'), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    input: options.input ?? '',
    maxBuffer: 256 * 1024 * 1024,
  });
}
