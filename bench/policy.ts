/**
 * Policy speed and memory: node bench/policy.ts [--runs N] [--scales 1,2,4]
 *
 * Inputs are real data scaled up, never random: the components of the npm-large lockfile
 * (Kong/insomnia) and of meilisearch v1.4.0's Cargo.lock, copied under renamed names
 * (`lodash` → `lodash-c3`) until there are 20,000 of them; the 91 real OSV records of
 * ../shared/advisories/osv copied under renamed ids and packages (`GHSA-…-c3`, `CVE-…-c3`,
 * `lodash-c3`) until there are 50,000 (the copies beyond the SBOM's stand for the rest of an
 * ecosystem export); 2,000 exceptions naming real findings and real advisories of packages that
 * are present but not affected (stale waivers), one per advisory and package (two naming aliases
 * of one advisory are duplicates), all valid under the remediation windows.
 *
 * 1. One process evaluates the whole thing from the files' text: SBOM (CycloneDX JSON written by
 *    vouch's own writer), policy and exceptions YAML, and the OSV records as the directory and zip
 *    sources hand them on (texts, each decoded with the safe JSON parser while the advisory
 *    database is built); then the policy is evaluated and the JSON and SARIF reports rendered. Median of N runs, each in a fresh
 *    process. Target: under 1 s at 1×.
 * 2. The same at 1×, 2× and 4× the input, each in its own process: retained heap after the run
 *    (after a full GC) and peak RSS, to show memory grows linearly with input size.
 * 3. Cold start of the policy action bundle on a real SBOM, policy and advisory directory against
 *    `node -e 0` (target within 150 ms), with every module the process loads recorded by a
 *    resolve hook: none may be Sigstore's or a cloud SDK's.
 * Prints a Markdown section.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { parse as parseYaml, stringify as yaml } from 'yaml';
import { bundleOptions } from '../scripts/bundle.ts';
import { parseExceptions } from '../src/core/exceptions/parse.ts';
import { buildAdvisoryDatabase, type RawAdvisory } from '../src/core/osv/database.ts';
import { advisoryPackagesOf, evaluatePolicy } from '../src/core/policy/evaluate.ts';
import { parsePolicy } from '../src/core/policy/parse.ts';
import { buildSarif } from '../src/core/policy/render.ts';
import { buildSbom } from '../src/core/sbom/build.ts';
import { writeCycloneDx } from '../src/core/sbom/cyclonedx.ts';
import { readCargoLockfile } from '../src/core/sbom/lockfiles/cargo.ts';
import { readNpmLockfile } from '../src/core/sbom/lockfiles/npm.ts';
import type { SbomComponent } from '../src/core/sbom/model.ts';
import { parseSbom } from '../src/core/sbom/parse.ts';

const ROOT = join(import.meta.dirname, '..');
const SHARED = join(ROOT, '..', 'shared');
const OSV = join(SHARED, 'advisories', 'osv');
const WORK = join(ROOT, 'bench', '.work', 'policy');
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('--runs') ?? 5);
const SCALES = (arg('--scales') ?? '1,2,4').split(',').map(Number);
const NOW = new Date('2026-12-01T00:00:00Z');
const BASE = { components: 20_000, advisories: 50_000, exceptions: 2_000 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const POLICY = `version: 1
scopes: [required, optional, dev]
licenses:
  allow: [MIT, ISC, Apache-2.0, BSD-2-Clause, BSD-3-Clause, 0BSD, Unicode-DFS-2016, Unicode-3.0, Zlib, CC0-1.0, BlueOak-1.0.0, Python-2.0, MPL-2.0]
  deny: [GPL-3.0-only, AGPL-3.0-only]
  unknown: warn
vulnerabilities:
  fail-on: medium
bans:
  - name: no-event-stream
    package: pkg:npm/event-stream
    versions: ">=3.3.6 <4"
    reason: compromised release
  - name: no-old-ms
    package: pkg:npm/ms
    versions: "<2.0.0"
remediation-windows: {critical: 7, high: 30, medium: 90, low: 180}
exceptions:
  expiring-within: 3
`;

/** The real components: npm-large and meilisearch's Cargo.lock, read by vouch's own readers. */
function realComponents(): SbomComponent[] {
  const npmDir = join(SHARED, 'bench', 'npm-large');
  const npm = readNpmLockfile(
    JSON.parse(readFileSync(join(npmDir, 'package-lock.json'), 'utf8')),
    'package-lock.json',
    {
      value: JSON.parse(readFileSync(join(npmDir, 'package.json'), 'utf8')),
      source: 'package.json',
    },
  );
  const cargo = readCargoLockfile(
    readFileSync(join(SHARED, 'bench', 'cargo-meilisearch-v1.4.0', 'Cargo.lock'), 'utf8'),
    'Cargo.lock',
  );
  return [...npm.components, ...cargo.components];
}

