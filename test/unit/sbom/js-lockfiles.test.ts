import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSbom } from '../../../src/core/sbom/build.ts';
import type { LockfileResult, ManifestInput } from '../../../src/core/sbom/lockfiles/common.ts';
import { readNpmLockfile } from '../../../src/core/sbom/lockfiles/npm.ts';
import { readPnpmLockfile } from '../../../src/core/sbom/lockfiles/pnpm.ts';
import { parseYarnClassic, readYarnLockfile } from '../../../src/core/sbom/lockfiles/yarn.ts';
import type { SbomComponent } from '../../../src/core/sbom/model.ts';
import { VouchError } from '../../../src/errors.ts';
import { ROOT } from '../../helpers/cli.ts';

const FIX = join(ROOT, 'test/fixtures/sbom');

function text(rel: string): string {
  return readFileSync(join(FIX, rel), 'utf8');
}

function manifest(rel: string): ManifestInput {
  return { value: JSON.parse(text(rel)) as unknown, source: rel };
}

function workspaces(dir: string): Map<string, ManifestInput> {
  return new Map(
    ['packages/cli', 'packages/core'].map((p) => [p, manifest(`${dir}/${p}/package.json`)]),
  );
}

function app(kind: string): LockfileResult {
  const dir = `js-app/${kind}`;
  const m = manifest(`${dir}/package.json`);
  if (kind === 'npm') return readNpmLockfile(JSON.parse(text(`${dir}/package-lock.json`)), dir, m);
  if (kind.startsWith('pnpm')) return readPnpmLockfile(text(`${dir}/pnpm-lock.yaml`), dir, m);
  return readYarnLockfile(text(`${dir}/yarn.lock`), dir, m);
}

const id = (c: SbomComponent): string =>
  `${c.group ? `${c.group}/` : ''}${c.name}@${c.version ?? ''}`;
const ids = (r: LockfileResult): string[] => [...new Set(r.components.map(id))].sort();
const byId = (r: LockfileResult, want: string): SbomComponent => {
  const c = r.components.find((x) => id(x) === want);
  assert.ok(c, `${want} in ${r.kind} ${r.lockfileVersion}`);
  return c;
};
const depsOf = (r: LockfileResult, c: SbomComponent): string[] => {
  const names = new Map([r.root, ...r.components].map((x) => [x.ref, id(x)]));
  return (r.dependencies.get(c.ref) ?? []).map((ref) => names.get(ref)!).sort();
};

function code(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof VouchError, String(error));
    return { code: error.code, message: error.message };
  }
  assert.fail('expected a VouchError');
}

test('pnpm 5.x, 6.x, 9.x and yarn classic list the name@version set of the npm lockfile', () => {
  const npm = app('npm');
  const want = ids(npm);
  assert.equal(want.length, 16);
  assert.equal(app('pnpm-v5').lockfileVersion, '5.4');
  assert.deepEqual(ids(app('pnpm-v5')), want);
  assert.deepEqual(ids(app('yarn-classic')), want);
  assert.equal(app('yarn-classic').lockfileVersion, 'classic');
  // pnpm 6 and 9 do not record the version of a `file:` directory dependency.
  for (const kind of ['pnpm-v6', 'pnpm-v9']) {
    const r = app(kind);
    const local = byId(r, 'tiny-local@');
    assert.equal(local.purl, 'pkg:npm/tiny-local');
    assert.equal(local.properties?.['vouch:npm:resolved'], 'file:../vendor/tiny-local');
    assert.deepEqual(
      ids(r)
        .map((x) => (x === 'tiny-local@' ? 'tiny-local@0.1.0' : x))
        .sort(),
      want,
      kind,
    );
  }
});

