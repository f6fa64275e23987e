import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildStatement,
  buildStatements,
  INTOTO_PAYLOAD_TYPE,
  serializeStatement,
  STATEMENT_TYPE,
} from '../../../src/core/provenance/statement.ts';
import {
  checkPredicateFits,
  CYCLONEDX_PREDICATE,
  detectSbomKind,
  SPDX_PREDICATE,
} from '../../../src/core/provenance/predicates.ts';

const A = { name: 'a.tgz', digest: { sha256: 'a'.repeat(64) } };
const B = { name: 'b.tgz', digest: { sha256: 'b'.repeat(64) } };

test('a Statement v1 has the spec fields in the spec order', () => {
  const s = buildStatement([A, B], 'https://example.com/predicate/v1', { x: 1 });
  assert.equal(STATEMENT_TYPE, 'https://in-toto.io/Statement/v1');
  assert.equal(INTOTO_PAYLOAD_TYPE, 'application/vnd.in-toto+json');
  assert.equal(
    serializeStatement(s).toString(),
    `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a.tgz","digest":{"sha256":"${'a'.repeat(64)}"}},{"name":"b.tgz","digest":{"sha256":"${'b'.repeat(64)}"}}],"predicateType":"https://example.com/predicate/v1","predicate":{"x":1}}`,
  );
});

test('one statement per subject on request', () => {
  const all = buildStatements([A, B], CYCLONEDX_PREDICATE, { bomFormat: 'CycloneDX' }, false);
  assert.equal(all.length, 1);
  const each = buildStatements([A, B], CYCLONEDX_PREDICATE, { bomFormat: 'CycloneDX' }, true);
  assert.deepEqual(
    each.map((s) => s.subject.map((x) => x.name)),
    [['a.tgz'], ['b.tgz']],
  );
});

test('bad statements are refused with codes', () => {
  assert.throws(() => buildStatement([], 'https://x.dev/p', {}), { code: 'SUBJECT_NONE' });
  assert.throws(
    () => buildStatement([{ name: 'x', digest: { sha256: 'abc' } }], 'https://x.dev/p', {}),
    { code: 'SUBJECT_INVALID' },
  );
  assert.throws(() => buildStatement([A], 'not a uri', {}), { code: 'PREDICATE_TYPE_INVALID' });
  assert.throws(() => buildStatement([A], 'https://x.dev/p', [1, 2]), {
    code: 'PREDICATE_INVALID',
  });
});

test('an SBOM predicate type needs an SBOM of that kind, and says what was found', () => {
  const cdx = { bomFormat: 'CycloneDX', specVersion: '1.6', components: [] };
  const spdx = { spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT' };
  assert.equal(detectSbomKind(cdx), 'cyclonedx');
  assert.equal(detectSbomKind(spdx), 'spdx');
  checkPredicateFits(CYCLONEDX_PREDICATE, cdx, 'bom.json');
  checkPredicateFits(SPDX_PREDICATE, spdx, 'doc.spdx.json');
  checkPredicateFits('https://spdx.dev/Document', spdx, 'doc.spdx.json');
  assert.throws(
    () => checkPredicateFits(SPDX_PREDICATE, cdx, 'bom.json'),
    (e: Error & { code: string }) => {
      assert.equal(e.code, 'SBOM_PREDICATE_MISMATCH');
      assert.match(e.message, /found CycloneDX 1\.6/);
      return true;
    },
  );
  assert.throws(
    () => checkPredicateFits(CYCLONEDX_PREDICATE, { name: 'x', packages: [] }, 'p.json'),
    /found a JSON object with keys name, packages/,
  );
  assert.throws(() => checkPredicateFits('https://slsa.dev/provenance/v1', {}, 'p.json'), {
    code: 'PREDICATE_TYPE_INVALID',
  });
  assert.throws(() => checkPredicateFits('https://x.dev/p', 'text', 'p.json'), {
    code: 'PREDICATE_INVALID',
  });
});
