import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './cli.ts';

export interface ActionRun {
  readonly status: number;
  readonly outputs: Record<string, string>;
  readonly summary: string;
  readonly stdout: string;
  readonly stderr: string;
}

/** Parses a GITHUB_OUTPUT file (`name<<DELIM … DELIM` blocks and `name=value` lines). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]!);
      out[name!] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

interface Prepared {
  readonly entry: string;
  readonly env: NodeJS.ProcessEnv;
  readonly outputFile: string;
  readonly summaryFile: string;
}

function prepare(
  name: string,
  inputs: Record<string, string>,
  workspace: string,
  env: NodeJS.ProcessEnv,
  dist: string,
): Prepared {
  const dir = mkdtempSync(join(tmpdir(), `vouch-action-${name}-`));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const inputEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(inputs))
    inputEnv[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('INPUT_') && !k.startsWith('GITHUB_') && !k.startsWith('ACTIONS_'))
      base[k] = v;
  }
  return {
    entry: join(dist, name, 'index.js'),
    env: {
      ...base,
      ...inputEnv,
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: dir,
      ...env,
    },
    outputFile,
    summaryFile,
  };
}

function collect(p: Prepared, status: number | null, stdout: string, stderr: string): ActionRun {
  return {
    status: status ?? 3,
    outputs: parseOutputFile(readFileSync(p.outputFile, 'utf8')),
    summary: readFileSync(p.summaryFile, 'utf8'),
    stdout,
    stderr,
  };
}

/**
 * Runs the real bundle `<dist>/<name>/index.js` (default: the repository's dist/) as the Actions
 * runner does: inputs as INPUT_* variables, outputs and the job summary through the GITHUB_OUTPUT
 * and GITHUB_STEP_SUMMARY files.
 */
export function runActionBundle(
  name: string,
  inputs: Record<string, string>,
  workspace: string,
  env: NodeJS.ProcessEnv = {},
  dist = join(ROOT, 'dist'),
): ActionRun {
  const p = prepare(name, inputs, workspace, env, dist);
  const r = spawnSync(process.execPath, [p.entry], {
    cwd: workspace,
    env: p.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return collect(p, r.status, r.stdout, r.stderr);
}

/** runActionBundle without blocking the event loop: for actions that call a server in this process. */
export function runActionBundleAsync(
  name: string,
  inputs: Record<string, string>,
  workspace: string,
  env: NodeJS.ProcessEnv = {},
  dist = join(ROOT, 'dist'),
): Promise<ActionRun> {
  const p = prepare(name, inputs, workspace, env, dist);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [p.entry], { cwd: workspace, env: p.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve(collect(p, status, stdout, stderr)));
  });
}
