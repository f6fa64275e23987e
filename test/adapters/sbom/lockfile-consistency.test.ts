import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSbom } from '../../../src/adapters/sbom/generate.ts';
import type { Logger } from '../../../src/core/logger.ts';
import { ROOT, SHARED, vouch } from '../../helpers/cli.ts';

const BENCH = join(SHARED, 'bench');
const JS_APP = join(ROOT, 'test/fixtures/sbom/js-app');
const GOOD_SHA512 =
  'sha512-MkngSCRZ8JdSOCHRaYd+D01XhvU3Hjy6MGl06zhOk614hp9EOAp5gIkBeQg7wtmxpitU6eAL4kdiRMcJa2dlrw==';
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

/** A writable copy of `from` in a fresh temporary directory, under the name `name`. */
function copy(from: string, name: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'vouch-lockcheck-')), name);
  cpSync(from, dir, { recursive: true });
  const writable = (p: string): void => {
    chmodSync(p, statSync(p).isDirectory() ? 0o755 : 0o644);
    if (statSync(p).isDirectory()) for (const e of readdirSync(p)) writable(join(p, e));
  };
  writable(dir);
  return dir;
}

function edit(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  assert.notEqual(next, text, `${file}: nothing replaced`);
  writeFileSync(file, next);
}

/** Runs `vouch sbom DIR --validate -o FILE`; the result, and whether FILE was written. */
function sbom(dir: string): { status: number | null; stderr: string; written: boolean } {
  const out = join(dir, '..', 'sbom.cdx.json');
  const r = vouch(['sbom', dir, '--validate', '-o', out]);
  return { status: r.status, stderr: r.stderr, written: existsSync(out) };
}

test('every real Cargo workspace still passes the manifest check (and validates)', async () => {
  const dirs = [
    ...readdirSync(BENCH)
      .filter((d) => d.startsWith('cargo-'))
      .map((d) => join(BENCH, d)),
    join(ROOT, 'examples/rust-tunnel'),
  ];
  assert.ok(dirs.length >= 4);
  for (const dir of dirs) {
    const r = await generateSbom(
      { dir, workspace: dir, formats: ['cyclonedx', 'spdx'], validate: true },
      { logger },
    );
    assert.ok(r.sbom.components.length > 50, dir);
  }
});

test('Cargo: a dependency added to a member Cargo.toml but not locked is out of sync', () => {
  const dir = copy(join(BENCH, 'cargo-boringtun-v4'), 'ws');
  edit(
    join(dir, 'boringtun/Cargo.toml'),
    /^\[dependencies\]$/m,
    '[dependencies]\nzzz-not-there = "1.0"',
  );
  const r = sbom(dir);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /SBOM_LOCKFILE_OUT_OF_SYNC/);
  assert.match(
    r.stderr,
    /boringtun\/Cargo\.toml declares zzz-not-there = "1\.0" in \[dependencies\]/,
  );
  assert.match(r.stderr, /Cargo\.lock does not list "zzz-not-there"/);
  assert.equal(r.written, false, 'nothing written');
});

test('Cargo: a requirement the locked version does not meet is out of sync', () => {
  const dir = copy(join(BENCH, 'cargo-boringtun-v4'), 'ws');
  const manifest = join(dir, 'boringtun/Cargo.toml');
  edit(manifest, /^base64 = "0\.22"$/m, 'base64 = "99.0"');
  const r = sbom(dir);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /SBOM_LOCKFILE_OUT_OF_SYNC/);
  assert.match(r.stderr, /declares base64 = "99\.0" in \[dependencies\].*locks base64 0\.22\.1/);
  assert.equal(r.written, false);
  // Still caret: 0.22 does not admit 0.23, and a `=` pin must be the locked version.
  edit(manifest, /^base64 = "99\.0"$/m, 'base64 = "0.23"');
  assert.match(sbom(dir).stderr, /base64 = "0\.23"/);
  edit(manifest, /^base64 = "0\.23"$/m, 'base64 = "=0.22.0"');
  assert.match(sbom(dir).stderr, /base64 = "=0\.22\.0"/);
  // Requirements the lock meets pass: ranges, tilde, wildcard, comma lists.
  for (const ok of ['=0.22.1', '~0.22', '0.*', '>=0.21, <0.23', '>= 0.22.1', '*']) {
    edit(manifest, /^base64 = ".*"$/m, `base64 = "${ok}"`);
    const pass = sbom(dir);
    assert.equal(pass.status, 0, `${ok}: ${pass.stderr}`);
  }
});

