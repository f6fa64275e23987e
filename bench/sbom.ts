/**
 * SBOM speed, memory and completeness against the peers, whole process, lockfile only:
 *   node bench/sbom.ts [--runs N]
 *
 * 1. On ../shared/bench/npm-large (copied to bench/.work/): `vouch sbom` (dist/cli when built, and
 *    from source), `npm sbom --sbom-format cyclonedx --package-lock-only` and
 *    `cyclonedx-npm --package-lock-only`, each writing its CycloneDX document to standard output
 *    (redirected to a file). One warm-up run each, then N rounds (default 5) in which every tool
 *    runs once, in turn, so drift on the machine hits all of them alike. Median wall time, median
 *    peak RSS, ratio pair by pair, and the targets: vouch ≤ 1/5 of npm sbom's time, ≤ 1/15 of
 *    cyclonedx-npm's, peak memory ≤ npm sbom's.
 * 2. Completeness: every purl the peers' documents (from the runs above) list is in vouch's, with
 *    at least their hash and license coverage.
 * 3. Lockfiles of 10,000, 20,000 and 40,000 entries made by scaling the real npm-large one (its
 *    entries copied under new names; bench/.work/npm-*k): wall time (target: 20,000 in under 2 s)
 *    and peak RSS per entry, and whether memory grows linearly (the extra RSS per extra entry
 *    from 20k to 40k within ±50% of that from 10k to 20k).
 *
 * Peak RSS of a child: `/usr/bin/time -f %M` (Debian package `time`) when present, otherwise
 * process.resourceUsage().maxRSS written on exit by a preloaded script (NODE_OPTIONS=--require),
 * the largest over the child's Node processes (VOUCH_BENCH_RSS=hook forces that way). Prints a
 * Markdown section.
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { normalizeLicense } from '../src/core/sbom/license.ts';
import type { Sbom } from '../src/core/sbom/model.ts';
import { parseSbom } from '../src/core/sbom/parse.ts';

const ROOT = join(import.meta.dirname, '..');
const SHARED = join(ROOT, '..', 'shared');
const BIN = join(ROOT, 'node_modules', '.bin');
const WORK = join(ROOT, 'bench', '.work', 'sbom');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const TIME =
  existsSync('/usr/bin/time') && process.env['VOUCH_BENCH_RSS'] !== 'hook'
    ? '/usr/bin/time'
    : undefined;
const RSS_HOOK = join(WORK, 'max-rss.cjs');
const RSS_FILE = join(WORK, 'max-rss.txt');

interface Tool {
  readonly name: string;
  readonly cmd: readonly string[];
  readonly cwd: string;
  /** Where its standard output goes. */
  readonly out: string;
}

interface Sample {
  readonly wall: number;
  readonly rssKiB: number;
}

