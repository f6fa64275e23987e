import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileCodeOwnersPattern,
  findOwners,
  parseCodeOwners,
} from '../../../src/core/exceptions/codeowners.ts';

// The example file from GitHub's documentation ("About code owners"), abridged.
const GITHUB_EXAMPLE = `# This is a comment.
# Each line is a file pattern followed by one or more owners.

# These owners will be the default owners for everything in
# the repo. Unless a later match takes precedence,
*       @global-owner1 @global-owner2

# Order is important; the last matching pattern takes the most precedence.
*.js    @js-owner #This is an inline comment.

*.go docs@example.com

*.txt @octo-org/octocats

/build/logs/ @doctocat

docs/*  docs@example.com

apps/ @octocat

/docs/ @doctocat

/scripts/ @doctocat @octocat

**/logs @octocat

/apps/ @octocat
/apps/github
`;

const owners = (path: string): readonly string[] =>
  findOwners(parseCodeOwners(GITHUB_EXAMPLE), path).owners;

test("GitHub's documented example resolves as documented (last match wins)", () => {
  assert.deepEqual(owners('README.md'), ['@global-owner1', '@global-owner2']);
  assert.deepEqual(owners('src/index.js'), ['@js-owner'], 'inline comment dropped');
  assert.deepEqual(owners('cmd/main.go'), ['docs@example.com']);
  assert.deepEqual(owners('notes/a.txt'), ['@octo-org/octocats']);
  assert.deepEqual(owners('build/logs/out.log'), ['@octocat'], '**/logs comes later and wins');
  assert.deepEqual(owners('build/logs/deep/x.txt'), ['@octocat']);
  assert.deepEqual(owners('scripts/release.sh'), ['@doctocat', '@octocat']);
  assert.deepEqual(owners('deeply/nested/logs/a.md'), ['@octocat']);
  assert.deepEqual(owners('apps/web/index.html'), ['@octocat']);
  assert.deepEqual(
    owners('apps/github/index.html'),
    [],
    'a pattern with no owners leaves the path unowned',
  );
  assert.deepEqual(owners('src/apps/x.html'), ['@octocat'], 'apps/ matches at any depth');
});

test('docs/* owns direct files only; /docs/ owns everything below', () => {
  const co = parseCodeOwners('docs/* @direct\n');
  assert.deepEqual(findOwners(co, 'docs/getting-started.md').owners, ['@direct']);
  assert.deepEqual(findOwners(co, 'docs/build-app/troubleshooting.md').owners, []);
  const deep = parseCodeOwners('/docs/ @deep\n');
  assert.deepEqual(findOwners(deep, 'docs/build-app/troubleshooting.md').owners, ['@deep']);
  assert.deepEqual(
    findOwners(deep, 'src/docs/x.md').owners,
    [],
    'a leading slash anchors at the root',
  );
});

test('patterns: anchoring, ?, ** in the middle, a named file owning a directory', () => {
  assert.ok(compileCodeOwnersPattern('/.vouch/exceptions.yml').test('.vouch/exceptions.yml'));
  assert.ok(!compileCodeOwnersPattern('/.vouch/exceptions.yml').test('x/.vouch/exceptions.yml'));
  assert.ok(compileCodeOwnersPattern('.vouch/exceptions.yml').test('.vouch/exceptions.yml'));
  assert.ok(
    !compileCodeOwnersPattern('.vouch/exceptions.yml').test('a/.vouch/exceptions.yml'),
    'a middle slash anchors',
  );
  assert.ok(
    compileCodeOwnersPattern('exceptions.yml').test('deep/.vouch/exceptions.yml'),
    'no slash: any depth',
  );
  assert.ok(compileCodeOwnersPattern('a/**/b').test('a/b'));
  assert.ok(compileCodeOwnersPattern('a/**/b').test('a/x/y/b/c.txt'));
  assert.ok(!compileCodeOwnersPattern('a/**/b').test('a/xb'));
  assert.ok(compileCodeOwnersPattern('file?.md').test('file1.md'));
  assert.ok(!compileCodeOwnersPattern('file?.md').test('file10.md'));
  assert.ok(
    compileCodeOwnersPattern('/src').test('src/deep/file.ts'),
    'a directory name owns what is below',
  );
  assert.ok(compileCodeOwnersPattern('**').test('anything/at/all'));
  assert.ok(!compileCodeOwnersPattern('*.yml').test('a.yaml'));
  assert.ok(
    compileCodeOwnersPattern('a.b').test('a.b') && !compileCodeOwnersPattern('a.b').test('axb'),
    'dots are literal',
  );
});

test('lines GitHub rejects are reported and skipped, not guessed at', () => {
  const co = parseCodeOwners('!secret.txt @a\n[Dd]ocs/ @b\n*.md not-an-owner\n*.ts @ok\n');
  assert.deepEqual(
    co.problems.map((p) => p.line),
    [1, 2, 3],
  );
  assert.equal(co.rules.length, 1);
  assert.deepEqual(findOwners(co, 'x.ts').owners, ['@ok']);
});

test('an empty file owns nothing', () => {
  assert.deepEqual(findOwners(parseCodeOwners(''), '.vouch/exceptions.yml'), { owners: [] });
});
