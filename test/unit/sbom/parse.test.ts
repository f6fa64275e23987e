import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readCargoLockfile } from '../../../src/core/sbom/lockfiles/cargo.ts';
import { readNpmLockfile } from '../../../src/core/sbom/lockfiles/npm.ts';
import { parseSbom, purlNamespace, purlNamespaceSlow } from '../../../src/core/sbom/parse.ts';
import { VouchError } from '../../../src/errors.ts';
import { ROOT, SHARED } from '../../helpers/cli.ts';

const PEERS = join(ROOT, 'test/fixtures/sbom/peers');

function peer(name: string): string {
  return gunzipSync(readFileSync(join(PEERS, name))).toString('utf8');
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof VouchError, String(error));
    return error.code;
  }
  assert.fail('expected a VouchError');
}

test('reads a CycloneDX 1.6 file written by cyclonedx-npm', () => {
  const sbom = parseSbom(peer('npm-medium.cyclonedx-npm.cdx.json.gz'), 'cdx-npm.json');
  assert.equal(sbom.sourceFormat, 'cyclonedx');
  assert.equal(sbom.specVersion, '1.6');
  assert.equal(sbom.root?.name, 'leaflet');
  assert.ok(sbom.components.length > 300);
  const json = sbom.components.find((c) => c.purl === 'pkg:npm/%40rollup/plugin-json@6.1.0');
  assert.ok(json);
  assert.equal(json.group, '@rollup');
  assert.equal(json.name, 'plugin-json');
  assert.equal(json.license, 'MIT');
  assert.equal(json.scope, 'dev');
  assert.ok(sbom.tools.some((t) => t.name === 'cyclonedx-npm'));
  for (const [from, to] of sbom.dependencies) {
    const refs = new Set([sbom.root?.ref, ...sbom.components.map((c) => c.ref)]);
    assert.ok(refs.has(from));
    for (const t of to) assert.ok(refs.has(t), t);
  }
});

test('reads CycloneDX 1.5 and SPDX 2.3 files written by npm sbom, with the same packages', () => {
  const cdx = parseSbom(peer('npm-medium.npm-sbom.cdx.json.gz'), 'npm-sbom.cdx.json');
  const spdx = parseSbom(peer('npm-medium.npm-sbom.spdx.json.gz'), 'npm-sbom.spdx.json');
  assert.equal(cdx.specVersion, '1.5');
  assert.equal(spdx.sourceFormat, 'spdx');
  assert.equal(spdx.specVersion, '2.3');
  assert.equal(spdx.root?.name, 'leaflet');
  const purls = (s: typeof cdx): string[] => s.components.map((c) => c.purl ?? '').sort();
  assert.deepEqual(purls(cdx), purls(spdx));
  const frame = spdx.components.find((c) => c.purl === 'pkg:npm/%40babel/code-frame@7.29.7');
  assert.ok(frame);
  assert.equal(frame.group, '@babel');
  assert.equal(frame.hashes[0]?.alg, 'SHA-512');
  assert.equal(frame.license, 'MIT');
  // leaflet's dependencies are all devDependencies: the scope follows the graph.
  assert.ok(spdx.components.every((c) => c.scope === 'dev'));
});

test('reads an in-toto statement that carries an SBOM predicate', () => {
  const predicate = JSON.parse(peer('npm-medium.npm-sbom.spdx.json.gz')) as unknown;
  const statement = JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [],
    predicateType: 'https://spdx.dev/Document/v2.3',
    predicate,
  });
  assert.equal(parseSbom(statement, 'att.json').sourceFormat, 'spdx');
});

test('bad documents are coded user errors that say what was found', () => {
  assert.equal(
    code(() => parseSbom('{"a":1', 'x.json')),
    'JSON_INVALID',
  );
  assert.equal(
    code(() => parseSbom('[1,2]', 'x.json')),
    'SBOM_UNKNOWN_FORMAT',
  );
  try {
    parseSbom('{"name":"x","version":"1"}', 'package.json');
  } catch (error) {
    assert.match((error as Error).message, /package\.json.*keys name, version/);
  }
  assert.equal(
    code(() => parseSbom('{"bomFormat":"CycloneDX","specVersion":"1.1"}', 'x')),
    'SBOM_UNSUPPORTED_VERSION',
  );
  assert.equal(
    code(() => parseSbom('{"spdxVersion":"SPDX-2.1"}', 'x')),
    'SBOM_UNSUPPORTED_VERSION',
  );
  assert.equal(
    code(() => parseSbom('{"bomFormat":"CycloneDX","specVersion":"1.6","components":{}}', 'x')),
    'SBOM_INVALID',
  );
  assert.equal(
    code(() => parseSbom('{"bomFormat":"CycloneDX","specVersion":"1.6","__proto__":{"x":1}}', 'x')),
    'UNSAFE_KEY',
  );
  assert.equal(
    code(() => parseSbom('{"bomFormat":"CycloneDX","specVersion":"1.6","constructor":1}', 'x')),
    'UNSAFE_KEY',
  );
});

