import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  diffDependencies,
  diffExceptions,
  extractDependencies,
  needsApproval,
} from '../../../src/core/exceptions/diff.ts';
import { parseExceptions } from '../../../src/core/exceptions/parse.ts';
import { SHARED } from '../../helpers/cli.ts';

const HEADER = 'version: 1\nexceptions:\n';
const entry = (over: Record<string, string> = {}): string => {
  const e: Record<string, string> = {
    id: 'GHSA-xvch-5gv4-984h',
    package: 'pkg:npm/minimist',
    versions: '"<1.2.6"',
    reason: 'build scripts only',
    owner: '"@acme/web"',
    'approved-by': '"@acme/release-managers"',
    approval: 'https://github.com/acme/widget/pull/17',
    created: '2026-11-20',
    expires: '2026-12-18',
    ...over,
  };
  return `  - ${Object.entries(e)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n    ')}\n`;
};
const file = (...entries: string[]) =>
  parseExceptions(HEADER + (entries.join('') || '  []\n').replace(/^ {2}\[\]\n$/, ''), 'x.yml');
const empty = parseExceptions('version: 1\nexceptions: []\n', 'x.yml');

test('added, removed, extended, shortened and changed are told apart', () => {
  const base = file(
    entry(),
    entry({ id: 'CVE-2021-23337', package: 'pkg:npm/lodash', versions: '' }),
  );
  const kinds = (head: ReturnType<typeof file>) =>
    diffExceptions(base, head).map((c) => [c.kind, needsApproval(c)]);
  assert.deepEqual(
    kinds(
      file(
        entry({ expires: '2026-12-30' }),
        entry({ id: 'CVE-2021-23337', package: 'pkg:npm/lodash', versions: '' }),
      ),
    ),
    [['extended', true]],
  );
  assert.deepEqual(
    kinds(
      file(
        entry({ expires: '2026-12-01' }),
        entry({ id: 'CVE-2021-23337', package: 'pkg:npm/lodash', versions: '' }),
      ),
    ),
    [['shortened', false]],
  );
  assert.deepEqual(kinds(file(entry())), [['removed', false]]);
  assert.deepEqual(
    kinds(
      file(
        entry({ versions: '"<2.0.0"' }),
        entry({ id: 'CVE-2021-23337', package: 'pkg:npm/lodash', versions: '' }),
      ),
    ),
    [['changed', true]],
  );
  assert.deepEqual(kinds(base), []);
  assert.deepEqual(
    diffExceptions(undefined, base).map((c) => c.kind),
    ['added', 'added'],
    'a new file adds everything',
  );
  assert.deepEqual(
    diffExceptions(base, empty).map((c) => c.kind),
    ['removed', 'removed'],
  );
});

test('a shorter expiry that also widens the range is a change, needing approval', () => {
  const base = file(entry());
  const [c] = diffExceptions(base, file(entry({ expires: '2026-12-01', versions: '"*"' })));
  assert.equal(c!.kind, 'changed');
  assert.deepEqual(c!.fields, ['versions', 'expires']);
  assert.ok(needsApproval(c!));
});

test('the approval fields cannot be rewritten silently', () => {
  const [c] = diffExceptions(file(entry()), file(entry({ 'approved-by': '"@someone-else"' })));
  assert.equal(c!.kind, 'changed');
});

test('the real lockfiles of the bench are read (npm v3, Cargo.lock)', () => {
  const npm = extractDependencies(
    'package-lock.json',
    readFileSync(join(SHARED, 'bench/npm-medium/package-lock.json'), 'utf8'),
  );
  assert.ok(npm.get('npm/@babel/code-frame')?.has('7.29.7'));
  assert.ok(npm.size > 100);
  const cargo = extractDependencies(
    'Cargo.lock',
    readFileSync(join(SHARED, 'bench/cargo-boringtun/Cargo.lock'), 'utf8'),
  );
  assert.ok(cargo.get('cargo/boringtun')?.has('0.4.0'));
  const toml = extractDependencies(
    'Cargo.toml',
    readFileSync(join(SHARED, 'bench/cargo-boringtun/boringtun/Cargo.toml'), 'utf8'),
  );
  assert.ok(toml.size > 3);
});

test('an npm lockfile upgrade and a Cargo.lock addition are found; unchanged packages are not', () => {
  const lock = (v: string) =>
    JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': { name: 'w' },
        'node_modules/lodash': { version: v },
        'node_modules/@babel/core': { version: '7.26.0' },
      },
    });
  const cargo = (extra: string) =>
    `version = 4\n\n[[package]]\nname = "serde"\nversion = "1.0.215"\n${extra}`;
  const d = diffDependencies([
    { path: 'package-lock.json', base: lock('4.17.19'), head: lock('4.17.21') },
    {
      path: 'crates/x/Cargo.lock',
      base: cargo(''),
      head: cargo('\n[[package]]\nname = "time"\nversion = "0.3.36"\n'),
    },
  ]);
  assert.deepEqual(
    d.changes.map((c) => [c.package, c.kind, c.versions]),
    [
      ['npm/lodash', 'upgraded', ['4.17.21']],
      ['cargo/time', 'added', ['0.3.36']],
    ],
  );
  assert.deepEqual(d.unreadable, []);
});

test('a head lockfile that does not parse is reported as unreadable', () => {
  const d = diffDependencies([{ path: 'package-lock.json', base: '{}', head: '{ not json' }]);
  assert.deepEqual(d.unreadable, ['package-lock.json']);
});

test('yarn.lock, pnpm-lock.yaml and package.json are read', () => {
  const yarn =
    '# yarn lockfile v1\n\n"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.22.13":\n  version "7.24.7"\n  resolved "https://registry.yarnpkg.com/x"\n\nlodash@^4.17.20:\n  version "4.17.21"\n';
  assert.deepEqual([...extractDependencies('yarn.lock', yarn).keys()].sort(), [
    'npm/@babel/code-frame',
    'npm/lodash',
  ]);
  const pnpm =
    "lockfileVersion: '9.0'\npackages:\n  lodash@4.17.21:\n    resolution: {integrity: sha512-x}\n  '@types/node@24.0.0':\n    resolution: {integrity: sha512-y}\n";
  assert.deepEqual(
    [...extractDependencies('pnpm-lock.yaml', pnpm).entries()].map(([k, v]) => [k, [...v]]),
    [
      ['npm/lodash', ['4.17.21']],
      ['npm/@types/node', ['24.0.0']],
    ],
  );
  const pkg = JSON.stringify({
    dependencies: { Lodash: '^4.17.21' },
    devDependencies: { typescript: '5.9' },
  });
  assert.deepEqual(
    [...extractDependencies('package.json', pkg).keys()],
    ['npm/lodash', 'npm/typescript'],
  );
});