test('yarn berry lists the npm set plus what yarn itself adds (node-gyp for fsevents, the compat patch)', () => {
  const npm = new Set(ids(app('npm')));
  const berry = app('yarn-berry');
  assert.equal(berry.lockfileVersion, 'berry-10');
  for (const x of npm) assert.ok(ids(berry).includes(x), x);
  const extra = berry.components.filter((c) => !npm.has(id(c)));
  assert.ok(extra.some((c) => c.name === 'node-gyp'));
  // Everything extra hangs off the optional fsevents: nothing required was added.
  for (const c of extra) assert.equal(c.scope, 'optional', id(c));
  const fsevents = berry.components.filter((c) => c.name === 'fsevents');
  assert.equal(fsevents.length, 2);
  const patched = fsevents.find((c) => c.properties?.['vouch:yarn:patch'])!;
  assert.equal(patched.properties?.['vouch:yarn:patch'], 'fsevents@npm:2.3.3');
  assert.equal(patched.purl, 'pkg:npm/fsevents@2.3.3');
  // The root depends on the patched package, which is built from the npm one.
  assert.ok(berry.dependencies.get(berry.root.ref)?.includes(patched.ref));
  const plain = fsevents.find((c) => c !== patched)!;
  assert.ok(berry.dependencies.get(patched.ref)?.includes(plain.ref));
});

test('hashes: integrity (and the sha1 of yarn classic URLs) are tarball digests; berry checksums are not', () => {
  const npm = app('npm');
  const sha512 = new Map(
    npm.components.map((c) => [c.purl, c.hashes.find((h) => h.alg === 'SHA-512')?.content]),
  );
  for (const kind of ['pnpm-v5', 'pnpm-v6', 'pnpm-v9', 'yarn-classic']) {
    const r = app(kind);
    for (const c of r.components) {
      const want = sha512.get(c.purl);
      const got = c.hashes.find((h) => h.alg === 'SHA-512')?.content;
      if (want && got) assert.equal(got, want, `${kind} ${c.purl}`);
    }
    // Every registry package has its sha512.
    const withHash = r.components.filter((c) => c.hashes.some((h) => h.alg === 'SHA-512'));
    assert.ok(withHash.length >= 13, `${kind}: ${withHash.length}`);
  }
  const classic = app('yarn-classic');
  // The registry tarball URL dependency has no integrity line, only the URL's sha1.
  const tarball = byId(classic, 'is-number@7.0.0');
  assert.deepEqual(tarball.hashes, [
    { alg: 'SHA-1', content: '7535345b896734d5f80c4d06c50955527a14f12b' },
  ]);
  assert.equal(byId(classic, 'kleur@4.1.5').hashes.length, 2);

  const berry = app('yarn-berry');
  for (const c of berry.components) {
    assert.deepEqual(c.hashes, [], `berry ${id(c)} has no tarball hash`);
  }
  const react = byId(berry, 'react@18.3.1');
  assert.match(react.properties?.['vouch:yarn:checksum'] ?? '', /^10c0\/[0-9a-f]{128}$/);
  // The cache checksum is not the sha512 of the npm tarball.
  assert.notEqual(react.properties?.['vouch:yarn:checksum']?.slice(5), sha512.get(react.purl));
});

