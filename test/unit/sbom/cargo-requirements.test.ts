import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCargoLockfile } from '../../../src/core/sbom/lockfiles/cargo.ts';
import { VouchError } from '../../../src/errors.ts';

const LOCK = `version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["dep"]

[[package]]
name = "dep"
version = "VERSION"
source = "registry+https://github.com/rust-lang/crates.io-index"
`;

/** Whether a member requiring `dep = "req"` is accepted with `dep` locked at `locked`. */
function accepts(req: string, locked: string): boolean {
  const manifest = { package: { name: 'app', version: '0.1.0' }, dependencies: { dep: req } };
  try {
    readCargoLockfile(LOCK.replace('VERSION', locked), 'Cargo.lock', {
      root: { value: manifest, source: 'Cargo.toml' },
    });
    return true;
  } catch (error) {
    assert.ok(error instanceof VouchError, String(error));
    assert.equal(error.code, 'SBOM_LOCKFILE_OUT_OF_SYNC');
    assert.match(
      error.message,
      /^Cargo\.toml declares dep = ".*" in \[dependencies\], but Cargo\.lock locks dep /,
    );
    return false;
  }
}

test('Cargo requirements: caret by default, tilde, =, wildcards, comma lists, pre-releases', () => {
  const cases: [string, string, boolean][] = [
    // A bare version is a caret requirement; caret stops at the first non-zero part.
    ['1.2', '1.9.0', true],
    ['1.2', '1.1.9', false],
    ['1.2', '2.0.0', false],
    ['0.2.3', '0.2.9', true],
    ['0.2.3', '0.3.0', false],
    ['0.0.3', '0.0.3', true],
    ['0.0.3', '0.0.4', false],
    ['0', '0.9.1', true],
    ['^1.2.3', '1.2.2', false],
    // Tilde: patch-level changes (or minor when only the major is given).
    ['~1.2', '1.2.7', true],
    ['~1.2', '1.3.0', false],
    ['~1', '1.7.0', true],
    // `=` with a partial version is a wildcard on the missing parts.
    ['=1.2', '1.2.5', true],
    ['=1.2.3', '1.2.4', false],
    // Wildcards, comparison operators and comma-separated lists (all must hold).
    ['1.*', '1.5.0', true],
    ['1.2.*', '1.3.0', false],
    ['*', '7.0.0', true],
    ['>=1.2, <1.5', '1.4.9', true],
    ['>=1.2, <1.5', '1.5.0', false],
    ['> 1.2', '1.2.9', false],
    // Pre-releases and build metadata as Cargo writes them.
    ['0.10.0-pre.1', '0.10.1', true],
    ['0.5.0-pre.2', '0.5.2', true],
    ['0.11', '0.11.0+wasi-snapshot-preview1', true],
  ];
  for (const [req, locked, want] of cases)
    assert.equal(accepts(req, locked), want, `"${req}" with ${locked} locked`);
});

test('Cargo requirements vouch cannot parse are not held against the lockfile', () => {
  assert.equal(accepts('not a requirement', '1.0.0'), true);
  assert.equal(accepts('1.0,', '1.0.0'), true);
});