test('Cargo: renames, workspace inheritance, target and dev tables are checked too', () => {
  const dir = copy(join(BENCH, 'cargo-boringtun-v4'), 'ws');
  const manifest = join(dir, 'boringtun/Cargo.toml');
  const original = readFileSync(manifest, 'utf8');
  const root = join(dir, 'Cargo.toml');
  const rootOriginal = readFileSync(root, 'utf8');
  const cases: [string, RegExp | string, string, RegExp | undefined][] = [
    // Renamed: the real crate name is looked up.
    [manifest, /^base64 = "0\.22"$/m, 'b64 = { package = "base64", version = "0.22" }', undefined],
    [
      manifest,
      /^base64 = "0\.22"$/m,
      'b64 = { package = "base64", version = "0.21" }',
      /b64 = "0\.21".*\(package "base64"\)/,
    ],
    [
      manifest,
      /^base64 = "0\.22"$/m,
      'base64 = { package = "base64-nope", version = "0.22" }',
      /does not list "base64-nope"/,
    ],
    // [target.*] and [dev-dependencies].
    [
      manifest,
      /^nix = \{ version = "0\.31"/m,
      'nix = { version = "0.20"',
      /nix = "0\.20" in \[target\."cfg\(unix\)"\.dependencies\]/,
    ],
    [
      manifest,
      /^criterion = \{ version = "0\.8\.2"/m,
      'criterion = { version = "0.5"',
      /criterion = "0\.5" in \[dev-dependencies\]/,
    ],
  ];
  for (const [file, from, to, error] of cases) {
    writeFileSync(manifest, original);
    edit(file, from, to);
    const r = sbom(dir);
    if (error) {
      assert.equal(r.status, 2, `${to}: ${r.stderr}`);
      assert.match(r.stderr, /SBOM_LOCKFILE_OUT_OF_SYNC/);
      assert.match(r.stderr, error);
    } else assert.equal(r.status, 0, `${to}: ${r.stderr}`);
  }
  // `workspace = true` takes the requirement from the root's [workspace.dependencies].
  writeFileSync(manifest, original);
  edit(manifest, /^hex = "0\.4"$/m, 'hex = { workspace = true }');
  writeFileSync(root, `${rootOriginal}\n[workspace.dependencies]\nhex = "0.4"\n`);
  assert.equal(sbom(dir).status, 0);
  writeFileSync(root, `${rootOriginal}\n[workspace.dependencies]\nhex = { version = "0.3" }\n`);
  const r = sbom(dir);
  assert.equal(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    /boringtun\/Cargo\.toml declares hex = "0\.3" in \[dependencies\].*locks hex 0\.4/,
  );
  // A path dependency is checked by name only.
  writeFileSync(root, rootOriginal);
  writeFileSync(manifest, original);
  const cli = join(dir, 'boringtun-cli/Cargo.toml');
  edit(
    cli,
    /^path = "\.\.\/boringtun"\nversion = "0\.7\.1"$/m,
    'path = "../boringtun"\nversion = "9"',
  );
  assert.equal(sbom(dir).status, 0);
  edit(cli, /^\[dependencies\.boringtun\]$/m, '[dependencies.boringtun-gone]');
  assert.match(
    sbom(dir).stderr,
    /declares boringtun-gone in \[dependencies\].*does not list "boringtun-gone"/,
  );
});

test('npm: a malformed integrity is a user error naming the entry and the lockfile', () => {
  const dir = copy(JS_APP, 'js-app');
  const lock = join(dir, 'npm/package-lock.json');
  edit(lock, GOOD_SHA512, 'sha512-AAAA');
  const r = sbom(join(dir, 'npm'));
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /SBOM_LOCKFILE_INVALID/);
  assert.ok(r.stderr.includes(`${lock}: packages["node_modules/@sindresorhus/slugify"]`), r.stderr);
  assert.match(r.stderr, /"sha512-AAAA".*SHA-512 digest is 64 bytes, this one decodes to 3/);
  assert.equal(r.written, false);
  // Not base64 at all.
  edit(lock, 'sha512-AAAA', 'sha512-!!!!');
  assert.match(sbom(join(dir, 'npm')).stderr, /SBOM_LOCKFILE_INVALID.*not base64/);
  // A SHA-1 of SHA-512 length is wrong too; an unknown algorithm is skipped, as SRI says.
  edit(lock, 'sha512-!!!!', GOOD_SHA512.replace('sha512', 'sha1'));
  assert.match(sbom(join(dir, 'npm')).stderr, /SHA-1 digest is 20 bytes, this one decodes to 64/);
  edit(lock, GOOD_SHA512.replace('sha512', 'sha1'), 'md5-AAAA');
  assert.equal(sbom(join(dir, 'npm')).status, 0);
});

test('pnpm and yarn: a malformed integrity is the same user error', () => {
  const dir = copy(JS_APP, 'js-app');
  for (const [sub, file, entry] of [
    ['pnpm-v9', 'pnpm-lock.yaml', 'package "@sindresorhus/slugify@2.2.1"'],
    ['yarn-classic', 'yarn.lock', 'entry "@sindresorhus/slugify@2.2.1"'],
  ] as const) {
    edit(join(dir, sub, file), GOOD_SHA512, 'sha512-AAAA');
    const r = sbom(join(dir, sub));
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /SBOM_LOCKFILE_INVALID/);
    assert.ok(r.stderr.includes(join(dir, sub, file)), r.stderr);
    assert.ok(r.stderr.includes(entry), r.stderr);
  }
});

test('npm: an entry whose version is not a string is a user error naming the entry', () => {
  const dir = copy(JS_APP, 'js-app');
  const lock = join(dir, 'npm/package-lock.json');
  const json = JSON.parse(readFileSync(lock, 'utf8')) as {
    packages: Record<string, { version?: unknown }>;
  };
  json.packages['node_modules/ms']!.version = 1;
  writeFileSync(lock, JSON.stringify(json));
  const r = sbom(join(dir, 'npm'));
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /SBOM_LOCKFILE_INVALID/);
  assert.match(r.stderr, /packages\["node_modules\/ms"\] has a "version" that is not a string/);
  assert.equal(r.written, false);
});