test('scopes, aliases, local packages and the graph agree across npm, pnpm and yarn', () => {
  for (const kind of ['npm', 'pnpm-v5', 'pnpm-v6', 'pnpm-v9', 'yarn-classic', 'yarn-berry']) {
    const r = app(kind);
    assert.equal(r.root.name, 'sbom-fixture-app', kind);
    assert.equal(r.root.version, '1.2.3');
    assert.equal(r.root.license, 'MIT');
    assert.equal(byId(r, 'kleur@4.1.5').scope, 'dev', kind);
    for (const c of r.components.filter((x) => x.name === 'fsevents'))
      assert.equal(c.scope, 'optional', kind);
    for (const x of ['react@18.3.1', 'js-tokens@4.0.0', 'ms@2.1.3', 'is-number@6.0.0'])
      assert.equal(byId(r, x).scope, 'required', `${kind} ${x}`);
    // The npm: alias and the registry tarball URL are named by the real package.
    assert.ok(r.components.some((c) => c.purl === 'pkg:npm/ms@2.1.3'));
    assert.ok(r.components.some((c) => c.purl === 'pkg:npm/is-number@7.0.0'));
    assert.equal(
      byId(r, '@sindresorhus/slugify@2.2.1').purl,
      'pkg:npm/%40sindresorhus/slugify@2.2.1',
    );
    assert.equal(byId(r, '@sindresorhus/slugify@2.2.1').group, '@sindresorhus');
    // Graph: transitive edges, and the peer dependency (react) of use-sync-external-store.
    assert.deepEqual(depsOf(r, byId(r, 'react@18.3.1')), ['loose-envify@1.4.0']);
    assert.deepEqual(depsOf(r, byId(r, 'loose-envify@1.4.0')), ['js-tokens@4.0.0']);
    assert.deepEqual(depsOf(r, byId(r, 'is-odd@3.0.1')), ['is-number@6.0.0']);
    assert.deepEqual(depsOf(r, byId(r, '@sindresorhus/slugify@2.2.1')), [
      '@sindresorhus/transliterate@1.6.0',
      'escape-string-regexp@5.0.0',
    ]);
    if (kind !== 'yarn-berry' && kind !== 'yarn-classic') {
      assert.deepEqual(depsOf(r, byId(r, 'use-sync-external-store@1.2.2')), ['react@18.3.1']);
    }
    const rootDeps = depsOf(r, r.root).map((x) => x.replace(/^tiny-local@$/, 'tiny-local@0.1.0'));
    assert.equal(rootDeps.filter((x) => !x.startsWith('fsevents')).length, 10, kind);
    const tar = byId(r, 'tiny-tar@1.0.0');
    assert.match(tar.properties?.['vouch:npm:resolved'] ?? '', /vendor\/tiny-tar-1\.0\.0\.tgz$/);
  }
});

test('pnpm peer-dependency suffixes name one component per package', () => {
  const v5 = text('js-app/pnpm-v5/pnpm-lock.yaml');
  const v6 = text('js-app/pnpm-v6/pnpm-lock.yaml');
  const v9 = text('js-app/pnpm-v9/pnpm-lock.yaml');
  assert.match(v5, /use-sync-external-store\/1\.2\.2_react@18\.3\.1/);
  assert.match(v6, /use-sync-external-store@1\.2\.2\(react@18\.3\.1\)/);
  assert.match(v9, /use-sync-external-store@1\.2\.2\(react@18\.3\.1\)/);
  for (const kind of ['pnpm-v5', 'pnpm-v6', 'pnpm-v9']) {
    const r = app(kind);
    const usx = r.components.filter((c) => c.name === 'use-sync-external-store');
    assert.equal(usx.length, 1, kind);
    assert.equal(usx[0]!.purl, 'pkg:npm/use-sync-external-store@1.2.2');
  }
});

