import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  formatChecksums,
  mergeSubjects,
  parseChecksums,
  parseDigestSubject,
  parseOciReference,
} from '../../../src/core/subjects/subjects.ts';
import { ROOT } from '../../helpers/cli.ts';

const HEX = 'a'.repeat(64);
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

test('NAME@sha256:HEX is a subject with that name and digest', () => {
  assert.deepEqual(parseDigestSubject(`app-linux-amd64@sha256:${HEX}`), {
    subject: { name: 'app-linux-amd64', digest: { sha256: HEX } },
  });
  assert.equal(parseDigestSubject('dist/app.tgz'), undefined, 'a path is not a digest subject');
});

test('a malformed digest subject is refused with SUBJECT_INVALID', () => {
  for (const bad of [
    `x@sha256:${'a'.repeat(63)}`,
    `@sha256:${HEX}`,
    `x@sha512:${'a'.repeat(128)}`,
    `x@sha256:${'g'.repeat(64)}`,
  ]) {
    assert.throws(() => parseDigestSubject(bad), { code: 'SUBJECT_INVALID' }, bad);
  }
});

test('an OCI reference with a digest names the repository (tag dropped) and keeps the image', () => {
  const parsed = parseDigestSubject(`ghcr.io/acme/app:v1.2.3@sha256:${HEX}`);
  assert.deepEqual(parsed, {
    subject: { name: 'ghcr.io/acme/app', digest: { sha256: HEX } },
    oci: { registry: 'ghcr.io', repository: 'acme/app', digest: `sha256:${HEX}` },
  });
  const local = parseDigestSubject(`127.0.0.1:5000/team/app@sha256:${HEX}`);
  assert.equal(local?.oci?.registry, '127.0.0.1:5000');
  assert.equal(local?.oci?.repository, 'team/app');
});

test('an OCI reference by tag only is refused: a tag is mutable (THREATS 28)', () => {
  for (const ref of [
    'ghcr.io/acme/app:v1',
    'localhost:5000/app:latest',
    'registry.example.com/a/b/c:1.0',
    'ghcr.io/acme/app',
  ]) {
    assert.throws(() => parseDigestSubject(ref), { code: 'SUBJECT_MUTABLE_REF' }, ref);
  }
  assert.throws(() => parseDigestSubject('ghcr.io/acme/app@sha256:abc'), {
    code: 'SUBJECT_INVALID',
  });
  assert.equal(
    parseOciReference('dist/app:1'),
    undefined,
    'a relative path with a colon is not an image',
  );
});

test('a real sha256sum file (text, binary and BSD lines) reads as subjects', () => {
  const text = readFileSync(join(ROOT, 'test/fixtures/provenance/sha256sum.txt'), 'utf8');
  const subjects = parseChecksums(text, 'sha256sum.txt');
  assert.deepEqual(subjects, [
    { name: 'one.txt', digest: { sha256: sha('hello\n') } },
    { name: 'two.bin', digest: { sha256: sha('two') } },
    { name: 'one.txt', digest: { sha256: sha('hello\n') } },
  ]);
  assert.equal(
    formatChecksums(mergeSubjects(subjects)),
    `${sha('hello\n')}  one.txt\n${sha('two')}  two.bin\n`,
  );
});

test('a checksums line that is not sha256sum format is refused with its line number', () => {
  assert.throws(
    () => parseChecksums(`${HEX}  ok\nnot a checksum line\n`, 'SHA256SUMS'),
    (e: Error & { code: string }) => {
      assert.equal(e.code, 'CHECKSUMS_INVALID');
      assert.match(e.message, /SHA256SUMS:2/);
      return true;
    },
  );
  assert.throws(() => parseChecksums(`${'b'.repeat(40)}  sha1-file\n`, 'SUMS'), {
    code: 'CHECKSUMS_INVALID',
  });
});

test('duplicate subjects: the same digest collapses, a different digest is refused', () => {
  const merged = mergeSubjects([
    { name: 'b', digest: { sha256: HEX } },
    { name: 'a', digest: { sha256: HEX } },
    { name: 'b', digest: { sha256: HEX } },
  ]);
  assert.deepEqual(
    merged.map((s) => s.name),
    ['a', 'b'],
    'sorted and deduplicated',
  );
  assert.throws(
    () =>
      mergeSubjects([
        { name: 'app', digest: { sha256: HEX } },
        { name: 'app', digest: { sha256: 'b'.repeat(64) } },
      ]),
    { code: 'SUBJECT_DUPLICATE' },
  );
});

test('zero subjects is refused with SUBJECT_NONE', () => {
  assert.throws(() => mergeSubjects([]), { code: 'SUBJECT_NONE' });
});

test('thousands of subjects merge in order', () => {
  const many = Array.from({ length: 5000 }, (_, i) => ({
    name: `file-${String(i).padStart(5, '0')}`,
    digest: { sha256: sha(String(i)) },
  }));
  const merged = mergeSubjects([...many].reverse());
  assert.equal(merged.length, 5000);
  assert.equal(merged[0]!.name, 'file-00000');
  assert.equal(merged[4999]!.name, 'file-04999');
});
