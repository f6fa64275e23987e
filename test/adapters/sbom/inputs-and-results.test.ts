import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InputName, InputReader } from '../../../src/actions/shared/inputs.ts';
import { readInputs } from '../../../src/actions/sbom/inputs.ts';
import { run } from '../../../src/actions/sbom/main.ts';
import { findLockfile, generateSbom } from '../../../src/adapters/sbom/generate.ts';
import type { Logger } from '../../../src/core/logger.ts';
import { parseSbom } from '../../../src/core/sbom/parse.ts';
import { VouchError } from '../../../src/errors.ts';
import { ROOT, vouch } from '../../helpers/cli.ts';

const APP = join(ROOT, 'test/fixtures/sbom/js-app');

const logger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  group: (_t, fn) => fn(),
  progress: () => ({ tick() {}, done() {} }),
  summary: async () => {},
  secret() {},
};

function reader(values: Partial<Record<InputName, string>>): InputReader {
  return {
    string: (n) => values[n] ?? '',
    list: (n) => (values[n] ?? '').split('\n').filter(Boolean),
    boolean: (n) => values[n] === 'true',
    secret: (n) => values[n] ?? '',
  };
}

function actionDeps(workspace: string) {
  const outputs: Record<string, string> = {};
  return {
    outputs,
    deps: {
      logger,
      setOutput: (n: string, v: string | number | boolean) => void (outputs[n] = String(v)),
      workspace,
      env: {},
    },
  };
}

/** A copy of the js-app fixtures (the `file:` packages in vendor/ come along). */
function app(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-sbom-in-'));
  cpSync(APP, join(dir, 'js-app'), { recursive: true });
  return join(dir, 'js-app');
}

const nameVersions = (text: string): string[] =>
  parseSbom(text, 'sbom')
    .components.map((c) => `${c.group ? `${c.group}/` : ''}${c.name}@${c.version ?? ''}`)
    .sort();

test('npm-shrinkwrap.json is detected (before package-lock.json) and read like a package-lock', async () => {
  const dir = app();
  const shrink = join(dir, 'npm-shrinkwrap');
  assert.equal(findLockfile(shrink), join(shrink, 'npm-shrinkwrap.json'));
  const viaShrinkwrap = await generateSbom(
    { dir: shrink, workspace: dir, formats: ['cyclonedx'] },
    { logger },
  );
  const viaLock = await generateSbom(
    { dir: join(dir, 'npm'), workspace: dir, formats: ['cyclonedx'] },
    { logger },
  );
  assert.equal(viaShrinkwrap.kind, 'npm');
  assert.ok(viaShrinkwrap.sbom.components.length > 5);
  assert.deepEqual(
    nameVersions(viaShrinkwrap.documents.cyclonedx!),
    nameVersions(viaLock.documents.cyclonedx!),
  );
  // Both present: the shrinkwrap wins, as npm itself prefers it.
  cpSync(join(dir, 'npm/package-lock.json'), join(shrink, 'package-lock.json'));
  assert.equal(findLockfile(shrink), join(shrink, 'npm-shrinkwrap.json'));
});

test('lockfileVersion 2 (written by npm --lockfile-version 2) gives the v3 SBOM', async () => {
  const dir = app();
  const v2 = await generateSbom(
    { dir: 'npm-v2', workspace: dir, formats: ['cyclonedx', 'spdx'], validate: true },
    { logger },
  );
  const v3 = await generateSbom({ dir: 'npm', workspace: dir, formats: ['cyclonedx'] }, { logger });
  assert.deepEqual(nameVersions(v2.documents.cyclonedx!), nameVersions(v3.documents.cyclonedx!));
  const key = (r: typeof v2): string[] =>
    r.sbom.components.map((c) => `${c.purl} ${c.scope} ${c.hashes.length} ${c.license}`).sort();
  assert.deepEqual(key(v2), key(v3));
});