test('workspaces: pnpm 6.x / 9.x importers and yarn berry workspace: members', () => {
  for (const [dir, read] of [
    [
      'js-workspace/pnpm-v6',
      (t: string, m: ManifestInput, w: Map<string, ManifestInput>) =>
        readPnpmLockfile(t, 'pnpm-lock.yaml', m, w),
    ],
    [
      'js-workspace/pnpm-v9',
      (t: string, m: ManifestInput, w: Map<string, ManifestInput>) =>
        readPnpmLockfile(t, 'pnpm-lock.yaml', m, w),
    ],
    [
      'js-workspace/yarn-berry',
      (t: string, m: ManifestInput, w: Map<string, ManifestInput>) =>
        readYarnLockfile(t, 'yarn.lock', m, w),
    ],
  ] as const) {
    const lockName = dir.endsWith('yarn-berry') ? 'yarn.lock' : 'pnpm-lock.yaml';
    const r = read(text(`${dir}/${lockName}`), manifest(`${dir}/package.json`), workspaces(dir));
    assert.deepEqual(r.warnings, [], dir);
    assert.equal(r.root.name, 'sbom-fixture-monorepo');
    const cli = byId(r, '@fixture/cli@1.0.0');
    const core = byId(r, '@fixture/core@1.0.0');
    assert.equal(cli.properties?.['vouch:npm:workspace'], 'true');
    assert.equal(core.license, 'Apache-2.0');
    assert.deepEqual(depsOf(r, r.root), [
      '@fixture/cli@1.0.0',
      '@fixture/core@1.0.0',
      'kleur@4.1.5',
    ]);
    assert.deepEqual(depsOf(r, cli), ['@fixture/core@1.0.0', 'is-number@7.0.0', 'is-odd@3.0.1']);
    assert.deepEqual(depsOf(r, core), ['ms@2.1.3']);
    // Dev at the root and in a member; is-number@6 is required through is-odd.
    assert.equal(byId(r, 'kleur@4.1.5').scope, 'dev', dir);
    assert.equal(byId(r, 'is-number@7.0.0').scope, 'dev', dir);
    assert.equal(byId(r, 'is-number@6.0.0').scope, 'required', dir);
    const prod = buildSbom(r, { omit: ['dev'] });
    assert.deepEqual(
      prod.components.map(id).sort(),
      ['@fixture/cli@1.0.0', '@fixture/core@1.0.0', 'is-number@6.0.0', 'is-odd@3.0.1', 'ms@2.1.3'],
      dir,
    );
  }
});

test('--omit dev / optional on pnpm and yarn models', () => {
  for (const kind of ['pnpm-v9', 'yarn-classic', 'yarn-berry']) {
    const r = app(kind);
    const prod = buildSbom(r, { omit: ['dev'] });
    assert.ok(!prod.components.some((c) => c.name === 'kleur'), kind);
    assert.ok(
      prod.components.some((c) => c.name === 'fsevents'),
      kind,
    );
    const lean = buildSbom(r, { omit: ['dev', 'optional'] });
    assert.ok(!lean.components.some((c) => c.name === 'fsevents' || c.name === 'node-gyp'));
    assert.ok(lean.components.every((c) => c.scope === 'required'));
  }
});

