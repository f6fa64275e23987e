import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  cpSync,
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
import { parseTomlSafe } from '../../../src/core/sbom/lockfiles/cargo.ts';
import { parseSbom } from '../../../src/core/sbom/parse.ts';
import { SHARED, vouch } from '../../helpers/cli.ts';

const BENCH = join(SHARED, 'bench');
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

function copy(name: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'vouch-cargo-')), name);
  cpSync(join(BENCH, name), dir, { recursive: true });
  const writable = (p: string): void => {
    chmodSync(p, statSync(p).isDirectory() ? 0o755 : 0o644);
    if (statSync(p).isDirectory()) for (const e of readdirSync(p)) writable(join(p, e));
  };
  writable(dir);
  return dir;
}

interface Crate {
  name: string;
  version: string;
  source?: string;
  checksum?: string;
}

const lockPackages = (dir: string): Crate[] =>
  (
    parseTomlSafe(readFileSync(join(dir, 'Cargo.lock'), 'utf8'), 'Cargo.lock') as {
      package: Crate[];
    }
  ).package;

test('cargo-boringtun-v4 (a workspace): member licenses from their Cargo.toml, dev-only crates dropped with --omit dev', async () => {
  const dir = join(BENCH, 'cargo-boringtun-v4');
  const all = await generateSbom(
    { dir, workspace: dir, formats: ['cyclonedx', 'spdx'], validate: true },
    { logger },
  );
  const by = new Map(all.sbom.components.map((c) => [c.name, c]));
  assert.equal(by.get('boringtun')?.license, 'BSD-3-Clause');
  assert.equal(by.get('boringtun-cli')?.license, 'BSD-3-Clause');
  const crates = lockPackages(dir);
  const dev = all.sbom.components.filter((c) => c.scope === 'dev');
  assert.ok(dev.some((c) => c.name === 'criterion') && dev.some((c) => c.name === 'etherparse'));

  const r = vouch(['sbom', dir, '--omit', 'dev', '--validate']);
  assert.equal(r.status, 0, r.stderr);
  const omitted = parseSbom(r.stdout, 'stdout');
  assert.equal(omitted.components.length, crates.length - dev.length);
  const names = new Set(omitted.components.map((c) => c.name));
  for (const gone of ['criterion', 'etherparse', 'plotters', 'ciborium'])
    assert.ok(!names.has(gone), gone);
  for (const kept of ['ring', 'tracing-subscriber', 'boringtun', 'boringtun-cli', 'clap'])
    assert.ok(names.has(kept), kept);
  // No purl of a path crate is a crates.io purl; every crates.io crate kept still has its sha256.
  const purls = new Set(omitted.components.map((c) => c.purl));
  assert.ok(!purls.has('pkg:cargo/boringtun@0.7.1'));
  assert.ok(purls.has('pkg:cargo/boringtun@0.7.1?download_url=file%3A%2F%2Fboringtun'));
  for (const c of omitted.components)
    if (c.properties?.['cargo:source'] !== 'path')
      assert.equal(c.hashes[0]?.alg, 'SHA-256', c.name);
  // SPDX from the same model: the member licenses are declared.
  const spdx = JSON.parse(all.documents.spdx!) as {
    packages: { name: string; licenseDeclared: string }[];
  };
  assert.equal(spdx.packages.find((p) => p.name === 'boringtun')?.licenseDeclared, 'BSD-3-Clause');
});

test('cargo-boringtun (v3): the only dev-dependency is also a normal one elsewhere, so nothing is dropped', async () => {
  const dir = join(BENCH, 'cargo-boringtun');
  const r = await generateSbom(
    { dir, workspace: dir, formats: ['cyclonedx'], omit: ['dev'] },
    { logger },
  );
  assert.equal(r.sbom.components.length, lockPackages(dir).length);
  assert.ok(r.sbom.components.find((c) => c.name === 'boringtun')?.license);
});

test('cargo-meilisearch: members named by the root whose Cargo.toml is missing are located by directory', async () => {
  const dir = join(BENCH, 'cargo-meilisearch-v1.4.0');
  const r = await generateSbom(
    { dir, workspace: dir, formats: ['cyclonedx'], validate: true },
    { logger },
  );
  const milli = r.sbom.components.find((c) => c.name === 'milli');
  assert.equal(milli?.purl, 'pkg:cargo/milli@1.4.0?download_url=file%3A%2F%2Fmilli');
  assert.ok(
    r.sbom.components.every((c) => c.scope === 'required'),
    'no manifest, no dev',
  );
  const purls = r.sbom.components.map((c) => c.purl).filter(Boolean);
  assert.equal(new Set(purls).size, purls.length, 'purls are unique');
});

test('members globs and exclude; a member missing from Cargo.lock is out of sync', async () => {
  const dir = copy('cargo-boringtun-v4');
  writeFileSync(
    join(dir, 'Cargo.toml'),
    '[workspace]\nmembers = ["boring*"]\nexclude = ["boringtun-cli"]\n',
  );
  const r = await generateSbom({ dir, workspace: dir, formats: ['cyclonedx'] }, { logger });
  const by = new Map(r.sbom.components.map((c) => [c.name, c]));
  assert.equal(by.get('boringtun')?.license, 'BSD-3-Clause');
  // Excluded: its manifest is not read (no license, no location).
  assert.equal(by.get('boringtun-cli')?.license, undefined);
  assert.equal(by.get('boringtun-cli')?.purl, undefined);
  writeFileSync(join(dir, 'Cargo.toml'), '[workspace]\nmembers = ["boringtun", "extra"]\n');
  cpSync(join(dir, 'boringtun'), join(dir, 'extra'), { recursive: true });
  writeFileSync(
    join(dir, 'extra/Cargo.toml'),
    '[package]\nname = "extra"\nversion = "0.1.0"\nlicense = "MIT"\n',
  );
  await assert.rejects(
    generateSbom({ dir, workspace: dir, formats: ['cyclonedx'] }, { logger }),
    (e: unknown) =>
      (e as { code?: string }).code === 'SBOM_LOCKFILE_OUT_OF_SYNC' &&
      /"extra"/.test((e as Error).message),
  );
});
