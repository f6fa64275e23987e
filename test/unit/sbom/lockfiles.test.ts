import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSbom } from '../../../src/core/sbom/build.ts';
import { writeCycloneDx } from '../../../src/core/sbom/cyclonedx.ts';
import { readCargoLockfile, parseTomlSafe } from '../../../src/core/sbom/lockfiles/cargo.ts';
import { readNpmLockfile } from '../../../src/core/sbom/lockfiles/npm.ts';
import { VouchError } from '../../../src/errors.ts';
import { SHARED } from '../../helpers/cli.ts';

const BENCH = join(SHARED, 'bench');

function npm(dir: string) {
  const lock = JSON.parse(readFileSync(join(BENCH, dir, 'package-lock.json'), 'utf8')) as unknown;
  const manifest = JSON.parse(readFileSync(join(BENCH, dir, 'package.json'), 'utf8')) as unknown;
  return readNpmLockfile(lock, 'package-lock.json', { value: manifest, source: 'package.json' });
}

function cargo(dir: string) {
  const text = readFileSync(join(BENCH, dir, 'Cargo.lock'), 'utf8');
  const manifest = parseTomlSafe(
    readFileSync(join(BENCH, dir, 'Cargo.toml'), 'utf8'),
    'Cargo.toml',
  );
  return readCargoLockfile(text, 'Cargo.lock', {
    root: { value: manifest, source: 'Cargo.toml' },
    directoryName: dir,
  });
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

test('npm-large: every entry but links, workspaces, the git dependency and nested duplicates', () => {
  const r = npm('npm-large');
  assert.equal(r.kind, 'npm');
  assert.equal(r.lockfileVersion, '3');
  assert.equal(r.root.name, 'insomnia');
  // 1,830 entries minus the root and 5 links.
  assert.equal(r.components.length, 1824);
  const git = r.components.find((c) => c.name === 'grpc-reflection-js');
  assert.ok(git?.purl?.includes('?vcs_url=git%2Bssh%3A%2F%2Fgit%40github.com'), git?.purl);
  const ws = r.components.find((c) => c.name === 'insomnia-sdk');
  assert.equal(ws?.properties?.['vouch:npm:workspace'], 'true');
  assert.ok(r.dependencies.get(r.root.ref)?.includes(ws!.ref), 'root depends on its workspaces');
  // Nested duplicates: semver 6.3.1 sits at several paths, each its own component.
  const semver6 = r.components.filter((c) => c.purl === 'pkg:npm/semver@6.3.1');
  assert.ok(semver6.length > 1);
  assert.equal(new Set(semver6.map((c) => c.ref)).size, semver6.length);
  // Workspace-local dependencies resolve to the nested copy.
  const sdk = r.dependencies.get(ws!.ref) ?? [];
  assert.ok(sdk.some((ref) => ref.startsWith('deep-equal@2.2.3')));
  const scoped = r.components.find((c) => c.purl === 'pkg:npm/%40babel/core@7.25.2');
  assert.equal(scoped?.group, '@babel');
  assert.equal(scoped?.hashes[0]?.alg, 'SHA-512');
  assert.equal(scoped?.scope, 'dev');
});

test('npm: aliases, bundled, links outside, v1 lockfiles and git deps in v1', () => {
  const lock = {
    name: 'app',
    lockfileVersion: 3,
    packages: {
      '': {
        name: 'app',
        version: '1.0.0',
        dependencies: { 'old-x': 'npm:x@^2.0.0', local: 'file:../local' },
      },
      'node_modules/old-x': {
        name: 'x',
        version: '2.1.0',
        resolved: 'https://registry.npmjs.org/x/-/x-2.1.0.tgz',
        integrity: 'sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
        dependencies: { y: '^1' },
      },
      'node_modules/old-x/node_modules/y': { version: '1.0.0', inBundle: true, optional: true },
      'node_modules/local': { resolved: '../local', link: true },
      '../local': { name: 'local', version: '0.0.1', license: 'MIT OR Apache-2.0' },
    },
  };
  const r = readNpmLockfile(lock, 'package-lock.json');
  const x = r.components.find((c) => c.name === 'x')!;
  assert.equal(x.purl, 'pkg:npm/x@2.1.0');
  assert.equal(x.properties?.['vouch:npm:alias'], 'old-x');
  assert.deepEqual(x.hashes, [{ alg: 'SHA-1', content: '0'.repeat(40) }]);
  const y = r.components.find((c) => c.name === 'y')!;
  assert.equal(y.properties?.['cdx:npm:package:bundled'], 'true');
  assert.equal(y.scope, 'optional');
  assert.deepEqual(r.dependencies.get(x.ref), [y.ref]);
  const local = r.components.find((c) => c.name === 'local')!;
  assert.equal(local.license, 'MIT OR Apache-2.0');
  assert.deepEqual(r.dependencies.get(r.root.ref), [local.ref, x.ref].sort());

  const v1 = readNpmLockfile(
    {
      name: 'old',
      version: '1.0.0',
      lockfileVersion: 1,
      dependencies: {
        a: {
          version: '1.0.0',
          integrity: 'sha512-' + Buffer.alloc(64).toString('base64'),
          requires: { b: '^2' },
        },
        b: { version: '2.0.0', dev: true, dependencies: { c: { version: 'npm:real-c@3.0.0' } } },
        g: { version: 'git+https://github.com/o/g.git#abc' },
      },
    },
    'package-lock.json',
  );
  assert.deepEqual(
    v1.components.map((c) => c.purl).sort(),
    [
      'pkg:npm/a@1.0.0',
      'pkg:npm/b@2.0.0',
      'pkg:npm/g?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Fo%2Fg.git%23abc',
      'pkg:npm/real-c@3.0.0',
    ].sort(),
  );
  assert.equal(v1.components.find((c) => c.name === 'b')?.scope, 'dev');
});

test('npm bad input: version, out of sync, wrong shapes', () => {
  assert.equal(
    code(() => readNpmLockfile({ lockfileVersion: 4, packages: {} }, 'l')),
    'SBOM_LOCKFILE_UNSUPPORTED',
  );
  assert.equal(
    code(() => readNpmLockfile([], 'l')),
    'SBOM_LOCKFILE_INVALID',
  );
  assert.equal(
    code(() => readNpmLockfile({ lockfileVersion: 3, packages: [] }, 'l')),
    'SBOM_LOCKFILE_INVALID',
  );
  const lock = { lockfileVersion: 3, packages: { '': { dependencies: { a: '^1.0.0' } } } };
  const manifest = { value: { dependencies: { a: '^2.0.0' } }, source: 'package.json' };
  assert.equal(
    code(() => readNpmLockfile(lock, 'l', manifest)),
    'SBOM_LOCKFILE_OUT_OF_SYNC',
  );
  const added = { value: { dependencies: { a: '^1.0.0', b: '1' } }, source: 'package.json' };
  assert.equal(
    code(() => readNpmLockfile(lock, 'l', added)),
    'SBOM_LOCKFILE_OUT_OF_SYNC',
  );
});

test('omit dev / optional drops those components and their edges', () => {
  const r = npm('npm-large');
  const all = buildSbom(r);
  const prod = buildSbom(r, { omit: ['dev'] });
  const lean = buildSbom(r, { omit: ['dev', 'optional'] });
  assert.ok(prod.components.length < all.components.length);
  assert.ok(prod.components.every((c) => c.scope !== 'dev'));
  assert.ok(lean.components.every((c) => c.scope === 'required'));
  const refs = new Set([prod.root!.ref, ...prod.components.map((c) => c.ref)]);
  for (const [from, to] of prod.dependencies) {
    assert.ok(refs.has(from));
    for (const t of to) assert.ok(refs.has(t));
  }
});

test('Cargo: every crates.io package of the real lockfiles with its sha256 checksum', () => {
  for (const dir of ['cargo-boringtun', 'cargo-boringtun-v4', 'cargo-meilisearch-v1.4.0']) {
    const text = readFileSync(join(BENCH, dir, 'Cargo.lock'), 'utf8');
    const lock = parseTomlSafe(text, dir) as {
      package: { name: string; version: string; source?: string; checksum?: string }[];
    };
    const r = cargo(dir);
    const byPurl = new Map(r.components.map((c) => [c.purl, c]));
    let crates = 0;
    for (const p of lock.package) {
      if (p.source !== 'registry+https://github.com/rust-lang/crates.io-index') continue;
      crates++;
      const c = byPurl.get(`pkg:cargo/${p.name}@${p.version}`);
      assert.ok(c, `${dir}: ${p.name} ${p.version}`);
      assert.deepEqual(c.hashes, [{ alg: 'SHA-256', content: p.checksum }]);
      assert.equal(
        c.externalReferences[0]?.url,
        `https://crates.io/api/v1/crates/${p.name}/${p.version}/download`,
      );
    }
    assert.ok(crates > 90, `${dir} has crates.io packages`);
  }
});

test('Cargo: workspace members, git sources with vcs_url, v4', () => {
  const meili = cargo('cargo-meilisearch-v1.4.0');
  assert.equal(meili.root.name, 'cargo-meilisearch-v1.4.0');
  assert.equal(meili.root.version, '1.4.0');
  const members = meili.dependencies.get(meili.root.ref) ?? [];
  assert.ok(members.includes('meilisearch@1.4.0'));
  const heed = meili.components.find((c) => c.name === 'heed');
  assert.equal(
    heed?.purl,
    'pkg:cargo/heed@0.12.7?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Fmeilisearch%2Fheed%40061a5276b1f336f5f3302bee291e336041d88632',
  );
  assert.equal(heed?.hashes.length, 0);
  assert.equal(cargo('cargo-boringtun-v4').lockfileVersion, '4');
});

test('Cargo bad input: TOML errors with position, versions, unsafe keys, out of sync', () => {
  try {
    readCargoLockfile('version = 3\n[[package]]\nname = "a\n', 'Cargo.lock');
    assert.fail('should throw');
  } catch (error) {
    assert.equal((error as VouchError).code, 'SBOM_TOML_INVALID');
    assert.match((error as Error).message, /Cargo\.lock:3:\d+/);
  }
  assert.equal(
    code(() => readCargoLockfile('version = 9\n', 'Cargo.lock')),
    'SBOM_LOCKFILE_UNSUPPORTED',
  );
  assert.equal(
    code(() => readCargoLockfile('[metadata]\nx = "1"\n', 'Cargo.lock')),
    'SBOM_LOCKFILE_UNSUPPORTED',
  );
  assert.equal(
    code(() => readCargoLockfile('version = 3\n[__proto__]\nx = 1\n', 'Cargo.lock')),
    'UNSAFE_KEY',
  );
  assert.equal(
    code(() => readCargoLockfile('version = 3\npackage = 1\n', 'Cargo.lock')),
    'SBOM_LOCKFILE_INVALID',
  );
  const lock = 'version = 3\n[[package]]\nname = "other"\nversion = "0.1.0"\n';
  assert.equal(
    code(() =>
      readCargoLockfile(lock, 'Cargo.lock', {
        root: { value: { package: { name: 'mine', version: '1.0.0' } }, source: 'Cargo.toml' },
      }),
    ),
    'SBOM_LOCKFILE_OUT_OF_SYNC',
  );
});

test('Cargo workspace manifests: member licenses, dev-only crates, path crates not named like crates.io ones', () => {
  const dir = 'cargo-boringtun-v4';
  const text = readFileSync(join(BENCH, dir, 'Cargo.lock'), 'utf8');
  const member = (rel: string) => {
    const source = join(BENCH, dir, rel, 'Cargo.toml');
    return { dir: rel, value: parseTomlSafe(readFileSync(source, 'utf8'), source), source };
  };
  const root = parseTomlSafe(readFileSync(join(BENCH, dir, 'Cargo.toml'), 'utf8'), 'Cargo.toml');
  const r = readCargoLockfile(text, 'Cargo.lock', {
    root: { value: root, source: 'Cargo.toml' },
    directoryName: dir,
    members: [member('boringtun'), member('boringtun-cli')],
  });
  const by = new Map(r.components.map((c) => [c.name, c]));
  for (const name of ['boringtun', 'boringtun-cli']) {
    const c = by.get(name)!;
    assert.equal(c.license, 'BSD-3-Clause', name);
    assert.equal(c.purl, `pkg:cargo/${name}@0.7.1?download_url=file%3A%2F%2F${name}`);
    assert.equal(c.scope, 'required');
  }
  // [dev-dependencies] of boringtun: etherparse and criterion (and what only they need) are dev;
  // tracing-subscriber is also a normal dependency (of boringtun-cli), so it stays required.
  assert.equal(by.get('criterion')?.scope, 'dev');
  assert.equal(by.get('etherparse')?.scope, 'dev');
  assert.equal(by.get('criterion')?.properties?.['cargo:dependency-kind'], 'dev');
  assert.equal(by.get('tracing-subscriber')?.scope, 'required');
  assert.equal(by.get('ring')?.scope, 'required');
  // Every dev crate is reachable only through a member's dev edge.
  const dev = new Set(r.components.filter((c) => c.scope === 'dev').map((c) => c.ref));
  assert.ok(dev.size > 20, `${dev.size} dev crates`);
  for (const [from, tos] of r.dependencies) {
    const f = r.components.find((c) => c.ref === from);
    if (f && !dev.has(from) && f.properties?.['cargo:source'] !== 'path')
      for (const t of tos) assert.ok(!dev.has(t), `${from} (required) → ${t} (dev)`);
  }
  const omitted = buildSbom(r, { omit: ['dev'] });
  assert.equal(omitted.components.length, r.components.length - dev.size);
  assert.ok(omitted.components.every((c) => c.name !== 'criterion'));
  // The dev-only crates are CycloneDX `excluded`, and read back as dev.
  const cdx = JSON.parse(writeCycloneDx(buildSbom(r))) as {
    components: { name: string; scope: string }[];
  };
  assert.equal(cdx.components.find((c) => c.name === 'criterion')?.scope, 'excluded');
  assert.equal(cdx.components.filter((c) => c.scope === 'excluded').length, dev.size);

  // Without member manifests nothing is classified, and the members have no purl
  // (a bare pkg:cargo/boringtun@0.7.1 would name the crates.io crate).
  const bare = cargo(dir);
  assert.ok(bare.components.every((c) => c.scope === 'required'));
  assert.equal(bare.components.find((c) => c.name === 'boringtun')?.purl, undefined);
});

test('Cargo manifests: license.workspace, renamed and workspace dependencies, build-only crates, root package', () => {
  const lock = [
    'version = 4',
    ...[
      ['app', '1.0.0', undefined, ['lib-a', 'cc', 'tester', 'shared']],
      ['lib-a', '0.1.0', undefined, ['serde']],
      ['serde', '1.0.0', 'crates', []],
      ['cc', '1.0.0', 'crates', ['jobserver']],
      ['jobserver', '0.1.0', 'crates', []],
      ['tester', '2.0.0', 'crates', ['shared']],
      ['shared', '1.0.0', 'crates', []],
    ].map(
      ([name, version, src, deps]) =>
        `[[package]]\nname = "${name}"\nversion = "${version}"\n${src ? 'source = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "' + '0'.repeat(64) + '"\n' : ''}dependencies = [${(deps as string[]).map((d) => `"${d}"`).join(', ')}]\n`,
    ),
  ].join('\n');
  const root = parseTomlSafe(
    [
      '[package]',
      'name = "app"',
      'version = "1.0.0"',
      'license.workspace = true',
      '[workspace]',
      'members = ["crates/*"]',
      '[workspace.package]',
      'license = "MIT OR Apache-2.0"',
      '[workspace.dependencies]',
      'lib = { path = "crates/lib-a", package = "lib-a" }',
      '[dependencies]',
      'lib.workspace = true',
      'shared = "1"',
      '[build-dependencies]',
      'cc = "1"',
      '[dev-dependencies]',
      'test-helper = { version = "2", package = "tester" }',
      'shared = "1"',
    ].join('\n'),
    'Cargo.toml',
  );
  const libA = parseTomlSafe(
    '[package]\nname = "lib-a"\nversion = "0.1.0"\nlicense = { workspace = true }\n[target."cfg(unix)".dependencies]\nserde = "1"\n',
    'crates/lib-a/Cargo.toml',
  );
  const r = readCargoLockfile(lock, 'Cargo.lock', {
    root: { value: root, source: 'Cargo.toml' },
    members: [{ dir: 'crates/lib-a', value: libA, source: 'crates/lib-a/Cargo.toml' }],
  });
  assert.equal(r.root.name, 'app');
  assert.equal(r.root.license, 'MIT OR Apache-2.0');
  assert.equal(r.root.purl, 'pkg:cargo/app@1.0.0?download_url=file%3A%2F%2F.');
  const by = new Map(r.components.map((c) => [c.name, c]));
  assert.equal(by.get('lib-a')?.license, 'MIT OR Apache-2.0');
  assert.equal(
    by.get('lib-a')?.purl,
    'pkg:cargo/lib-a@0.1.0?download_url=file%3A%2F%2Fcrates%2Flib-a',
  );
  assert.equal(by.get('serde')?.scope, 'required');
  // Build-only: kept (their output goes into the build), marked.
  assert.equal(by.get('cc')?.scope, 'required');
  assert.equal(by.get('cc')?.properties?.['cargo:dependency-kind'], 'build');
  assert.equal(by.get('jobserver')?.properties?.['cargo:dependency-kind'], 'build');
  // Renamed dev-dependency: dev; `shared` is both normal and dev: normal.
  assert.equal(by.get('tester')?.scope, 'dev');
  assert.equal(by.get('shared')?.scope, 'required');
  assert.equal(by.get('shared')?.properties?.['cargo:dependency-kind'], undefined);
  // A member the lockfile lacks is out of sync.
  assert.equal(
    code(() =>
      readCargoLockfile(lock, 'Cargo.lock', {
        root: { value: root, source: 'Cargo.toml' },
        members: [
          {
            dir: 'crates/gone',
            value: { package: { name: 'gone', version: '1.0.0' } },
            source: 'crates/gone/Cargo.toml',
          },
        ],
      }),
    ),
    'SBOM_LOCKFILE_OUT_OF_SYNC',
  );
});
