/** Inputs and deps for calling an action's run() directly. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { InputName, InputReader } from '../../src/actions/shared/inputs.ts';
import type { ActionDeps } from '../../src/actions/shared/run.ts';
import { silentLogger } from '../../src/core/logger.ts';

export function reader(values: Partial<Record<InputName, string>>): InputReader {
  const get = (n: InputName): string => values[n] ?? '';
  return {
    string: (n) => get(n).trim(),
    list: (n) =>
      get(n)
        .split('\n')
        .map((s) => s.trim())
        .filter((s) => s && !s.startsWith('#')),
    boolean: (n) => get(n).trim() === 'true',
    secret: (n) => get(n).trim(),
  };
}

export function captureDeps(
  workspace: string,
  env: NodeJS.ProcessEnv,
): ActionDeps & { outputs: Map<string, string>; summaries: string[] } {
  const outputs = new Map<string, string>();
  const summaries: string[] = [];
  return {
    logger: { ...silentLogger, summary: async (md: string) => void summaries.push(md) },
    setOutput: (name, value) => void outputs.set(name, String(value)),
    workspace,
    env,
    outputs,
    summaries,
  };
}

/**
 * Runs an action end to end through @github/local-action: its real @actions/core stand-in reads
 * INPUT_* from a dotenv file and prints `::set-output` lines. The entry exports run() (as
 * local-action wants) and calls the action's runAction with its readInputs and main.
 */
export function runWithLocalAction(
  action: string,
  dir: string,
  env: Record<string, string>,
): { status: number | null; output: string; outputs: Map<string, string> } {
  const root = join(import.meta.dirname, '..', '..');
  const entry = join(dir, 'local-action-entry.ts');
  writeFileSync(
    entry,
    [
      `import { runAction } from ${JSON.stringify(join(root, 'src/actions/shared/run.ts'))};`,
      `import { readInputs } from ${JSON.stringify(join(root, 'src/actions', action, 'inputs.ts'))};`,
      `import { run as main } from ${JSON.stringify(join(root, 'src/actions', action, 'main.ts'))};`,
      'export async function run(): Promise<void> {',
      '  await runAction(readInputs, main);',
      '}',
      '',
    ].join('\n'),
  );
  const dotenv = join(dir, 'local-action.env');
  writeFileSync(
    dotenv,
    Object.entries(env)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join('\n') + '\n',
  );
  const r = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/@github/local-action/bin/local-action.js'),
      'run',
      join(root, 'actions', action),
      entry,
      dotenv,
    ],
    {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        PATH: `${join(root, 'node_modules/.bin')}:${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`,
      },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const output = `${r.stdout}${r.stderr}`;
  const outputs = new Map<string, string>();
  for (const m of output.matchAll(/::set-output name=([\w-]+)::(.*)/g)) outputs.set(m[1]!, m[2]!);
  return { status: r.status, output, outputs };
}