const renamePurl = (purl: string | undefined, name: string, suffix: string): string | undefined =>
  purl?.replace(`/${encodeURIComponent(name)}@`, `/${encodeURIComponent(name + suffix)}@`);

/** `name` → `name-c<copy>` everywhere it appears in a component. */
function copyComponent(c: SbomComponent, copy: number): SbomComponent {
  const suffix = `-c${copy}`;
  const purl = renamePurl(c.purl, c.name, suffix);
  return {
    ...c,
    ref: `${c.ref}${suffix}`,
    name: `${c.name}${suffix}`,
    ...(purl ? { purl } : {}),
  };
}

function realAdvisories(): { folder: string; value: Record<string, unknown> }[] {
  const out: { folder: string; value: Record<string, unknown> }[] = [];
  for (const folder of ['npm', 'crates.io']) {
    for (const f of readdirSync(join(OSV, folder)).sort()) {
      if (!f.endsWith('.json')) continue;
      out.push({ folder, value: JSON.parse(readFileSync(join(OSV, folder, f), 'utf8')) });
    }
  }
  return out;
}

/** One real record under a renamed id, aliases and package names. */
function copyAdvisory(record: Record<string, unknown>, copy: number): string {
  const suffix = `-c${copy}`;
  const affected = (record['affected'] as Record<string, unknown>[] | undefined)?.map((a) => {
    const pkg = a['package'] as { name: string; ecosystem: string; purl?: string } | undefined;
    if (!pkg || pkg.name === '') return a;
    const name = pkg.name + suffix;
    return {
      ...a,
      package: {
        ...pkg,
        name,
        ...(pkg.purl ? { purl: pkg.purl.replace(pkg.name, name) } : {}),
      },
    };
  });
  return JSON.stringify({
    ...record,
    id: `${record['id'] as string}${suffix}`,
    aliases: ((record['aliases'] as string[] | undefined) ?? []).map((a) => a + suffix),
    ...(affected ? { affected } : {}),
  });
}

interface Inputs {
  readonly sbom: string;
  readonly policy: string;
  readonly exceptions: string;
  readonly advisories: readonly string[];
}