test('reads what cdxgen, cyclonedx-npm (1.4 and 1.6) and npm sbom wrote for one project, as we read its lockfile', () => {
  // test/fixtures/sbom/README.md names the tool versions and commands.
  const dir = join(PEERS, 'js-app-npm');
  const ours = readNpmLockfile(
    JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as unknown,
    'package-lock.json',
    {
      value: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as unknown,
      source: 'package.json',
    },
  );
  const ourPurls = ours.components.map((c) => c.purl).sort();
  const ourHash = new Map(ours.components.map((c) => [c.purl, c.hashes[0]?.content]));
  const ourLicense = new Map(ours.components.map((c) => [c.purl, c.license]));
  const files = [
    ['js-app.cdxgen.cdx.json.gz', 'cyclonedx', '1.6', 'cdxgen'],
    ['js-app.cyclonedx-npm-1.6.cdx.json.gz', 'cyclonedx', '1.6', 'cyclonedx-npm'],
    ['js-app.cyclonedx-npm-1.4.cdx.json.gz', 'cyclonedx', '1.4', 'cyclonedx-npm'],
    ['js-app.npm-sbom.cdx.json.gz', 'cyclonedx', '1.5', 'cli'],
    ['js-app.npm-sbom.spdx.json.gz', 'spdx', '2.3', 'npm/cli'],
  ] as const;
  for (const [file, format, version, tool] of files) {
    const sbom = parseSbom(peer(file), file);
    assert.equal(sbom.sourceFormat, format, file);
    assert.equal(sbom.specVersion, version, file);
    assert.ok(
      sbom.tools.some((t) => t.name === tool),
      `${file}: ${sbom.tools.map((t) => t.name).join()}`,
    );
    assert.deepEqual(sbom.components.map((c) => c.purl).sort(), ourPurls, file);
    for (const c of sbom.components) {
      assert.equal(c.license, ourLicense.get(c.purl), `${file} ${c.purl}`);
      // Where a tool gives a hash, it is the lockfile's sha512, as ours.
      if (c.hashes.length > 0) assert.equal(c.hashes[0]!.content, ourHash.get(c.purl), file);
    }
    const refs = new Set([sbom.root?.ref, ...sbom.components.map((c) => c.ref)]);
    for (const [from, to] of sbom.dependencies) {
      assert.ok(refs.has(from), `${file}: ${from}`);
      for (const t of to) assert.ok(refs.has(t), `${file}: ${t}`);
    }
    const react = sbom.components.find((c) => c.purl === 'pkg:npm/react@18.3.1')!;
    assert.ok(sbom.dependencies.get(react.ref)?.length, `${file}: react's dependency`);
  }
  // Scope vocabularies differ: cyclonedx-npm and npm sbom mark devDependencies as dev,
  // cdxgen marks them `optional` and leaves optionalDependencies unscoped.
  const scopeOf = (file: string, name: string): string | undefined =>
    parseSbom(peer(file), file).components.find((c) => c.name === name)?.scope;
  assert.equal(scopeOf('js-app.cyclonedx-npm-1.6.cdx.json.gz', 'kleur'), 'dev');
  assert.equal(scopeOf('js-app.npm-sbom.spdx.json.gz', 'kleur'), 'dev');
  assert.equal(scopeOf('js-app.cdxgen.cdx.json.gz', 'kleur'), 'optional');
  assert.equal(scopeOf('js-app.cyclonedx-npm-1.6.cdx.json.gz', 'fsevents'), 'optional');
  // cdxgen and npm sbom carry the lockfile integrity; cyclonedx-npm --package-lock-only does not.
  const hashed = (file: string): number =>
    parseSbom(peer(file), file).components.filter((c) => c.hashes.length > 0).length;
  assert.equal(hashed('js-app.cdxgen.cdx.json.gz'), 15);
  assert.equal(hashed('js-app.npm-sbom.cdx.json.gz'), 15);
  assert.equal(hashed('js-app.cyclonedx-npm-1.6.cdx.json.gz'), 0);
});

test('purl namespaces read off simple npm and Cargo purls equal the purl library’s, on every component of real lockfiles', () => {
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
  for (const p of purls) assert.equal(purlNamespace(p), purlNamespaceSlow(p), p);
  for (const p of [
    'pkg:npm/%40Babel/Traverse@7.25.6',
    'pkg:npm/%40babel/traverse@7.25.6',
    'pkg:npm/lodash',
    'pkg:npm/%40scope/x@1.0.0?vcs_url=git%2Bhttps://x',
    'pkg:npm/%40scope/x@1.0.0#sub/path',
    'pkg:npm/%40scope%2Fodd@1.0.0',
    'pkg:npm/@scope/plain@1.0.0',
    'pkg:cargo/time@0.3.36',
    'pkg:cargo/%40odd/time@0.3.36',
    'pkg:cargo/zstd-sys@2.0.9%2Bzstd.1.5.5',
    'pkg:NPM/%40Scope/Lodash@1.0.0',
    'pkg:maven/org.apache/commons@1.0',
    'not a purl',
    'pkg:npm/',
  ])
    assert.equal(purlNamespace(p), purlNamespaceSlow(p), p);
  assert.equal(purlNamespace('pkg:npm/%40Babel/traverse@7.25.6'), '@babel');
  assert.equal(purlNamespace('pkg:cargo/time@0.3.36'), undefined);
  assert.equal(purlNamespace(undefined), undefined);
});