test('git sources: pnpm, yarn classic and berry git resolutions get a vcs_url qualifier', () => {
  // GitHub is unreachable from the machines that generated the fixtures, so these entries are the
  // documented shapes of each format rather than tool output.
  const pnpm = readPnpmLockfile(
    [
      "lockfileVersion: '9.0'",
      'importers:',
      '  .:',
      '    dependencies:',
      '      g:',
      '        specifier: github:o/g#abc',
      '        version: https://codeload.github.com/o/g/tar.gz/0123abc',
      '      h:',
      '        specifier: git+https://example.org/h.git',
      '        version: git+https://example.org/h.git#fedcba9',
      'packages:',
      '  g@https://codeload.github.com/o/g/tar.gz/0123abc:',
      '    resolution: {tarball: https://codeload.github.com/o/g/tar.gz/0123abc}',
      '    version: 1.0.0',
      '  h@git+https://example.org/h.git#fedcba9:',
      '    resolution: {commit: fedcba9, repo: https://example.org/h.git, type: git}',
      '    version: 2.0.0',
      'snapshots:',
      '  g@https://codeload.github.com/o/g/tar.gz/0123abc: {}',
      '  h@git+https://example.org/h.git#fedcba9: {}',
      '',
    ].join('\n'),
    'pnpm-lock.yaml',
  );
  const g = byId(pnpm, 'g@1.0.0');
  assert.equal(
    g.purl,
    'pkg:npm/g@1.0.0?download_url=https%3A%2F%2Fcodeload.github.com%2Fo%2Fg%2Ftar.gz%2F0123abc',
  );
  assert.equal(
    byId(pnpm, 'h@2.0.0').purl,
    'pkg:npm/h@2.0.0?vcs_url=git%2Bhttps%3A%2F%2Fexample.org%2Fh.git%23fedcba9',
  );
  const berry = readYarnLockfile(
    [
      '__metadata:',
      '  version: 8',
      '',
      '"h@https://example.org/h.git#commit=fedcba9":',
      '  version: 2.0.0',
      '  resolution: "h@https://example.org/h.git#commit=fedcba9"',
      '  languageName: node',
      '  linkType: hard',
      '',
    ].join('\n'),
    'yarn.lock',
  );
  assert.equal(
    byId(berry, 'h@2.0.0').purl,
    'pkg:npm/h@2.0.0?vcs_url=git%2Bhttps%3A%2F%2Fexample.org%2Fh.git%23fedcba9',
  );
  const classic = readYarnLockfile(
    '# yarn lockfile v1\n\n"h@git+https://example.org/h.git":\n  version "2.0.0"\n  resolved "git+https://example.org/h.git#fedcba9"\n',
    'yarn.lock',
  );
  assert.equal(
    byId(classic, 'h@2.0.0').purl,
    'pkg:npm/h@2.0.0?vcs_url=git%2Bhttps%3A%2F%2Fexample.org%2Fh.git%23fedcba9',
  );
  assert.deepEqual(byId(classic, 'h@2.0.0').hashes, []);
});

test('the yarn classic parser: quoting, escapes, several keys per entry, positions in errors', () => {
  const parsed = parseYarnClassic(
    '# comment\n\n"@a/b@^1", "@a/b@^1.1":\n  version "1.2.0"\n  dependencies:\n    c "1 || 2"\n    "d" "\\u0041"\n',
    'yarn.lock',
  );
  const entry = parsed['@a/b@^1'] as Record<string, unknown>;
  assert.equal(entry, parsed['@a/b@^1.1']);
  assert.deepEqual(entry['dependencies'], { c: '1 || 2', d: 'A' });
  const bad = [
    ['a@1:\n  version "1\n', /yarn\.lock:2:11: unterminated string/],
    ['a@1:\n\tversion "1"\n', /yarn\.lock:2:1: tabs/],
    ['a@1:\n   version "1"\n', /yarn\.lock:2:1: indentation of 3/],
    ['a@1:\n  version "1" x\n', /yarn\.lock:2:\d+: unexpected text/],
    ['a@1:\n  version "1"\na@1:\n  version "2"\n', /yarn\.lock:3:1: duplicate key "a@1"/],
  ] as const;
  for (const [input, message] of bad) {
    const e = code(() => parseYarnClassic(input, 'yarn.lock'));
    assert.equal(e.code, 'SBOM_LOCKFILE_INVALID', input);
    assert.match(e.message, message);
  }
  assert.equal(
    code(() => parseYarnClassic('"__proto__":\n  version "1"\n', 'yarn.lock')).code,
    'UNSAFE_KEY',
  );
  assert.equal(
    code(() => parseYarnClassic('a@1:\n  constructor "1"\n', 'yarn.lock')).code,
    'UNSAFE_KEY',
  );
});