test('a lockfile named explicitly: CLI --lockfile and the action input sbom-lockfile', async () => {
  const dir = app();
  // A lockfile under a name detection would not find.
  const project = join(dir, 'npm');
  renameSync(join(project, 'package-lock.json'), join(project, 'locked.json'));
  const detected = vouch(['sbom', project]);
  assert.equal(detected.status, 2);
  assert.match(detected.stderr, /SBOM_LOCKFILE_NOT_FOUND/);
  const cli = vouch(['sbom', '--lockfile', 'locked.json'], { cwd: project });
  assert.equal(cli.status, 0, cli.stderr);
  assert.ok(parseSbom(cli.stdout, 'stdout').components.length > 5);
  // A named lockfile wins over a detected one: the v2 lockfile named inside the v3 project.
  const named = vouch([
    'sbom',
    join(dir, 'npm-v2'),
    '--lockfile',
    join(dir, 'npm-v2/package-lock.json'),
  ]);
  assert.equal(named.status, 0, named.stderr);
  assert.deepEqual(nameVersions(named.stdout), nameVersions(cli.stdout));
  const missing = vouch(['sbom', '--lockfile', 'nope.json'], { cwd: project });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /FILE_UNREADABLE/);

  const inputs = readInputs(
    reader({
      path: 'npm',
      'sbom-lockfile': 'locked.json',
      'output-dir': 'out',
      'sbom-formats': 'cyclonedx',
    }),
    {},
  );
  assert.equal(inputs.lockfile, 'locked.json');
  const a = actionDeps(dir);
  await run(inputs, a.deps);
  assert.equal(a.outputs['cyclonedx-path'], join(dir, 'out/sbom.cdx.json'));
  assert.equal(a.outputs['component-count'], String(parseSbom(cli.stdout, 'x').components.length));
});

test('action: a document failing its schema is SBOM_SCHEMA_INVALID and nothing is written', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'vouch-sbom-schema-'));
  // A version longer than the 1,024 characters the CycloneDX schema allows.
  writeFileSync(
    join(ws, 'package-lock.json'),
    JSON.stringify({
      name: 'p',
      version: '1.0.0',
      lockfileVersion: 3,
      packages: {
        '': { name: 'p', version: '1.0.0', dependencies: { x: '*' } },
        'node_modules/x': { version: `1.0.0-${'a'.repeat(1100)}` },
      },
    }),
  );
  for (const formats of ['cyclonedx', 'cyclonedx, spdx']) {
    const a = actionDeps(ws);
    await assert.rejects(
      run(readInputs(reader({ 'output-dir': 'out', 'sbom-formats': formats }), {}), a.deps),
      (e: unknown) =>
        e instanceof VouchError &&
        e.code === 'SBOM_SCHEMA_INVALID' &&
        /CycloneDX 1\.6.*version/.test(e.message),
    );
    assert.deepEqual(a.outputs, {});
    assert.equal(existsSync(join(ws, 'out')) ? readdirSync(join(ws, 'out')).length : 0, 0);
  }
  // With validation off the same document is written (the check is what stopped it).
  const off = actionDeps(ws);
  await run(
    readInputs(reader({ 'output-dir': 'out', 'sbom-formats': 'cyclonedx', validate: 'false' }), {}),
    off.deps,
  );
  assert.ok(existsSync(join(ws, 'out/sbom.cdx.json')));
});

test('CLI --json: a JSON result on stdout (path, counts), the document inside it without --output', () => {
  const dir = app();
  const project = join(dir, 'npm');
  const out = join(dir, 'sbom.cdx.json');
  const r = vouch(['sbom', '--json', '--omit', 'dev', '-o', out], { cwd: project });
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout) as Record<string, unknown>;
  const written = parseSbom(readFileSync(out, 'utf8'), out);
  assert.equal(result['ok'], true);
  assert.equal(result['path'], out);
  assert.equal(result['format'], 'cyclonedx');
  assert.equal(result['specVersion'], '1.6');
  assert.equal(result['lockfile'], join(project, 'package-lock.json'));
  assert.equal(result['lockfileKind'], 'npm');
  assert.equal(result['components'], written.components.length);
  const scopes = result['scopes'] as Record<string, number>;
  assert.equal(scopes['dev'], 0);
  assert.equal(scopes['required']! + scopes['optional']!, written.components.length);
  assert.equal(typeof result['dependencyEdges'], 'number');

  const spdx = vouch(['sbom', '--json', '--format', 'spdx'], { cwd: project });
  assert.equal(spdx.status, 0, spdx.stderr);
  const inline = JSON.parse(spdx.stdout) as { path: null; specVersion: string; document: unknown };
  assert.equal(inline.path, null);
  assert.equal(inline.specVersion, '2.3');
  const doc = parseSbom(JSON.stringify(inline.document), 'document');
  assert.equal(doc.sourceFormat, 'spdx');
  assert.ok(doc.components.length > written.components.length);
});
