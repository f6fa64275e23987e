import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectSubjects } from '../../../src/adapters/attest/collect-subjects.ts';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-subjects-'));
  mkdirSync(join(dir, 'dist', 'linux'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'app.tgz'), 'app tarball');
  writeFileSync(join(dir, 'dist', 'linux', 'app-linux'), 'linux binary');
  writeFileSync(join(dir, 'README.md'), 'readme');
  return dir;
}

test('paths and globs become sha256 subjects named by file name, sorted', async () => {
  const dir = workspace();
  const r = await collectSubjects({ workspace: dir, specs: ['dist/**/*', 'README.md'] });
  assert.deepEqual(r.subjects, [
    { name: 'README.md', digest: { sha256: sha('readme') } },
    { name: 'app-linux', digest: { sha256: sha('linux binary') } },
    { name: 'app.tgz', digest: { sha256: sha('app tarball') } },
  ]);
  assert.equal(r.files.get('app.tgz'), join(dir, 'dist', 'app.tgz'));
});

test('checksum files, NAME@sha256 and OCI digests combine with files', async () => {
  const dir = workspace();
  writeFileSync(join(dir, 'SHA256SUMS'), `${sha('x')}  x.bin\n${sha('app tarball')} *app.tgz\n`);
  const image = `127.0.0.1:5000/team/app@sha256:${'c'.repeat(64)}`;
  const r = await collectSubjects({
    workspace: dir,
    specs: ['dist/app.tgz', `y.bin@sha256:${sha('y')}`, image],
    checksums: ['SHA256SUMS'],
  });
  assert.deepEqual(
    r.subjects.map((s) => s.name),
    ['127.0.0.1:5000/team/app', 'app.tgz', 'x.bin', 'y.bin'],
  );
  assert.deepEqual(r.images, [
    { registry: '127.0.0.1:5000', repository: 'team/app', digest: `sha256:${'c'.repeat(64)}` },
  ]);
});

test('a checksums entry disagreeing with the file on disk is refused (SUBJECT_DUPLICATE)', async () => {
  const dir = workspace();
  writeFileSync(join(dir, 'SHA256SUMS'), `${sha('stale')}  app.tgz\n`);
  await assert.rejects(
    collectSubjects({ workspace: dir, specs: ['dist/app.tgz'], checksums: ['SHA256SUMS'] }),
    { code: 'SUBJECT_DUPLICATE' },
  );
});

test('two files with the same name and different content are refused', async () => {
  const dir = workspace();
  writeFileSync(join(dir, 'dist', 'linux', 'app.tgz'), 'another tarball');
  await assert.rejects(collectSubjects({ workspace: dir, specs: ['dist/**/*.tgz'] }), {
    code: 'SUBJECT_DUPLICATE',
  });
});

test('subjects outside the workspace are refused: .., absolute paths, escaping symlinks (THREATS 33)', async () => {
  const dir = workspace();
  const outside = mkdtempSync(join(tmpdir(), 'vouch-outside-'));
  writeFileSync(join(outside, 'secret'), 'secret');
  symlinkSync(join(outside, 'secret'), join(dir, 'dist', 'link'));
  for (const spec of ['../x', `${outside}/secret`, 'dist/link']) {
    await assert.rejects(
      collectSubjects({ workspace: dir, specs: [spec] }),
      { code: 'PATH_OUTSIDE_WORKSPACE' },
      spec,
    );
  }
  // A glob never walks through or returns a symbolic link: the secret is not hashed.
  const globbed = await collectSubjects({ workspace: dir, specs: ['dist/*'] });
  assert.deepEqual(
    globbed.subjects.map((s) => s.name),
    ['app.tgz'],
  );
  // A symlink that stays inside the workspace is fine.
  const inner = workspace();
  symlinkSync(join(inner, 'README.md'), join(inner, 'dist', 'readme-link'));
  const r = await collectSubjects({ workspace: inner, specs: ['dist/readme-link'] });
  assert.equal(r.subjects[0]!.digest['sha256'], sha('readme'));
});

test('no match, a missing file, a directory, a tag-only image: coded errors', async () => {
  const dir = workspace();
  await assert.rejects(collectSubjects({ workspace: dir, specs: ['dist/*.zip'] }), {
    code: 'SUBJECT_NONE',
  });
  await assert.rejects(collectSubjects({ workspace: dir, specs: ['dist/missing.tgz'] }), {
    code: 'FILE_UNREADABLE',
  });
  await assert.rejects(collectSubjects({ workspace: dir, specs: ['dist'] }), {
    code: 'SUBJECT_INVALID',
  });
  await assert.rejects(collectSubjects({ workspace: dir, specs: ['ghcr.io/acme/app:latest'] }), {
    code: 'SUBJECT_MUTABLE_REF',
  });
  await assert.rejects(collectSubjects({ workspace: dir, specs: [] }), { code: 'SUBJECT_NONE' });
});

test('thousands of files in one run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-many-'));
  mkdirSync(join(dir, 'out'));
  for (let i = 0; i < 3000; i++) writeFileSync(join(dir, 'out', `f${i}.bin`), `content ${i}`);
  const r = await collectSubjects({ workspace: dir, specs: ['out/*.bin'] });
  assert.equal(r.subjects.length, 3000);
  assert.equal(
    r.subjects.find((s) => s.name === 'f1234.bin')!.digest['sha256'],
    sha('content 1234'),
  );
});
