import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { generateSbom } from '../../../src/adapters/sbom/generate.ts';
import type { Logger } from '../../../src/core/logger.ts';
import { parseSbom } from '../../../src/core/sbom/parse.ts';
import { VouchError } from '../../../src/errors.ts';
import { ROOT, SHARED, vouch } from '../../helpers/cli.ts';

const FIX = join(ROOT, 'test/fixtures/sbom');
const warnings: string[] = [];
const logger: Logger = {
  debug() {},
  info() {},
  warn(m: string) {
    warnings.push(m);
  },
  error() {},
  group: (_t, fn) => fn(),
  progress: () => ({ tick() {}, done() {} }),
  summary: async () => {},
  secret() {},
};

const ajv = new Ajv2019({ strict: false });
addFormats.default(ajv);
const validateSpdx = ajv.compile(
  JSON.parse(readFileSync(join(SHARED, 'bench/schemas/spdx-2.3.schema.json'), 'utf8')) as object,
);

const PROJECTS = [
  ['js-app/pnpm-v5', 'pnpm', '5.4'],
  ['js-app/pnpm-v6', 'pnpm', '6.0'],
  ['js-app/pnpm-v9', 'pnpm', '9.0'],
  ['js-app/yarn-classic', 'yarn', 'classic'],
  ['js-app/yarn-berry', 'yarn', 'berry-10'],
  ['js-workspace/pnpm-v6', 'pnpm', '6.0'],
  ['js-workspace/pnpm-v9', 'pnpm', '9.0'],
  ['js-workspace/yarn-classic', 'yarn', 'classic'],
  ['js-workspace/yarn-berry', 'yarn', 'berry-10'],
] as const;

const gen = (dir: string, extra: Record<string, unknown> = {}) =>
  generateSbom(
    { dir, workspace: FIX, formats: ['cyclonedx', 'spdx'], validate: true, ...extra },
    { logger },
  );

test('every pnpm / yarn fixture is detected and gives schema-valid CycloneDX 1.6, 1.5 and SPDX 2.3', async () => {
  for (const [dir, kind] of PROJECTS) {
    warnings.length = 0;
    const r = await gen(dir, { reproducible: true });
    assert.equal(r.kind, kind, dir);
    assert.deepEqual(warnings, [], dir);
    assert.ok(r.lockfile.endsWith(kind === 'pnpm' ? 'pnpm-lock.yaml' : 'yarn.lock'));
    // Independent checks: the CycloneDX library's own validator, and the shared SPDX schema.
    for (const [text, v] of [
      [r.documents.cyclonedx!, Spec.Version.v1dot6],
      [
        (await gen(dir, { specVersion: '1.5', formats: ['cyclonedx'] })).documents.cyclonedx!,
        Spec.Version.v1dot5,
      ],
    ] as const) {
      const errors = await new Validation.JsonStrictValidator(v).validate(text);
      assert.equal(errors, null, `${dir}: ${JSON.stringify(errors)?.slice(0, 500)}`);
    }
    const spdx = JSON.parse(r.documents.spdx!) as {
      packages: { SPDXID: string }[];
      relationships: { spdxElementId: string; relatedSpdxElement: string }[];
    };
    assert.ok(validateSpdx(spdx), `${dir}: ${JSON.stringify(validateSpdx.errors)?.slice(0, 500)}`);
    const ids = new Set(['SPDXRef-DOCUMENT', ...spdx.packages.map((p) => p.SPDXID)]);
    for (const rel of spdx.relationships) {
      assert.ok(ids.has(rel.spdxElementId) && ids.has(rel.relatedSpdxElement), dir);
    }
    // Our own reader takes the document back with the same packages.
    const back = parseSbom(r.documents.cyclonedx!, 'sbom.json');
    assert.equal(back.components.length, r.sbom.components.length, dir);
  }
});

