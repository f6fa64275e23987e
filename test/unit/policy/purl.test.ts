import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { purlKey, purlKeySlow } from '../../../src/core/policy/purl.ts';
import { readCargoLockfile } from '../../../src/core/sbom/lockfiles/cargo.ts';
import { readNpmLockfile } from '../../../src/core/sbom/lockfiles/npm.ts';
import { SHARED } from '../../helpers/cli.ts';

test('purl keys read off simple npm and Cargo purls equal the purl library’s, on every component of real lockfiles', () => {
  const npm = readNpmLockfile(
    JSON.parse(readFileSync(join(SHARED, 'bench', 'npm-large', 'package-lock.json'), 'utf8')),
    'package-lock.json',
  );
  const cargo = readCargoLockfile(
    readFileSync(join(SHARED, 'bench', 'cargo-meilisearch-v1.4.0', 'Cargo.lock'), 'utf8'),
    'Cargo.lock',
  );
  const purls = [...npm.components, ...cargo.components].flatMap((c) => (c.purl ? [c.purl] : []));
  assert.ok(purls.length > 1000);
  assert.ok(
    purls.some((p) => p.startsWith('pkg:npm/%40')),
    'scoped npm packages are among them',
  );
  for (const p of purls) assert.equal(purlKey(p), purlKeySlow(p), p);
});

test('purl keys: odd spellings go through the purl library', () => {
  for (const p of [
    'pkg:npm/%40Babel/Traverse@7.25.6',
    'pkg:npm/lodash',
    'pkg:npm/lodash@4.17.21?vcs_url=git%2Bhttps://x',
    'pkg:npm/lodash@4.17.21#sub/path',
    'pkg:npm/%40scope%2Fodd@1.0.0',
    'pkg:cargo/time@0.3.36',
    'pkg:cargo/zstd-sys@2.0.9%2Bzstd.1.5.5',
    'pkg:cargo/zstd-sys@2.0.9+zstd.1.5.5',
    'pkg:NPM/Lodash@1.0.0',
    'pkg:pypi/Django_Rest@1.0',
    'pkg:maven/org.apache/commons@1.0',
    'not a purl',
    'pkg:npm/',
  ])
    assert.equal(purlKey(p), purlKeySlow(p), p);
  assert.equal(purlKey('pkg:npm/%40babel/traverse@7.25.6'), 'npm/@babel/traverse');
  assert.equal(purlKey('pkg:cargo/Time@0.3.36'), 'cargo/time');
  assert.equal(purlKey(undefined), undefined);
});