test('bad pnpm / yarn input: corrupt YAML with position, versions, unsafe keys, alias bombs, out of sync', () => {
  const corrupt = code(() =>
    readPnpmLockfile(
      "lockfileVersion: '9.0'\nimporters:\n  .: {dependencies: [\n",
      'pnpm-lock.yaml',
    ),
  );
  assert.equal(corrupt.code, 'YAML_INVALID');
  assert.match(corrupt.message, /pnpm-lock\.yaml:\d+:\d+/);
  assert.equal(
    code(() => readPnpmLockfile("lockfileVersion: '4.0'\n", 'pnpm-lock.yaml')).code,
    'SBOM_LOCKFILE_UNSUPPORTED',
  );
  assert.equal(
    code(() => readPnpmLockfile('packages: {}\n', 'pnpm-lock.yaml')).code,
    'SBOM_LOCKFILE_UNSUPPORTED',
  );
  assert.equal(
    code(() => readYarnLockfile('__metadata:\n  version: 99\n', 'yarn.lock')).code,
    'SBOM_LOCKFILE_UNSUPPORTED',
  );
  assert.equal(
    code(() => readYarnLockfile('# yarn lockfile v2\n\na@1:\n  version "1"\n', 'yarn.lock')).code,
    'SBOM_LOCKFILE_UNSUPPORTED',
  );
  const proto = code(() =>
    readPnpmLockfile(
      "lockfileVersion: '9.0'\npackages:\n  __proto__:\n    x: 1\n",
      'pnpm-lock.yaml',
    ),
  );
  assert.equal(proto.code, 'UNSAFE_KEY');
  assert.match(proto.message, /pnpm-lock\.yaml:3:3/);
  assert.equal(
    code(() =>
      readYarnLockfile('__metadata:\n  version: 8\n"a@npm:1":\n  constructor: 1\n', 'yarn.lock'),
    ).code,
    'UNSAFE_KEY',
  );
  // A billion-laughs style document: refused at the first alias, nothing expanded.
  const bomb = [
    "lockfileVersion: '9.0'",
    'a: &a [x, x, x, x, x, x, x, x, x]',
    'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
    'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
    '',
  ].join('\n');
  const alias = code(() => readPnpmLockfile(bomb, 'pnpm-lock.yaml'));
  assert.equal(alias.code, 'YAML_INVALID');
  assert.match(alias.message, /alias/);
  assert.equal(
    code(() =>
      readYarnLockfile(
        `__metadata:\n  version: 8\n${bomb.split('\n').slice(1).join('\n')}`,
        'yarn.lock',
      ),
    ).code,
    'YAML_INVALID',
  );

  // Out of sync: a dependency added to package.json and not locked, or a changed specifier.
  const pkg = JSON.parse(text('js-app/pnpm-v9/package.json')) as Record<
    string,
    Record<string, string>
  >;
  const added = {
    value: { ...pkg, dependencies: { ...pkg['dependencies'], left: '1.0.0' } },
    source: 'package.json',
  };
  const changed = {
    value: { ...pkg, devDependencies: { kleur: '^4.0.0' } },
    source: 'package.json',
  };
  for (const kind of ['pnpm-v5', 'pnpm-v6', 'pnpm-v9']) {
    const t = text(`js-app/${kind}/pnpm-lock.yaml`);
    const e = code(() => readPnpmLockfile(t, 'pnpm-lock.yaml', added));
    assert.equal(e.code, 'SBOM_LOCKFILE_OUT_OF_SYNC', kind);
    assert.match(e.message, /dependencies\.left is in package\.json but not in the lockfile/);
    assert.match(
      code(() => readPnpmLockfile(t, 'pnpm-lock.yaml', changed)).message,
      /devDependencies\.kleur is "\^4\.0\.0" in package\.json but "4\.1\.5" in the lockfile/,
    );
  }
  for (const kind of ['yarn-classic', 'yarn-berry']) {
    const t = text(`js-app/${kind}/yarn.lock`);
    assert.equal(
      code(() => readYarnLockfile(t, 'yarn.lock', added)).code,
      'SBOM_LOCKFILE_OUT_OF_SYNC',
      kind,
    );
  }
  const removed = { value: { ...pkg, devDependencies: {} }, source: 'package.json' };
  assert.match(
    code(() => readYarnLockfile(text('js-app/yarn-berry/yarn.lock'), 'yarn.lock', removed)).message,
    /kleur is in the lockfile but not in package\.json/,
  );
});
