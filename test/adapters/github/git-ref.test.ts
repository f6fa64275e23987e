import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadExceptionsFromGitRef } from '../../../src/adapters/github/git-ref.ts';
import { VouchError } from '../../../src/errors.ts';

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