/** Text of every input at `scale` × (20,000 components, 50,000 advisories, 2,000 exceptions). */
function makeInputs(scale: number): Inputs {
  const want = {
    components: BASE.components * scale,
    advisories: BASE.advisories * scale,
    exceptions: BASE.exceptions * scale,
  };
  const base = realComponents();
  const components: SbomComponent[] = [];
  for (let copy = 0; components.length < want.components; copy++)
    for (const c of base) {
      if (components.length >= want.components) break;
      components.push(copyComponent(c, copy));
    }
  const sbomCopies = Math.ceil(want.components / base.length);
  const sbom = writeCycloneDx(
    buildSbom({
      kind: 'npm',
      lockfileVersion: '3',
      root: {
        ...base[0]!,
        ref: 'root',
        name: 'scaled',
        version: '1.0.0',
        purl: 'pkg:npm/scaled@1.0.0',
      },
      components,
      dependencies: new Map(),
      warnings: [],
    }),
    { reproducible: true },
  );
  const records = realAdvisories();
  const advisories: string[] = [];
  for (let copy = 0; advisories.length < want.advisories; copy++)
    for (const r of records) {
      if (advisories.length >= want.advisories) break;
      advisories.push(copyAdvisory(r.value, copy));
    }
  // Exceptions: first every real finding (used waivers), then real advisories of packages that
  // are present at versions they do not affect (stale waivers), until there are enough.
  const sbomModel = parseSbom(sbom, 'sbom.cdx.json');
  const policy = parsePolicy(POLICY, 'policy.yml');
  const probeDb = buildAdvisoryDatabase(
    advisories
      .slice(0, records.length * sbomCopies)
      .map((text, i) => ({ source: String(i), value: JSON.parse(text) as unknown })),
  );
  const probe = evaluatePolicy({ sbom: sbomModel, policy, advisories: probeDb, now: NOW });
  const entries: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  // One exception per advisory (alias group) and package: two naming aliases are duplicates.
  const add = (id: string, pkg: string, days: number, cap = want.exceptions): void => {
    const key = `${/^(license|ban):/.test(id) ? id : probeDb.canonicalId(id)} ${pkg}`;
    if (seen.has(key) || entries.length >= cap) return;
    seen.add(key);
    entries.push({
      id,
      package: pkg,
      // Short values: 8,000 entries (4×) must stay under the 2 MiB exceptions-file cap.
      reason: 'not reachable',
      owner: '@acme/web',
      'approved-by': '@acme-rm',
      approval: `https://github.com/acme/w/pull/${1000 + entries.length}`,
      created: '2026-11-28',
      expires: new Date(Date.parse('2026-11-28') + days * 86_400_000).toISOString().slice(0, 10),
    });
  };
  const purlOf = (p: string): string => p.replace(/@[^@/]*$/, '');
  const allowed = new Set(policy.licenses?.allow ?? []);
  // Three in four waive a real finding; the rest are stale (added below).
  const usedCap = Math.floor(want.exceptions * 0.75);
  for (const f of probe.findings) {
    if (!f.component.purl) continue;
    const pkg = purlOf(f.component.purl);
    if (f.kind === 'vulnerability') add(f.aliases.at(-1)!, pkg, 7, usedCap);
    else if (f.kind === 'ban') add(f.id, pkg, 7, usedCap);
    else
      // A license exception names the license that is not allowed, not the whole expression.
      for (const id of f.id.slice(8).split(/[\s()]+/))
        if (id && !['AND', 'OR', 'WITH'].includes(id) && !allowed.has(id))
          add(`license:${id}`, pkg, 7, usedCap);
  }
  const purlByName = new Map<string, string>();
  for (const c of sbomModel.components) {
    const full = c.group && c.ecosystem === 'npm' ? `${c.group}/${c.name}` : c.name;
    if (c.purl) purlByName.set(`${c.ecosystem}:${full}`, purlOf(c.purl));
  }
  for (let copy = 0; entries.length < want.exceptions && copy < sbomCopies; copy++)
    for (const r of records) {
      const eco = r.folder === 'npm' ? 'npm' : 'cargo';
      for (const a of r.value['affected'] as { package?: { name: string } }[]) {
        const purl = a.package?.name
          ? purlByName.get(`${eco}:${a.package.name}-c${copy}`)
          : undefined;
        if (purl) add(`${r.value['id'] as string}-c${copy}`, purl, 7);
      }
    }
  const exceptions = yaml({ version: 1, exceptions: entries }, { lineWidth: 0 });
  if (entries.length < want.exceptions)
    throw new Error(`only ${entries.length} distinct exceptions could be made`);
  return { sbom, policy: POLICY, exceptions, advisories };
}

interface ChildResult {
  readonly scale: number;
  readonly counts: Record<string, number>;
  readonly inputMiB: number;
  readonly ms: Record<string, number>;
  readonly heapBeforeMiB: number;
  readonly heapAfterMiB: number;
  readonly rssBeforeMiB: number;
  readonly peakRssMiB: number;
}

const MiB = 2 ** 20;

