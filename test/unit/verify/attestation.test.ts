import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkPredicateType,
  checkSbomPredicate,
  findSubject,
  parseStatement,
} from '../../../src/core/verify/attestation.ts';
import { buildVsa, VSA_PREDICATE_TYPE } from '../../../src/core/verify/vsa.ts';
import { VouchError } from '../../../src/errors.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

function envelope(statement: unknown, o: { type?: string; sigs?: number } = {}) {
  return {
    payloadType: o.type ?? 'application/vnd.in-toto+json',
    payload: Buffer.from(typeof statement === 'string' ? statement : JSON.stringify(statement)),
    signatures: Array.from({ length: o.sigs ?? 1 }, () => ({ sig: 'x' })),
  };
}

const statement = {
  _type: 'https://in-toto.io/Statement/v1',
  subject: [{ name: 'app.tgz', digest: { sha256: A } }],
  predicateType: 'https://slsa.dev/provenance/v1',
  predicate: {},
};

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof VouchError, String(error));
    return error.code;
  }
  return 'passed';
}

test('DSSE: exactly one signature, the in-toto payload type (THREATS 11, 12)', () => {
  assert.equal(
    code(() => parseStatement(envelope(statement))),
    'passed',
  );
  assert.equal(
    code(() => parseStatement(envelope(statement, { sigs: 0 }))),
    'VERIFY_DSSE_INVALID',
  );
  assert.equal(
    code(() => parseStatement(envelope(statement, { sigs: 2 }))),
    'VERIFY_DSSE_INVALID',
  );
  assert.equal(
    code(() => parseStatement(envelope(statement, { type: 'text/plain' }))),
    'VERIFY_DSSE_INVALID',
  );
});

test('Statement v1 with digest subjects (THREATS 13, 25)', () => {
  assert.equal(
    code(() =>
      parseStatement(envelope({ ...statement, _type: 'https://in-toto.io/Statement/v0.1' })),
    ),
    'VERIFY_STATEMENT_INVALID',
  );
  assert.equal(
    code(() => parseStatement(envelope({ ...statement, subject: [] }))),
    'VERIFY_STATEMENT_INVALID',
  );
  assert.equal(
    code(() =>
      parseStatement(envelope({ ...statement, subject: [{ name: 'x', digest: { md5: 'ab' } }] })),
    ),
    'VERIFY_STATEMENT_INVALID',
  );
  assert.equal(
    code(() =>
      parseStatement(
        envelope({ ...statement, subject: [{ name: 'x', digest: { sha256: A.slice(0, 40) } }] }),
      ),
    ),
    'VERIFY_STATEMENT_INVALID',
  );
  assert.equal(
    code(() =>
      parseStatement(envelope({ ...statement, subject: [{ name: 'x', digest: { sha256: '' } }] })),
    ),
    'VERIFY_STATEMENT_INVALID',
  );
  assert.equal(
    code(() => parseStatement(envelope('{not json'))),
    'VERIFY_STATEMENT_INVALID',
  );
  assert.equal(
    code(() => parseStatement(envelope('{"__proto__":{"x":1}}'))),
    'VERIFY_STATEMENT_INVALID',
  );
});

test('the artifact must be a subject; every shared algorithm must agree (THREATS 1, 13)', () => {
  const st = parseStatement(
    envelope({
      ...statement,
      subject: [{ name: 'a', digest: { sha256: A, sha512: 'c'.repeat(128) } }],
    }),
  );
  assert.equal(findSubject(st, { sha256: A }).name, 'a');
  assert.equal(
    code(() => findSubject(st, { sha256: B })),
    'VERIFY_SUBJECT_MISMATCH',
  );
  assert.equal(
    code(() => findSubject(st, { sha256: A, sha512: 'd'.repeat(128) })),
    'VERIFY_SUBJECT_MISMATCH',
  );
  assert.equal(findSubject(st, { sha512: 'c'.repeat(128) }).name, 'a');
});

test('predicate type as asked; SPDX with and without version (THREATS 12)', () => {
  const st = parseStatement(envelope(statement));
  assert.equal(
    code(() => checkPredicateType(st, 'https://slsa.dev/provenance/v1')),
    'passed',
  );
  assert.equal(
    code(() => checkPredicateType(st, 'https://slsa.dev/provenance/v0.2')),
    'VERIFY_PREDICATE_TYPE',
  );
  const spdx = parseStatement(
    envelope({ ...statement, predicateType: 'https://spdx.dev/Document' }),
  );
  assert.equal(
    code(() => checkPredicateType(spdx, 'https://spdx.dev/Document/v2.3')),
    'passed',
  );
});

test('SBOM predicates must parse as what they claim', () => {
  assert.deepEqual(
    checkSbomPredicate('https://cyclonedx.org/bom', {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      components: [{}, {}],
    }),
    {
      format: 'CycloneDX',
      specVersion: '1.6',
      components: 2,
    },
  );
  assert.equal(
    code(() => checkSbomPredicate('https://cyclonedx.org/bom', { spdxVersion: 'SPDX-2.3' })),
    'VERIFY_PREDICATE_INVALID',
  );
  assert.equal(
    code(() =>
      checkSbomPredicate('https://spdx.dev/Document/v2.3', {
        spdxVersion: 'SPDX-2.3',
        SPDXID: 'SPDXRef-DOCUMENT',
        packages: [],
      }),
    ),
    'passed',
  );
  assert.equal(
    code(() => checkSbomPredicate('https://spdx.dev/Document/v2.3', 'text')),
    'VERIFY_PREDICATE_INVALID',
  );
});

test('buildVsa: an SLSA VSA v1 statement, whole-second time, FAILED level on failure', () => {
  const vsa = buildVsa({
    name: 'app.tgz',
    digest: { sha256: A },
    resourceUri: 'https://example.com/app.tgz',
    passed: true,
    timeVerified: new Date('2026-01-02T03:04:05.678Z'),
    policy: { uri: 'https://example.com/policy' },
    inputAttestations: [{ uri: 'app.tgz.sigstore.json', digest: { sha256: B } }],
    verifiedLevels: ['SLSA_BUILD_LEVEL_2'],
  });
  assert.equal(vsa._type, 'https://in-toto.io/Statement/v1');
  assert.equal(vsa.predicateType, VSA_PREDICATE_TYPE);
  assert.deepEqual(vsa.subject, [{ name: 'app.tgz', digest: { sha256: A } }]);
  assert.equal(vsa.predicate.timeVerified, '2026-01-02T03:04:05Z');
  assert.equal(vsa.predicate.verificationResult, 'PASSED');
  assert.deepEqual(vsa.predicate.verifiedLevels, ['SLSA_BUILD_LEVEL_2']);
  assert.equal(vsa.predicate.slsaVersion, '1.0');
  const failed = buildVsa({
    ...{
      name: 'x',
      digest: { sha256: A },
      resourceUri: 'file:x',
      timeVerified: new Date(0),
      policy: { uri: 'p' },
      inputAttestations: [],
    },
    passed: false,
  });
  assert.equal(failed.predicate.verificationResult, 'FAILED');
  assert.deepEqual(failed.predicate.verifiedLevels, ['FAILED']);
});