test('reproducible: two runs give byte-identical CycloneDX and SPDX; the serial follows the content', async () => {
  const epoch = { sourceDateEpoch: '1700000000' };
  for (const [dir] of PROJECTS) {
    const a = await gen(dir, epoch);
    const b = await gen(dir, epoch);
    assert.equal(a.documents.cyclonedx, b.documents.cyclonedx, dir);
    assert.equal(a.documents.spdx, b.documents.spdx, dir);
    assert.match(a.documents.cyclonedx!, /"timestamp": "2023-11-14T22:13:20Z"/);
    assert.match(a.documents.cyclonedx!, /"serialNumber": "urn:uuid:/);
  }
  const v9 = (await gen('js-app/pnpm-v9', epoch)).documents.cyclonedx!;
  const v6 = (await gen('js-app/pnpm-v6', epoch)).documents.cyclonedx!;
  const serial = (t: string): unknown => (JSON.parse(t) as { serialNumber: string }).serialNumber;
  assert.notEqual(serial(v9), serial(v6));
});

test('workspace members are named by their package.json (pnpm importers, yarn workspaces)', async () => {
  for (const dir of [
    'js-workspace/pnpm-v9',
    'js-workspace/pnpm-v6',
    'js-workspace/yarn-berry',
    'js-workspace/yarn-classic',
  ]) {
    const r = await gen(dir);
    const names = r.sbom.components
      .map((c) => `${c.group ?? ''}/${c.name}@${c.version ?? ''}`)
      .sort();
    assert.deepEqual(
      names,
      [
        '/is-number@6.0.0',
        '/is-number@7.0.0',
        '/is-odd@3.0.1',
        '/kleur@4.1.5',
        '/ms@2.1.3',
        '@fixture/cli@1.0.0',
        '@fixture/core@1.0.0',
      ],
      dir,
    );
    const cli = r.sbom.components.find((c) => c.name === 'cli')!;
    const core = r.sbom.components.find((c) => c.name === 'core')!;
    assert.ok(r.sbom.dependencies.get(cli.ref)?.includes(core.ref), dir);
    assert.equal(cli.properties?.['vouch:npm:workspace:path'], 'packages/cli');
  }
});

test('CLI: --omit dev and --omit optional on pnpm and yarn projects', () => {
  for (const dir of ['js-app/pnpm-v9', 'js-app/yarn-classic', 'js-app/yarn-berry']) {
    const all = vouch(['sbom', join(FIX, dir), '--reproducible']);
    assert.equal(all.status, 0, all.stderr);
    const prod = vouch(['sbom', join(FIX, dir), '--omit', 'dev', '--reproducible']);
    const lean = vouch(['sbom', join(FIX, dir), '--omit', 'dev', '--omit', 'optional']);
    assert.equal(lean.status, 0, lean.stderr);
    const names = (out: string): string[] =>
      (JSON.parse(out) as { components: { name: string }[] }).components.map((c) => c.name);
    assert.ok(names(all.stdout).includes('kleur'));
    assert.ok(!names(prod.stdout).includes('kleur'), dir);
    assert.ok(names(prod.stdout).includes('fsevents'), dir);
    assert.ok(!names(lean.stdout).includes('fsevents'), dir);
    assert.ok(names(lean.stdout).includes('react'), dir);
  }
});

test('bad pnpm / yarn lockfiles through the adapter: coded errors, nothing written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-sbom-js-'));
  try {
    cpSync(join(FIX, 'js-app/pnpm-v9/package.json'), join(dir, 'package.json'));
    writeFileSync(join(dir, 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\nimporters:\n  .: [\n");
    await assert.rejects(
      gen(dir),
      (e: unknown) =>
        e instanceof VouchError &&
        e.code === 'YAML_INVALID' &&
        /pnpm-lock\.yaml:\d+:\d+/.test(e.message),
    );
    writeFileSync(join(dir, 'pnpm-lock.yaml'), "lockfileVersion: '10.0'\n");
    const out = join(dir, 'sbom.json');
    const r = vouch(['sbom', dir, '-o', out]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /SBOM_LOCKFILE_UNSUPPORTED/);
    assert.throws(() => readFileSync(out));
    rmSync(join(dir, 'pnpm-lock.yaml'));
    // The root package.json changed since yarn.lock was written.
    cpSync(join(FIX, 'js-app/yarn-classic/yarn.lock'), join(dir, 'yarn.lock'));
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    pkg.dependencies['left-pad'] = '1.3.0';
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
    await assert.rejects(
      gen(dir),
      (e: unknown) =>
        e instanceof VouchError &&
        e.code === 'SBOM_LOCKFILE_OUT_OF_SYNC' &&
        /left-pad@1\.3\.0/.test(e.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('licenses from node_modules: the pnpm store, hoisted and nested yarn copies, same name and version only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-sbom-js-'));
  const put = (rel: string, pkg: object): void => {
    mkdirSync(join(dir, rel), { recursive: true });
    writeFileSync(join(dir, rel, 'package.json'), JSON.stringify(pkg));
  };
  try {
    for (const f of ['package.json', 'pnpm-lock.yaml'])
      cpSync(join(FIX, 'js-app/pnpm-v9', f), join(dir, f));
    put('node_modules/.pnpm/react@18.3.1/node_modules/react', {
      name: 'react',
      version: '18.3.1',
      license: 'MIT',
    });
    put('node_modules/.pnpm/@sindresorhus+slugify@2.2.1/node_modules/@sindresorhus/slugify', {
      name: '@sindresorhus/slugify',
      version: '2.2.1',
      license: 'MIT',
    });
    put('node_modules/kleur', { name: 'kleur', version: '9.9.9', license: 'WTFPL' });
    const pnpm = await gen(dir, { formats: ['cyclonedx'] });
    const license = (r: typeof pnpm, name: string): string | undefined =>
      r.sbom.components.find((c) => c.name === name)?.license;
    assert.equal(license(pnpm, 'react'), 'MIT');
    assert.equal(license(pnpm, 'slugify'), 'MIT');
    assert.equal(license(pnpm, 'kleur'), undefined, 'another version is not this package');

    rmSync(join(dir, 'pnpm-lock.yaml'));
    rmSync(join(dir, 'node_modules'), { recursive: true });
    cpSync(join(FIX, 'js-app/yarn-classic/yarn.lock'), join(dir, 'yarn.lock'));
    put('node_modules/is-number', { name: 'is-number', version: '7.0.0', license: 'MIT' });
    put('node_modules/is-odd/node_modules/is-number', {
      name: 'is-number',
      version: '6.0.0',
      license: 'Apache-2.0',
    });
    put('node_modules/ms-latest', { name: 'ms', version: '2.1.3', license: 'MIT' });
    const yarn = await gen(dir, { formats: ['cyclonedx'] });
    const of = (purl: string): string | undefined =>
      yarn.sbom.components.find((c) => c.purl === purl)?.license;
    assert.equal(of('pkg:npm/is-number@7.0.0'), 'MIT');
    assert.equal(of('pkg:npm/is-number@6.0.0'), 'Apache-2.0');
    assert.equal(of('pkg:npm/ms@2.1.3'), 'MIT');
    assert.equal(of('pkg:npm/ms@2.0.0'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
