import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadExceptionsFromGitRef,
  resolveLocalExceptionsRef,
} from '../../../src/adapters/github/git-ref.ts';
import { VouchError } from '../../../src/errors.ts';

// The default branch is read from this repository's own configuration only.
process.env['GIT_CONFIG_GLOBAL'] = '/dev/null';
process.env['GIT_CONFIG_NOSYSTEM'] = '1';

const FILE = `version: 1
exceptions:
  - id: GHSA-xvch-5gv4-984h
    package: pkg:npm/minimist
    reason: build scripts only
    owner: "@acme/web"
    approved-by: "@acme/release-managers"
    approval: https://github.com/acme/widget/pull/17
    created: 2026-11-20
    expires: 2026-12-18
`;

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-gitref-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd: dir,
      stdio: 'pipe',
    });
  git('init', '-q', '-b', 'main');
  mkdirSync(join(dir, '.vouch'));
  writeFileSync(join(dir, '.vouch/exceptions.yml'), FILE);
  git('add', '.');
  git('commit', '-qm', 'exceptions');
  git('checkout', '-qb', 'release');
  return dir;
}

const isCode = (code: string) => (e: unknown) => e instanceof VouchError && e.code === code;

test('the file is read as committed at the ref, not from the working tree', async () => {
  const dir = repo();
  writeFileSync(join(dir, '.vouch/exceptions.yml'), FILE.replace('2026-12-18', '2099-01-01'));
  const loaded = await loadExceptionsFromGitRef(dir, 'main', '.vouch/exceptions.yml');
  assert.equal(loaded.source, 'git-ref');
  assert.match(loaded.commit, /^[0-9a-f]{40}$/);
  assert.equal(loaded.file.exceptions[0]!.expires, '2026-12-18');
});

test('a symlink committed in place of the file is refused', async () => {
  const dir = repo();
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd: dir,
      stdio: 'pipe',
    });
  writeFileSync(join(dir, 'other.yml'), FILE);
  git('rm', '-q', '.vouch/exceptions.yml');
  mkdirSync(join(dir, '.vouch'), { recursive: true });
  symlinkSync('../other.yml', join(dir, '.vouch/exceptions.yml'));
  git('add', '.');
  git('commit', '-qm', 'link');
  await assert.rejects(
    loadExceptionsFromGitRef(dir, 'release', '.vouch/exceptions.yml'),
    isCode('PATH_IS_SYMLINK'),
  );
});

test('an unknown ref, a missing path and option-like refs are coded errors', async () => {
  const dir = repo();
  await assert.rejects(
    loadExceptionsFromGitRef(dir, 'no-such-branch', '.vouch/exceptions.yml'),
    isCode('GIT_REF_UNREADABLE'),
  );
  await assert.rejects(
    loadExceptionsFromGitRef(dir, 'main', 'missing.yml'),
    isCode('GIT_REF_UNREADABLE'),
  );
  await assert.rejects(
    loadExceptionsFromGitRef(dir, '--output=/tmp/x', 'x.yml'),
    isCode('INPUT_INVALID'),
  );
  await assert.rejects(
    loadExceptionsFromGitRef(dir, 'main', '../etc/passwd'),
    isCode('PATH_OUTSIDE_WORKSPACE'),
  );
});

function gitIn(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' }).trim();
}

test('with no default branch known to git, only a branch given explicitly is read', async () => {
  const dir = repo();
  assert.equal(await resolveLocalExceptionsRef(dir, undefined), undefined);
  assert.deepEqual(await resolveLocalExceptionsRef(dir, 'main'), {
    ref: 'main',
    fullRef: 'refs/heads/main',
    branchFrom: 'explicit',
  });
  gitIn(dir, 'tag', 'v1', 'main');
  const commit = gitIn(dir, 'rev-parse', 'main');
  for (const ref of ['v1', 'HEAD', commit, commit.slice(0, 12)]) {
    await assert.rejects(resolveLocalExceptionsRef(dir, ref), isCode('EXCEPTIONS_REF_NOT_DEFAULT'));
  }
  await assert.rejects(resolveLocalExceptionsRef(dir, 'nope'), isCode('GIT_REF_UNREADABLE'));
});

test('refs/remotes/origin/HEAD names the default branch; another branch is refused', async () => {
  const dir = repo();
  gitIn(dir, 'update-ref', 'refs/remotes/origin/main', 'main');
  gitIn(dir, 'symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
  assert.deepEqual(await resolveLocalExceptionsRef(dir, undefined), {
    ref: 'origin/main',
    fullRef: 'refs/remotes/origin/main',
    branchFrom: 'origin-head',
  });
  assert.equal((await resolveLocalExceptionsRef(dir, 'origin/main'))?.branchFrom, 'origin-head');
  assert.equal(
    (await resolveLocalExceptionsRef(dir, 'origin/HEAD'))?.fullRef,
    'refs/remotes/origin/main',
  );
  // the local branch of the same name may hold unpushed commits: not the default branch
  await assert.rejects(
    resolveLocalExceptionsRef(dir, 'main'),
    isCode('EXCEPTIONS_REF_NOT_DEFAULT'),
  );
  await assert.rejects(
    resolveLocalExceptionsRef(dir, 'release'),
    isCode('EXCEPTIONS_REF_NOT_DEFAULT'),
  );
});

test('init.defaultBranch names the default branch when that branch exists', async () => {
  const dir = repo();
  gitIn(dir, 'config', 'init.defaultBranch', 'trunk');
  assert.equal(await resolveLocalExceptionsRef(dir, undefined), undefined);
  gitIn(dir, 'config', 'init.defaultBranch', 'main');
  assert.deepEqual(await resolveLocalExceptionsRef(dir, undefined), {
    ref: 'main',
    fullRef: 'refs/heads/main',
    branchFrom: 'init-default-branch',
  });
  await assert.rejects(
    resolveLocalExceptionsRef(dir, 'release'),
    isCode('EXCEPTIONS_REF_NOT_DEFAULT'),
  );
});
