/**
 * `npm run bench`: the benchmark suite (never part of the tests). Every comparison runs side by
 * side in this one process tree on this machine: medians of several whole-process runs, and the
 * ratio pair by pair. Rewrites docs/benchmarks.md with the machine description.
 *
 * Each area's benchmark is a standalone script bench/<area>.ts that prints a Markdown section;
 * this runner adds the cold-start and bundle-size rows and stitches the sections together.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, totalmem, release, platform, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const RUNS = Number(process.env['BENCH_RUNS'] ?? 15);

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median wall time in ms of a whole process, after one warm-up run. */
export function timeProcess(
  cmd: string,
  args: string[],
  runs = RUNS,
  env: NodeJS.ProcessEnv = process.env,
  cwd = root,
): number {
  spawnSync(cmd, args, { cwd, stdio: 'ignore', env });
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync(cmd, args, { cwd, stdio: 'ignore', env });
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(samples);
}

function dirSize(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return total;
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${platform()} ${release()}, Node ${process.version}`;
}

function coldStart(): string {
  if (!existsSync(join(root, 'dist/cli/index.js'))) {
    spawnSync(process.execPath, [join(root, 'scripts/bundle.ts')], { cwd: root, stdio: 'inherit' });
  }
  const node = process.execPath;
  const floor = timeProcess(node, ['-e', '0']);
  const rows: string[] = [
    '| what | median ms | over `node -e 0` | target | met |',
    '|---|---|---|---|---|',
    `| \`node -e 0\` (floor) | ${floor.toFixed(1)} | — | — | — |`,
  ];
  const help = timeProcess(node, [join(root, 'dist/cli/index.js'), '--help']);
  rows.push(
    `| \`vouch --help\` (dist/cli) | ${help.toFixed(1)} | +${(help - floor).toFixed(1)} ms | ≤ +60 ms | ${help - floor <= 60 ? 'yes' : 'no'} |`,
  );
  const actions = readdirSync(join(root, 'dist'))
    .filter((d) => d !== 'cli')
    .sort();
  // An action started with no inputs in an empty workspace loads its bundle, reads inputs and
  // fails fast (an action whose inputs all have defaults finds nothing to work on): that is its
  // load time.
  const empty = mkdtempSync(join(tmpdir(), 'vouch-bench-empty-'));
  const env = {
    ...process.env,
    GITHUB_WORKSPACE: empty,
    GITHUB_OUTPUT: '',
    GITHUB_STEP_SUMMARY: '',
  };
  for (const a of actions) {
    const t = timeProcess(node, [join(root, 'dist', a, 'index.js')], RUNS, env, empty);
    rows.push(
      `| action \`${a}\` bundle load | ${t.toFixed(1)} | +${(t - floor).toFixed(1)} ms | ≤ +150 ms | ${t - floor <= 150 ? 'yes' : 'no'} |`,
    );
  }
  rmSync(empty, { recursive: true, force: true });
  const sizes = ['| bundle | size (all chunks) | entry file |', '|---|---|---|'];
  for (const b of ['cli', ...actions]) {
    sizes.push(
      `| \`dist/${b}\` | ${(dirSize(join(root, 'dist', b)) / 1024).toFixed(0)} KiB | ${(statSync(join(root, 'dist', b, 'index.js')).size / 1024).toFixed(1)} KiB |`,
    );
  }
  return `## Cold start and bundle size\n\nWhole process, median of ${RUNS} runs after a warm-up.\n\n${rows.join('\n')}\n\n${sizes.join('\n')}\n`;
}

const AREAS = ['sbom', 'sign', 'verify', 'policy'];

function area(name: string): string {
  const script = join(root, 'bench', `${name}.ts`);
  if (!existsSync(script)) return '';
  console.error(`bench: ${name}…`);
  const r = spawnSync(process.execPath, [script], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) return `## ${name}\n\nThe benchmark failed (exit ${r.status}).\n`;
  return r.stdout.trim() + '\n';
}

if (import.meta.main) {
  const only = process.argv.slice(2);
  const sections: string[] = [];
  if (only.length === 0 || only.includes('cold-start')) {
    console.error('bench: cold start…');
    sections.push(coldStart());
  }
  for (const a of AREAS) if (only.length === 0 || only.includes(a)) sections.push(area(a));
  const doc = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/run.ts); every comparison in a table ran side by side in the same run.',
    'Targets come from the issues; a target is met in the benchmark, never in a timed test.',
    '',
    `Machine: ${machine()}. Run on ${new Date().toISOString().slice(0, 10)}.`,
    '',
    ...sections.filter(Boolean),
  ].join('\n');
  const out = join(root, 'docs/benchmarks.md');
  writeFileSync(`${out}.tmp`, doc);
  renameSync(`${out}.tmp`, out);
  console.log(readFileSync(out, 'utf8'));
}
