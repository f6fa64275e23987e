import { spawnSync } from 'node:child_process';
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

/**
 * Runs the real bundle `dist/<name>/index.js` as the Actions runner does: inputs as INPUT_*
 * variables, outputs and the job summary through the GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
 */
export function runActionBundle(
  name: string,
  inputs: Record<string, string>,
  workspace: string,
  env: NodeJS.ProcessEnv = {},
): ActionRun {
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
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', name, 'index.js')], {
    cwd: workspace,
    env: {
      ...base,
      ...inputEnv,
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: dir,
      ...env,
    },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    status: r.status ?? 3,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    stdout: r.stdout,
    stderr: r.stderr,
  };
}
