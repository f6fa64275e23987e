import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeDerUtf8String,
  decodeFulcioClaims,
  FULCIO_OIDS,
} from '../../../src/core/verify/claims.ts';
import {
  checkIdentityPolicy,
  compileIdentityPattern,
  sameRepository,
  workflowPath,
  type CertificateSigner,
} from '../../../src/core/verify/identity-policy.ts';
import { VouchError } from '../../../src/errors.ts';

const ISSUER = 'https://token.actions.githubusercontent.com';
const SAN = 'https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v1.0.0';

const signer: CertificateSigner = {
  identity: SAN,
  claims: {
    issuer: ISSUER,
    sourceRepositoryUri: 'https://github.com/org/repo',
    sourceRepositoryRef: 'refs/tags/v1.0.0',
    sourceRepositoryDigest: 'c'.repeat(40),
    buildConfigUri: SAN,
    buildSignerUri: 'https://github.com/org/shared/.github/workflows/build.yml@refs/tags/v2',
    buildSignerDigest: 'd'.repeat(40),
    buildTrigger: 'push',
    runnerEnvironment: 'self-hosted',
  },
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

test('exact identity and issuer pass; everything else is refused with its code (THREATS 17)', () => {
  assert.equal(
    code(() => checkIdentityPolicy({ identity: SAN, issuer: ISSUER }, signer)),
    'passed',
  );
  assert.equal(
    code(() => checkIdentityPolicy({ identity: `${SAN}x`, issuer: ISSUER }, signer)),
    'VERIFY_IDENTITY_MISMATCH',
  );
  assert.equal(
    code(() =>
      checkIdentityPolicy({ identity: SAN, issuer: 'https://accounts.google.com' }, signer),
    ),
    'VERIFY_ISSUER_MISMATCH',
  );
  assert.equal(
    code(() => checkIdentityPolicy({ identity: SAN, issuer: `${ISSUER}/` }, signer)),
    'VERIFY_ISSUER_MISMATCH',
  );
});

test('a plain identity never matches as a substring or prefix; patterns are anchored (THREATS 18)', () => {
  const evil: CertificateSigner = {
    ...signer,
    identity: 'https://github.com/org/repo-evil/.github/workflows/release.yml@refs/tags/v1.0.0',
  };
  assert.equal(
    code(() => checkIdentityPolicy({ identity: SAN, issuer: ISSUER }, evil)),
    'VERIFY_IDENTITY_MISMATCH',
  );
  // An unanchored search would accept this; the anchored pattern does not.
  assert.equal(
    code(() =>
      checkIdentityPolicy(
        { identityPattern: 'https://github.com/org/repo', issuer: ISSUER },
        signer,
      ),
    ),
    'VERIFY_IDENTITY_MISMATCH',
  );
  assert.equal(
    code(() =>
      checkIdentityPolicy(
        {
          identityPattern:
            'https://github\\.com/org/repo/\\.github/workflows/release\\.yml@refs/tags/v.*',
          issuer: ISSUER,
        },
        evil,
      ),
    ),
    'VERIFY_IDENTITY_MISMATCH',
  );
  assert.equal(
    code(() =>
      checkIdentityPolicy(
        {
          identityPattern:
            'https://github\\.com/org/repo/\\.github/workflows/release\\.yml@refs/tags/v.*',
          issuer: ISSUER,
        },
        signer,
      ),
    ),
    'passed',
  );
  // A pattern that only compiles once wrapped would close the anchoring group: refused.
  for (const pattern of ['https://github.com/nobody/x)|(.*', 'x)|(?<=.)(.*', '\\k<a>)|(?<a>.*']) {
    assert.equal(
      code(() => checkIdentityPolicy({ identityPattern: pattern, issuer: ISSUER }, evil)),
      'USAGE_INVALID_VALUE',
      pattern,
    );
  }
  assert.equal(compileIdentityPattern('a|b').source, '^(?:a|b)$');
  assert.equal(compileIdentityPattern('a|b').test('ab'), false);
  assert.equal(sameRepository('org/repo', 'https://github.com/org/repo-evil'), false);
  assert.equal(sameRepository('org/repo', 'https://github.com/evil-org/repo'), false);
  assert.equal(sameRepository('org/repo', 'https://github.com/org/repo'), true);
  assert.equal(sameRepository('org/repo', 'https://github.com/Org/repo'), false);
});

test('GitHub certificate claims must equal the policy (THREATS 19)', () => {
  const base = { identity: SAN, issuer: ISSUER };
  assert.equal(
    code(() =>
      checkIdentityPolicy(
        {
          ...base,
          repository: 'org/repo',
          ref: 'refs/tags/v1.0.0',
          trigger: 'push',
          commit: 'c'.repeat(40),
          workflow: '.github/workflows/release.yml',
        },
        signer,
      ),
    ),
    'passed',
  );
  for (const extra of [
    { repository: 'org/repo-evil' },
    { repository: 'org/rep' },
    { ref: 'refs/heads/main' },
    { ref: 'refs/tags/V1.0.0' },
    { trigger: 'workflow_dispatch' },
    { commit: 'e'.repeat(40) },
    { workflow: '.github/workflows/other.yml' },
    { signerWorkflow: 'org/shared/.github/workflows/build.yml@refs/heads/main' },
    { signerDigest: 'f'.repeat(40) },
    { githubHostedOnly: true },
  ]) {
    assert.equal(
      code(() => checkIdentityPolicy({ ...base, ...extra }, signer)),
      'VERIFY_CLAIM_MISMATCH',
      JSON.stringify(extra),
    );
  }
  assert.equal(
    code(() =>
      checkIdentityPolicy(
        { ...base, signerWorkflow: 'org/shared/.github/workflows/build.yml' },
        signer,
      ),
    ),
    'passed',
  );
  assert.equal(workflowPath(SAN), '.github/workflows/release.yml');
});

test('a policy without issuer, or with both identity and pattern, is a usage conflict', () => {
  assert.equal(
    code(() => checkIdentityPolicy({ identity: SAN, issuer: '' }, signer)),
    'VERIFY_POLICY_CONFLICT',
  );
  assert.equal(
    code(() =>
      checkIdentityPolicy({ identity: SAN, identityPattern: '.*', issuer: ISSUER }, signer),
    ),
    'VERIFY_POLICY_CONFLICT',
  );
  assert.equal(
    code(() => checkIdentityPolicy({ identityPattern: '(', issuer: ISSUER }, signer)),
    'USAGE_INVALID_VALUE',
  );
});

test('Fulcio claims: v2 DER UTF8String values, v1 raw values as fallback', () => {
  const der = (s: string) => Buffer.concat([Buffer.from([0x0c, s.length]), Buffer.from(s)]);
  assert.equal(decodeDerUtf8String(der('push')), 'push');
  assert.equal(decodeDerUtf8String(Buffer.from('push')), undefined);
  const values = new Map<string, Uint8Array>([
    [FULCIO_OIDS.issuerV1, Buffer.from(ISSUER)],
    [FULCIO_OIDS.githubWorkflowTrigger, Buffer.from('release')],
    [FULCIO_OIDS.sourceRepositoryUri, der('https://github.com/org/repo')],
    [FULCIO_OIDS.buildTrigger, der('push')],
  ]);
  const claims = decodeFulcioClaims((oid) => values.get(oid));
  assert.equal(claims.issuer, ISSUER);
  assert.equal(claims.buildTrigger, 'push');
  assert.equal(claims.sourceRepositoryUri, 'https://github.com/org/repo');
});
