import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSbom } from '../../../src/adapters/sbom/generate.ts';
import type { Logger } from '../../../src/core/logger.ts';
import { parseSbom } from '../../../src/core/sbom/parse.ts';
import { VouchError } from '../../../src/errors.ts';
import { SHARED, vouch } from '../../helpers/cli.ts';

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

function temp(): string {
  return mkdtempSync(join(tmpdir(), 'vouch-sbom-'));
}

function project(from: string): string {
  const dir = temp();
  cpSync(join(SHARED, 'bench', from), dir, { recursive: true });
  return dir;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof VouchError, String(error));
    return error.code;
  }
  assert.fail('expected a VouchError');
}

const gen = (workspace: string, extra: Record<string, unknown> = {}) =>
  generateSbom({ dir: '.', workspace, formats: ['cyclonedx'], ...extra }, { logger });

test('CLI: CycloneDX on stdout, SPDX to --output, byte-identical with SOURCE_DATE_EPOCH', () => {
  const dir = project('npm-medium');
  const env = { SOURCE_DATE_EPOCH: '1700000000' };
  const a = vouch(['sbom', dir], { env });
  const b = vouch(['sbom', dir], { env });
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  const sbom = parseSbom(a.stdout, 'stdout');
  assert.equal(sbom.specVersion, '1.6');
  assert.equal(sbom.timestamp, '2023-11-14T22:13:20Z');
  const out = join(dir, 'sbom.spdx.json');
  const c = vouch(['sbom', '--format', 'spdx', '--reproducible', '--validate', '--output', out], {
    cwd: dir,
  });
  assert.equal(c.status, 0, c.stderr);
  const first = readFileSync(out, 'utf8');
  assert.equal(
    vouch(['sbom', '--format', 'spdx', '--reproducible', '-o', out], { cwd: dir }).status,
    0,
  );
  assert.equal(readFileSync(out, 'utf8'), first);
  assert.equal(parseSbom(first, out).sourceFormat, 'spdx');
  const v15 = vouch(['sbom', dir, '--spec-version', '1.5', '--omit', 'dev']);
  assert.equal(parseSbom(v15.stdout, 'stdout').specVersion, '1.5');
  assert.equal(parseSbom(v15.stdout, 'stdout').components.length, 0);
});

test('CLI: a Cargo workspace, and usage errors exit 2 with the code', () => {
  const r = vouch(['sbom', join(SHARED, 'bench/cargo-boringtun-v4'), '--validate']);
  assert.equal(r.status, 0, r.stderr);
  const sbom = parseSbom(r.stdout, 'stdout');
  assert.ok(sbom.components.every((c) => c.ecosystem === 'cargo'));
  const bad = vouch(['sbom', '--format', 'xml'], { cwd: temp() });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /USAGE_INVALID_VALUE/);
  const none = vouch(['sbom'], { cwd: temp() });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /SBOM_LOCKFILE_NOT_FOUND/);
  assert.match(none.stderr, /Cargo\.lock/);
});

test('bad lockfiles: corrupted JSON with position, unsafe keys, too large, out of sync, version', async () => {
  const dir = temp();
  writeFileSync(
    join(dir, 'package-lock.json'),
    '{"lockfileVersion": 3, "packages": {\n  "": {,}\n}}',
  );
  await assert.rejects(
    gen(dir),
    (e: unknown) =>
      e instanceof VouchError &&
      e.code === 'JSON_INVALID' &&
      /package-lock\.json.*line 2/.test(e.message),
  );
  writeFileSync(
    join(dir, 'package-lock.json'),
    '{"lockfileVersion": 3, "packages": {"node_modules/x": {"__proto__": {"polluted": 1}}}}',
  );
  assert.equal(await codeOf(gen(dir)), 'UNSAFE_KEY');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({ lockfileVersion: 3, packages: {} }),
  );
  assert.equal(await codeOf(gen(dir, { maxBytes: 10 })), 'FILE_TOO_LARGE');
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({ lockfileVersion: 7, packages: {} }),
  );
  assert.equal(await codeOf(gen(dir)), 'SBOM_LOCKFILE_UNSUPPORTED');
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({ lockfileVersion: 3, packages: { '': { dependencies: { a: '1' } } } }),
  );
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ dependencies: { a: '2' } }));
  assert.equal(await codeOf(gen(dir)), 'SBOM_LOCKFILE_OUT_OF_SYNC');
  const cargo = temp();
  writeFileSync(join(cargo, 'Cargo.lock'), 'version = 3\n[[package]\n');
  await assert.rejects(
    gen(cargo),
    (e: unknown) =>
      e instanceof VouchError && e.code === 'SBOM_TOML_INVALID' && /Cargo\.lock:2:/.test(e.message),
  );
  // Through the CLI: nothing is written when the input is bad.
  const out = join(dir, 'sbom.json');
  const r = vouch(['sbom', '-o', out], { cwd: dir });
  assert.equal(r.status, 2);
  assert.equal(existsSync(out), false);
});

test('release files: sha256 + sha512, globs confined to the workspace', async () => {
  const ws = project('npm-medium');
  mkdirSync(join(ws, 'dist'));
  writeFileSync(join(ws, 'dist/a.tgz'), 'abc');
  const r = await gen(ws, { files: ['dist/*.tgz'] });
  const file = r.sbom.components.find((c) => c.type === 'file');
  assert.deepEqual(file?.hashes, [
    { alg: 'SHA-256', content: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
    {
      alg: 'SHA-512',
      content:
        'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    },
  ]);
  assert.equal(await codeOf(gen(ws, { files: ['../*.tgz'] })), 'PATH_OUTSIDE_WORKSPACE');
  assert.equal(await codeOf(gen(ws, { files: ['/etc/passwd'] })), 'PATH_OUTSIDE_WORKSPACE');
  assert.equal(await codeOf(gen(ws, { files: ['dist/*.zip'] })), 'SBOM_NO_FILES_MATCHED');
  const outside = temp();
  writeFileSync(join(outside, 'secret.tgz'), 'x');
  symlinkSync(join(outside, 'secret.tgz'), join(ws, 'dist/link.tgz'));
  assert.equal(await codeOf(gen(ws, { files: ['dist/*.tgz'] })), 'PATH_OUTSIDE_WORKSPACE');
});

test('licenses come from node_modules when the lockfile has none', async () => {
  const ws = temp();
  writeFileSync(
    join(ws, 'package-lock.json'),
    JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': { name: 'p', dependencies: { x: '1' } },
        'node_modules/x': { version: '1.0.0' },
      },
    }),
  );
  mkdirSync(join(ws, 'node_modules/x'), { recursive: true });
  writeFileSync(
    join(ws, 'node_modules/x/package.json'),
    JSON.stringify({ name: 'x', license: 'ISC' }),
  );
  const r = await gen(ws);
  assert.equal(r.sbom.components[0]?.license, 'ISC');
});
