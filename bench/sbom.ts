/**
 * SBOM speed against the peers, whole process, lockfile only:
 *   node bench/sbom.ts [--runs N]
 * Times `vouch sbom` (from source, and from dist/cli when built), `npm sbom --package-lock-only`
 * and `cyclonedx-npm --package-lock-only` on ../shared/bench/npm-large, and vouch on a
 * 20,000-entry lockfile made by scaling the real one (written to bench/.work/). Prints a
 * Markdown table: median wall time of N runs (default 5), peak RSS, ratio to vouch.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const SHARED = join(ROOT, '..', 'shared');
const BIN = join(ROOT, 'node_modules', '.bin');
const WORK = join(ROOT, 'bench', '.work');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Row {
  readonly tool: string;
  readonly input: string;
  readonly wall: number;
  readonly peakMiB: number | undefined;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function measure(tool: string, input: string, cmd: string[], cwd: string): Row {
  const walls: number[] = [];
  const peaks: number[] = [];
  const env = { ...process.env, PATH: `${BIN}:${process.env['PATH'] ?? ''}`, NO_COLOR: '1' };
  for (let i = 0; i < RUNS; i++) {
    const argv = TIME ? [TIME, '-f', '%e %M', ...cmd] : cmd;
    const start = performance.now();
    const r = spawnSync(argv[0]!, argv.slice(1), {
      cwd,
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
    const wall = (performance.now() - start) / 1000;
    if (r.status !== 0) throw new Error(`${tool} failed (${r.status}): ${r.stderr.slice(-500)}`);
    walls.push(wall);
    const m = TIME ? /(\d+(?:\.\d+)?) (\d+)\s*$/.exec(r.stderr) : null;
    if (m) peaks.push(Number(m[2]) / 1024);
  }
  return { tool, input, wall: median(walls), peakMiB: peaks.length ? median(peaks) : undefined };
}

/** A lockfile of about `target` entries: the real one, its entries copied under new names. */
function scaledLockfile(target: number): string {
  const dir = join(WORK, `npm-${Math.round(target / 1000)}k`);
  const lockPath = join(dir, 'package-lock.json');
  if (existsSync(lockPath)) return dir;
  mkdirSync(dir, { recursive: true });
  const lock = JSON.parse(
    readFileSync(join(SHARED, 'bench/npm-large/package-lock.json'), 'utf8'),
  ) as {
    packages: Record<string, Record<string, unknown>>;
  };
  const base = Object.entries(lock.packages).filter(
    ([p, e]) => p.startsWith('node_modules/') && !e['link'],
  );
  const packages: Record<string, Record<string, unknown>> = {
    '': { name: 'scaled', version: '1.0.0', dependencies: {} as Record<string, string> },
  };
  const rootDeps = packages['']!['dependencies'] as Record<string, string>;
  for (let copy = 0; Object.keys(packages).length < target; copy++) {
    for (const [path, entry] of base) {
      if (Object.keys(packages).length >= target) break;
      const renamed = path.replace(
        /node_modules\/((?:@[^/]+\/)?[^/]+)/g,
        (_m, n: string) => `node_modules/${n}-c${copy}`,
      );
      const name = renamed.slice(renamed.lastIndexOf('node_modules/') + 13);
      const deps = Object.fromEntries(
        Object.keys((entry['dependencies'] as object) ?? {}).map((d) => [`${d}-c${copy}`, '*']),
      );
      packages[renamed] = { ...entry, name: name.replace(/-c\d+$/, ''), dependencies: deps };
      if (!renamed.includes('/node_modules/', 13)) rootDeps[name] = '*';
    }
  }
  writeFileSync(
    lockPath,
    JSON.stringify({
      name: 'scaled',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages,
    }),
  );
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'scaled', version: '1.0.0', dependencies: rootDeps }),
  );
  return dir;
}

function copyInput(name: string): string {
  const dir = join(WORK, name);
  mkdirSync(dir, { recursive: true });
  cpSync(join(SHARED, 'bench', name), dir, { recursive: true });
  return dir;
}

const rows: Row[] = [];
const large = copyInput('npm-large');
const node = process.execPath;
const dist = join(ROOT, 'dist/cli/index.js');
rows.push(
  measure(
    'vouch sbom (source)',
    'npm-large',
    [node, join(ROOT, 'src/cli/index.ts'), 'sbom', '-o', join(WORK, 'out.json')],
    large,
  ),
);
if (existsSync(dist))
  rows.push(
    measure(
      'vouch sbom (dist)',
      'npm-large',
      [node, dist, 'sbom', '-o', join(WORK, 'out.json')],
      large,
    ),
  );
rows.push(
  measure(
    'npm sbom --sbom-format cyclonedx',
    'npm-large',
    ['npm', 'sbom', '--sbom-format', 'cyclonedx', '--package-lock-only'],
    large,
  ),
);
if (existsSync(join(BIN, 'cyclonedx-npm')))
  rows.push(
    measure(
      'cyclonedx-npm',
      'npm-large',
      [
        join(BIN, 'cyclonedx-npm'),
        '--package-lock-only',
        '--output-file',
        join(WORK, 'cdx-npm.json'),
      ],
      large,
    ),
  );
const big = scaledLockfile(20_000);
rows.push(
  measure(
    'vouch sbom (source)',
    'npm-20k',
    [node, join(ROOT, 'src/cli/index.ts'), 'sbom', '-o', join(WORK, 'out20k.json')],
    big,
  ),
);
if (existsSync(dist))
  rows.push(
    measure(
      'vouch sbom (dist)',
      'npm-20k',
      [node, dist, 'sbom', '-o', join(WORK, 'out20k.json')],
      big,
    ),
  );

const baseline = new Map<string, number>();
for (const r of rows)
  if (r.tool.startsWith('vouch') && !baseline.has(r.input)) baseline.set(r.input, r.wall);
console.log(`| tool | input | wall median (s, ${RUNS} runs) | peak MiB | ratio to vouch |`);
console.log('|---|---|---|---|---|');
for (const r of rows) {
  const ratio = r.wall / baseline.get(r.input)!;
  console.log(
    `| ${r.tool} | ${r.input} | ${r.wall.toFixed(3)} | ${r.peakMiB?.toFixed(0) ?? '—'} | ${ratio.toFixed(2)}× |`,
  );
}