/** One measured run in this process (started with --expose-gc). */
function child(scale: number): ChildResult {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const file = join(WORK, `inputs-${scale}x.json`);
  let inputs: Inputs;
  try {
    inputs = JSON.parse(readFileSync(file, 'utf8')) as Inputs;
  } catch {
    inputs = makeInputs(scale);
    // Cached for the repeated 1× runs only (4× is more text than one string can hold).
    if (scale === 1) {
      mkdirSync(WORK, { recursive: true });
      writeFileSync(file, JSON.stringify(inputs));
    }
  }
  const inputBytes =
    inputs.sbom.length +
    inputs.policy.length +
    inputs.exceptions.length +
    inputs.advisories.reduce((n, a) => n + a.length, 0);
  gc();
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  const ms: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => {
    const n = performance.now();
    ms[name] = n - t;
    t = n;
  };
  const start = t;
  const cpu0 = process.cpuUsage();
  const sbom = parseSbom(inputs.sbom, 'sbom.cdx.json');
  lap('sbom');
  const policy = parsePolicy(inputs.policy, 'policy.yml');
  const exceptions = parseExceptions(inputs.exceptions, 'exceptions.yml');
  lap('policy+exceptions');
  // As the directory and zip sources hand them on: texts, decoded while the database is built.
  const raw: RawAdvisory[] = inputs.advisories.map((text, i) => ({
    source: `osv/${i}.json`,
    text,
  }));
  const db = buildAdvisoryDatabase(raw, { packages: advisoryPackagesOf(sbom, policy) });
  lap('advisory database (decode, check, index)');
  const report = evaluatePolicy({ sbom, policy, exceptions, advisories: db, now: NOW });
  lap('evaluate');
  const json = JSON.stringify(report);
  const sarif = JSON.stringify(
    buildSarif(report, {
      sbom: 'sbom.cdx.json',
      exceptions: 'exceptions.yml',
    }),
  );
  lap('render');
  ms['total'] = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  // CPU time of this process (every thread: GC helpers too): less disturbed than wall time on a shared machine.
  ms['cpu'] = (cpu.user + cpu.system) / 1000;
  gc();
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  // Floors: the bare parsers on the same texts, nothing kept (what no engine can go below).
  let f = performance.now();
  for (const text of inputs.advisories) JSON.parse(text);
  ms['floor: JSON.parse of the advisory texts'] = performance.now() - f;
  f = performance.now();
  JSON.parse(inputs.sbom);
  ms['floor: JSON.parse of the SBOM'] = performance.now() - f;
  // For reference, not a floor: the exceptions file is plain block YAML, which vouch reads on its
  // fast path without the yaml library.
  f = performance.now();
  parseYaml(inputs.exceptions);
  ms['reference: yaml.parse of the exceptions'] = performance.now() - f;
  // Keep everything alive up to the measurement.
  if (json.length + sarif.length === 0 || db.records.length === 0) throw new Error('empty');
  return {
    scale,
    counts: {
      components: sbom.components.length,
      advisories: db.records.length,
      exceptions: exceptions.exceptions.length,
      findings: report.findings.length,
      fail: report.counts.fail,
      waived: report.counts.waived,
      unused: report.counts.unusedExceptions,
      invalid: report.counts.invalidExceptions,
    },
    inputMiB: inputBytes / MiB,
    ms,
    heapBeforeMiB: heapBefore / MiB,
    heapAfterMiB: heapAfter / MiB,
    rssBeforeMiB: rssBefore / MiB,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

function runChild(scale: number): ChildResult {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=8192', import.meta.filename, '--child', String(scale)],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * MiB, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (r.status !== 0) throw new Error(`policy bench child (${scale}×) failed: ${r.status}`);
  return JSON.parse(r.stdout) as ChildResult;
}

/** Median wall time in ms of a whole process, after one warm-up. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv, runs: number): number {
  spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore', env });
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore', env });
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

const HEAVY = /@sigstore\/|node_modules\/sigstore\/|@aws-sdk\/|@google-cloud\/|@azure\/|pkcs11js/;

async function coldStart(): Promise<string> {
  const out = join(WORK, 'dist-policy');
  const result = await build({
    ...bundleOptions('policy', 'src/actions/policy/index.ts'),
    outdir: out,
    metafile: true,
  });
  // Which source modules went into which output file, to name what a loaded chunk carries.
  const heavyOutputs = Object.entries(result.metafile.outputs)
    .filter(([, o]) => Object.keys(o.inputs).some((i) => HEAVY.test(i)))
    .map(([p]) => join(ROOT, p));
  const ws = join(WORK, 'action-ws');
  mkdirSync(ws, { recursive: true });
  const npm = readNpmLockfile(
    JSON.parse(readFileSync(join(SHARED, 'bench', 'npm-large', 'package-lock.json'), 'utf8')),
    'package-lock.json',
  );
  writeFileSync(join(ws, 'sbom.cdx.json'), writeCycloneDx(buildSbom(npm), { reproducible: true }));
  writeFileSync(join(ws, 'policy.yml'), POLICY);
  const hook = join(WORK, 'hook.mjs');
  const loadedFile = join(WORK, 'loaded.txt');
  writeFileSync(
    hook,
    `import { registerHooks } from 'node:module'; import { appendFileSync } from 'node:fs';
registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); appendFileSync(${JSON.stringify(loadedFile)}, r.url + '\\n'); return r; } });`,
  );
  const env = {
    ...process.env,
    GITHUB_WORKSPACE: ws,
    GITHUB_OUTPUT: join(ws, 'out.txt'),
    GITHUB_STEP_SUMMARY: join(ws, 'summary.md'),
    INPUT_SBOM: 'sbom.cdx.json',
    INPUT_POLICY: 'policy.yml',
    INPUT_ADVISORIES: OSV,
    INPUT_NOW: '2026-12-01',
    'INPUT_WARN-ONLY': 'true',
    'INPUT_OUTPUT-DIR': 'out',
    'INPUT_PR-COMMENT': 'false',
  };
  writeFileSync(loadedFile, '');
  writeFileSync(env.GITHUB_OUTPUT, '');
  writeFileSync(env.GITHUB_STEP_SUMMARY, '');
  const probe = spawnSync(process.execPath, ['--import', hook, join(out, 'index.js')], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
  });
  if (probe.status !== 0) throw new Error(`policy action failed: ${probe.stdout}${probe.stderr}`);
  const report = JSON.parse(readFileSync(join(ws, 'out', 'policy-report.json'), 'utf8')) as {
    sbom: { components: number };
    advisories: { records: number };
  };
  const loaded = readFileSync(loadedFile, 'utf8').split('\n').filter(Boolean);
  const heavy = loaded.filter((u) => HEAVY.test(u) || heavyOutputs.some((p) => u.endsWith(p)));
  if (heavy.length > 0)
    throw new Error(`the policy action loaded heavy modules: ${heavy.join(', ')}`);
  const chunks = loaded.filter((u) => u.includes('/dist-policy/'));
  const floor = timeProcess(['-e', '0'], process.env, RUNS * 3);
  const bundle = timeProcess([join(out, 'index.js')], env, RUNS * 3);
  // Load only: started with no inputs, the action loads its bundle, reads inputs and fails fast.
  const bare = { ...process.env, GITHUB_OUTPUT: '', GITHUB_STEP_SUMMARY: '' };
  const load = timeProcess([join(out, 'index.js')], bare, RUNS * 3);
  const rows = [
    '| what | median ms | over `node -e 0` | target | met |',
    '|---|---|---|---|---|',
    `| \`node -e 0\` | ${floor.toFixed(1)} | — | — | — |`,
    `| policy action bundle load (no inputs: fails fast) | ${load.toFixed(1)} | +${(load - floor).toFixed(1)} ms | ≤ +150 ms | ${load - floor <= 150 ? 'yes' : 'no'} |`,
    `| policy action, real run (${report.sbom.components} components, ${report.advisories.records} OSV records, reports written) | ${bundle.toFixed(1)} | +${(bundle - floor).toFixed(1)} ms | — | — |`,
  ];
  return `${rows.join('\n')}\n\nModules the action loaded (resolve hook): ${loaded.length}, of which bundle files ${chunks.length}; Sigstore or cloud SDK modules, and bundle chunks carrying them (esbuild metafile): **${heavy.length}**.\n`;
}

async function main(): Promise<void> {
  const results = SCALES.map((s) => runChild(s));
  const one = results.find((r) => r.scale === 1) ?? results[0]!;
  const runs = [one];
  for (let i = 1; i < RUNS; i++) runs.push(runChild(one.scale));
  const t = median(runs.map((r) => r.ms['total']!));
  const cpuMs = median(runs.map((r) => r.ms['cpu']!));
  const phases = Object.keys(one.ms).filter(
    (k) => k !== 'total' && k !== 'cpu' && !k.startsWith('floor') && !k.startsWith('reference'),
  );
  const floors = Object.keys(one.ms).filter((k) => k.startsWith('floor'));
  const floorMs = median(runs.map((r) => floors.reduce((n, k) => n + r.ms[k]!, 0)));
  const lines = [
    '## policy',
    '',
    `Inputs scaled from real data (bench/policy.ts): the npm-large and meilisearch Cargo.lock components and the ${realAdvisories().length} real OSV records of ../shared/advisories/osv, copied under renamed names and ids; exceptions name real findings and stale real advisories. One process evaluates from the files' text: SBOM, policy and exceptions parsed, each OSV record decoded, database built, policy evaluated, JSON and SARIF rendered.`,
    '',
    `At 1×: ${one.counts['components']!.toLocaleString('en')} components, ${one.counts['advisories']!.toLocaleString('en')} advisories, ${one.counts['exceptions']!.toLocaleString('en')} exceptions → ${one.counts['findings']} findings (${one.counts['fail']} failing, ${one.counts['waived']} waived), ${one.counts['unused']} unused and ${one.counts['invalid']} invalid exceptions.`,
    '',
    '| what | median ms (' + RUNS + ' processes) | target | met |',
    '|---|---|---|---|',
    `| whole evaluation, 1×, wall | ${t.toFixed(0)} | < 1,000 ms | ${t < 1000 ? 'yes' : 'no'} |`,
    `| whole evaluation, 1×, CPU time (all threads) | ${cpuMs.toFixed(0)} | | |`,
    ...phases.map((p) => `| — ${p} | ${median(runs.map((r) => r.ms[p]!)).toFixed(0)} | | |`),
    ...floors.map((p) => `| ${p} alone | ${median(runs.map((r) => r.ms[p]!)).toFixed(0)} | | |`),
    `| whole evaluation minus those floors (vouch's own work) | ${(t - floorMs).toFixed(0)} | | |`,
    ...Object.keys(one.ms)
      .filter((k) => k.startsWith('reference'))
      .map(
        (p) =>
          `| ${p} (the yaml library; vouch's plain-block fast path does not use it) | ${median(runs.map((r) => r.ms[p]!)).toFixed(0)} | | |`,
      ),
    '',
    t < 1000
      ? 'The target is met.'
      : `The target is not met on this machine: ${floorMs.toFixed(0)} ms of it are the bare JSON.parse of the same texts (123 MiB of real OSV JSON at 1×, and the SBOM), a floor no engine goes below, since every record is decoded and checked (records of packages outside the SBOM still count, group their aliases and give their severity to exceptions); the rest is the safe parser's walk, the OSV schema check, alias grouping and indexing, SBOM reading, evaluation, and the garbage collection of what they keep.`,
    '',
    '| scale | components | advisories | exceptions | input MiB | time ms | retained heap MiB | heap / input | peak RSS MiB | RSS growth over the run MiB |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...results.map((r) => {
      const retained = r.heapAfterMiB - r.heapBeforeMiB;
      return `| ${r.scale}× | ${r.counts['components']!.toLocaleString('en')} | ${r.counts['advisories']!.toLocaleString('en')} | ${r.counts['exceptions']!.toLocaleString('en')} | ${r.inputMiB.toFixed(0)} | ${r.ms['total']!.toFixed(0)} | ${retained.toFixed(0)} | ${(retained / r.inputMiB).toFixed(2)} | ${r.peakRssMiB.toFixed(0)} | ${(r.peakRssMiB - r.rssBeforeMiB).toFixed(0)} |`;
    }),
    '',
    'Retained heap: heap in use after the run (after a full GC, with the parsed SBOM, the database and the report alive) minus before it (input text already loaded). A constant heap/input ratio across scales is linear growth.',
    '',
    '### Policy action cold start',
    '',
    await coldStart(),
  ];
  console.log(lines.join('\n'));
}

if (process.argv.includes('--child')) {
  console.log(JSON.stringify(child(Number(arg('--child')))));
} else if (import.meta.main) {
  await main();
}