interface Result {
  readonly tool: Tool;
  readonly wall: number;
  readonly rssMiB: number;
  readonly runs: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One whole-process run: wall seconds and peak RSS in KiB. */
function runOnce(tool: Tool): Sample {
  const timeFile = join(WORK, 'time.txt');
  rmSync(timeFile, { force: true });
  rmSync(RSS_FILE, { force: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${BIN}:${process.env['PATH'] ?? ''}`,
    NO_COLOR: '1',
  };
  if (!TIME) {
    env['NODE_OPTIONS'] = `${env['NODE_OPTIONS'] ?? ''} --require ${RSS_HOOK}`.trim();
    env['VOUCH_BENCH_RSS_FILE'] = RSS_FILE;
  }
  const argv = TIME ? [TIME, '-f', '%M', '-o', timeFile, ...tool.cmd] : [...tool.cmd];
  const fd = openSync(tool.out, 'w');
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), {
    cwd: tool.cwd,
    env,
    stdio: ['ignore', fd, 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  closeSync(fd);
  if (r.status !== 0) {
    throw new Error(`${tool.name} failed (${r.status}): ${(r.stderr ?? '').slice(-800)}`);
  }
  const text = readFileSync(TIME ? timeFile : RSS_FILE, 'utf8');
  const values = text
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isFinite(n) && n > 0);
  return { wall, rssKiB: values.length > 0 ? Math.max(...values) : NaN };
}

/** A warm-up run each, then `runs` rounds, every tool once per round, in turn. */
function alternate(tools: readonly Tool[], runs: number): Result[] {
  for (const t of tools) runOnce(t);
  const samples = tools.map(() => [] as Sample[]);
  for (let i = 0; i < runs; i++) tools.forEach((t, j) => samples[j]!.push(runOnce(t)));
  return tools.map((tool, j) => ({
    tool,
    wall: median(samples[j]!.map((s) => s.wall)),
    rssMiB: median(samples[j]!.map((s) => s.rssKiB)) / 1024,
    runs,
  }));
}

/** A lockfile of `target` entries: the real one, its entries copied under new names. */
function scaledLockfile(target: number): { dir: string; entries: number } {
  const dir = join(WORK, `npm-${Math.round(target / 1000)}k`);
  const lockPath = join(dir, 'package-lock.json');
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
  let entries = 0;
  for (let copy = 0; entries < target; copy++) {
    for (const [path, entry] of base) {
      if (entries >= target) break;
      const renamed = path.replace(
        /node_modules\/((?:@[^/]+\/)?[^/]+)/g,
        (_m, n: string) => `node_modules/${n}-c${copy}`,
      );
      const name = renamed.slice(renamed.lastIndexOf('node_modules/') + 13);
      const deps = Object.fromEntries(
        Object.keys((entry['dependencies'] as object) ?? {}).map((d) => [`${d}-c${copy}`, '*']),
      );
      packages[renamed] = { ...entry, name: name.replace(/-c\d+$/, ''), dependencies: deps };
      entries++;
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
  return { dir, entries };
}

function copyInput(name: string): string {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(SHARED, 'bench', name), dir, { recursive: true });
  return dir;
}

const yes = (ok: boolean): string => (ok ? 'yes' : 'no');
const s3 = (n: number): string => n.toFixed(3);
const n0 = (n: number): string => n.toFixed(0);

interface Coverage {
  readonly purls: number;
  readonly missing: string[];
  readonly peerHashed: number;
  readonly ourHashed: number;
  readonly peerLicensed: number;
  readonly ourLicensed: number;
  readonly licenseMismatch: string[];
}

/** The peer's purls against ours: missing ones, hash and license coverage over the peer's set. */
function coverage(ours: Sbom, peer: Sbom): Coverage {
  const byPurl = new Map<string, Sbom['components'][number]>();
  for (const c of ours.components) if (c.purl && !byPurl.has(c.purl)) byPurl.set(c.purl, c);
  const purls = new Set<string>();
  const hashed = new Set<string>();
  const licensed = new Map<string, string>();
  for (const c of peer.components) {
    if (!c.purl) continue;
    purls.add(c.purl);
    if (c.hashes.length > 0) hashed.add(c.purl);
    const l = normalizeLicense(c.license);
    if (l) licensed.set(c.purl, l);
  }
  const present = [...purls].filter((p) => byPurl.has(p));
  return {
    purls: purls.size,
    missing: [...purls].filter((p) => !byPurl.has(p)),
    peerHashed: hashed.size,
    ourHashed: present.filter((p) => byPurl.get(p)!.hashes.length > 0).length,
    peerLicensed: licensed.size,
    ourLicensed: present.filter((p) => byPurl.get(p)!.license).length,
    licenseMismatch: [...licensed].filter(([p, l]) => byPurl.get(p)?.license !== l).map(([p]) => p),
  };
}

mkdirSync(WORK, { recursive: true });
writeFileSync(
  RSS_HOOK,
  "process.on('exit', () => { try { require('node:fs').appendFileSync(process.env.VOUCH_BENCH_RSS_FILE, process.resourceUsage().maxRSS + '\\n'); } catch {} });\n",
);
const node = process.execPath;
const dist = join(ROOT, 'dist/cli/index.js');
const source = join(ROOT, 'src/cli/index.ts');
const vouchMain = existsSync(dist) ? dist : source;
const vouchLabel = existsSync(dist) ? 'vouch sbom (dist/cli)' : 'vouch sbom (source)';
const large = copyInput('npm-large');
const out = (name: string): string => join(WORK, `${name}.cdx.json`);

const vouch: Tool = {
  name: vouchLabel,
  cmd: [node, vouchMain, 'sbom'],
  cwd: large,
  out: out('vouch'),
};
const tools: Tool[] = [vouch];
if (existsSync(dist))
  tools.push({
    name: 'vouch sbom (source)',
    cmd: [node, source, 'sbom'],
    cwd: large,
    out: out('vouch-src'),
  });
const npmSbom: Tool = {
  name: '`npm sbom --sbom-format cyclonedx --package-lock-only`',
  cmd: ['npm', 'sbom', '--sbom-format', 'cyclonedx', '--package-lock-only'],
  cwd: large,
  out: out('npm-sbom'),
};
const cdxNpm: Tool = {
  name: '`cyclonedx-npm --package-lock-only`',
  cmd: [join(BIN, 'cyclonedx-npm'), '--package-lock-only'],
  cwd: large,
  out: out('cyclonedx-npm'),
};
tools.push(npmSbom);
const haveCdxNpm = existsSync(join(BIN, 'cyclonedx-npm'));
if (haveCdxNpm) tools.push(cdxNpm);

console.error(`bench sbom: npm-large, ${RUNS} alternated rounds…`);
const results = alternate(tools, RUNS);
const get = (t: Tool): Result => results.find((r) => r.tool === t)!;
const v = get(vouch);
const npm = get(npmSbom);
const cdx = haveCdxNpm ? get(cdxNpm) : undefined;

const lines: string[] = [];
lines.push('## SBOM generation (`vouch sbom`)', '');
lines.push(
  `Whole process on \`../shared/bench/npm-large\` (1,830 lockfile entries), lockfile only, each tool's CycloneDX on standard output redirected to a file. One warm-up run each, then ${RUNS} rounds running every tool once in turn; medians. Peak RSS from ${TIME ? '`/usr/bin/time -f %M`' : '`process.resourceUsage().maxRSS` on exit'}.`,
  '',
);
lines.push(
  '| tool | wall median (s) | peak RSS median (MiB) | time ÷ vouch | peak RSS ÷ vouch |',
  '|---|---|---|---|---|',
);
for (const r of results) {
  lines.push(
    `| ${r.tool.name} | ${s3(r.wall)} | ${n0(r.rssMiB)} | ${(r.wall / v.wall).toFixed(2)}× | ${(r.rssMiB / v.rssMiB).toFixed(2)}× |`,
  );
}
lines.push('');

// Scaled lockfiles.
console.error('bench sbom: scaled lockfiles…');
const scaled = [10_000, 20_000, 40_000].map((n) => scaledLockfile(n));
const scaledTools: Tool[] = scaled.map((s) => ({
  name: `${vouchLabel}, ${s.entries.toLocaleString('en')} entries`,
  cmd: [node, vouchMain, 'sbom'],
  cwd: s.dir,
  out: join(WORK, `scaled-${s.entries}.cdx.json`),
}));
const floor = alternate(
  [{ name: '`node -e 0`', cmd: [node, '-e', '0'], cwd: WORK, out: join(WORK, 'floor.txt') }],
  RUNS,
)[0]!;
const scaledResults = alternate(scaledTools, RUNS);
const perEntry = scaledResults.map(
  (r, i) => ((r.rssMiB - floor.rssMiB) * 1024) / scaled[i]!.entries,
);
const marginal1 =
  ((scaledResults[1]!.rssMiB - scaledResults[0]!.rssMiB) * 1024) /
  (scaled[1]!.entries - scaled[0]!.entries);
const marginal2 =
  ((scaledResults[2]!.rssMiB - scaledResults[1]!.rssMiB) * 1024) /
  (scaled[2]!.entries - scaled[1]!.entries);
const linear =
  marginal2 > 0 &&
  marginal1 > 0 &&
  marginal2 / marginal1 <= 1.5 &&
  marginal2 / marginal1 >= 1 / 1.5;
const twentyK = scaledResults[1]!;

lines.push(
  `Scaled lockfiles (npm-large's entries copied under new names), ${vouchLabel}, same method; \`node -e 0\` peaks at ${n0(floor.rssMiB)} MiB.`,
  '',
  '| entries | wall median (s) | peak RSS median (MiB) | (peak − node floor) per entry (KiB) | extra RSS per extra entry (KiB) |',
  '|---|---|---|---|---|',
);
scaledResults.forEach((r, i) => {
  const m = i === 0 ? '—' : (i === 1 ? marginal1 : marginal2).toFixed(2);
  lines.push(
    `| ${scaled[i]!.entries.toLocaleString('en')} | ${s3(r.wall)} | ${n0(r.rssMiB)} | ${perEntry[i]!.toFixed(2)} | ${m} |`,
  );
});
lines.push('');

lines.push('| target | measured | met |', '|---|---|---|');
lines.push(
  `| npm-large wall ≤ 1/5 of \`npm sbom\` | ${s3(v.wall)} s vs ${s3(npm.wall)} s: 1/${(npm.wall / v.wall).toFixed(1)} | ${yes(v.wall * 5 <= npm.wall)} |`,
);
if (cdx)
  lines.push(
    `| npm-large wall ≤ 1/15 of \`cyclonedx-npm\` | ${s3(v.wall)} s vs ${s3(cdx.wall)} s: 1/${(cdx.wall / v.wall).toFixed(1)} | ${yes(v.wall * 15 <= cdx.wall)} |`,
  );
else lines.push('| npm-large wall ≤ 1/15 of `cyclonedx-npm` | cyclonedx-npm not installed | — |');
lines.push(
  `| npm-large peak RSS ≤ \`npm sbom\`'s | ${n0(v.rssMiB)} MiB vs ${n0(npm.rssMiB)} MiB | ${yes(v.rssMiB <= npm.rssMiB)} |`,
);
lines.push(
  `| ${scaled[1]!.entries.toLocaleString('en')} entries in < 2 s | ${s3(twentyK.wall)} s | ${yes(twentyK.wall < 2)} |`,
);
lines.push(
  `| memory grows linearly (10k→20k vs 20k→40k extra KiB per entry within ±50%) | ${marginal1.toFixed(2)} vs ${marginal2.toFixed(2)} KiB/entry | ${yes(linear)} |`,
);
lines.push('');

// Completeness, from the documents the timed runs wrote.
const ours = parseSbom(readFileSync(vouch.out, 'utf8'), 'vouch');
lines.push(
  'Completeness on npm-large, from the documents written above: every purl the peer lists is in the vouch SBOM, with at least its hash and license coverage (over the peer’s distinct purls).',
  '',
  '| peer | distinct purls | missing from vouch | with hash: peer / vouch | with license: peer / vouch | license differs | met |',
  '|---|---|---|---|---|---|---|',
);
for (const t of [npmSbom, ...(cdx ? [cdxNpm] : [])]) {
  const c = coverage(ours, parseSbom(readFileSync(t.out, 'utf8'), t.name));
  const ok =
    c.missing.length === 0 &&
    c.ourHashed >= c.peerHashed &&
    c.ourLicensed >= c.peerLicensed &&
    c.licenseMismatch.length === 0;
  lines.push(
    `| ${t.name} | ${c.purls} | ${c.missing.length}${c.missing.length ? ` (${c.missing.slice(0, 3).join(', ')})` : ''} | ${c.peerHashed} / ${c.ourHashed} | ${c.peerLicensed} / ${c.ourLicensed} | ${c.licenseMismatch.length} | ${yes(ok)} |`,
  );
}
console.log(lines.join('\n'));
