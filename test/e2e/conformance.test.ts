/**
 * Every Sigstore conformance case (../shared/conformance/sigstore/cases.json), in PATH and DIGEST
 * modes, through the same function `vouch verify-bundle` runs; a handful through the real CLI.
 * Every refusal is a coded VouchError (refusal or user), never a crash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyBundleProtocol } from '../../src/adapters/verify/protocol.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { VouchError } from '../../src/errors.ts';
import { SHARED, vouch } from '../helpers/cli.ts';

interface Case {
  name: string;
  expect: 'success' | 'failure';
  bundle: string;
  artifact: string;
  artifactDigest: string;
  trustedRoot: string;
  verifyMode: 'identity' | 'key';
  identity?: string;
  issuer?: string;
  key?: string;
}

const BASE = join(SHARED, 'conformance', 'sigstore');
const { cases } = JSON.parse(readFileSync(join(BASE, 'cases.json'), 'utf8')) as { cases: Case[] };

function args(c: Case, mode: 'path' | 'digest') {
  return {
    bundle: join(BASE, c.bundle),
    artifact: mode === 'path' ? join(BASE, c.artifact) : c.artifactDigest,
    trustedRoot: join(BASE, c.trustedRoot),
    ...(c.verifyMode === 'key'
      ? { key: join(BASE, c.key!) }
      : { identity: c.identity!, issuer: c.issuer! }),
  };
}

/** Expected codes for cases whose reason is clear from the name (the rest: any coded refusal). */
const EXPECTED_CODE: Readonly<Record<string, string>> = {
  'bundle-with-root-cert_fail': 'VERIFY_CERTIFICATE_INVALID',
  'trust-root-tlog-missing-validity-start_fail': 'VERIFY_TRUST_ROOT_INVALID',
  'bundle-malformed-json_fail': 'VERIFY_BUNDLE_INVALID',
  'bundle-unknown-version_fail': 'VERIFY_BUNDLE_INVALID',
  'bundle-empty-certificate-chain_fail': 'VERIFY_BUNDLE_INVALID',
  'managed-key-no-key_fail': 'VERIFY_POLICY_MISSING',
  'managed-key-wrong-key_fail': 'VERIFY_KEY_INVALID',
  'message-digest-mismatch_fail': 'VERIFY_ARTIFACT_MISMATCH',
  'inclusion-proof-corrupted-hash_fail': 'VERIFY_INCLUSION_PROOF_INVALID',
  'checkpoint-wrong-roothash_fail': 'VERIFY_INCLUSION_PROOF_INVALID',
  'invalid-checkpoint-signature_fail': 'VERIFY_INCLUSION_PROOF_INVALID',
  'rekor2-no-timestamp_fail': 'VERIFY_TIMESTAMP_INVALID',
  'set-invalid-signature_fail': 'VERIFY_TLOG_INVALID',
  'bundle-from-wrong-instance_fail': 'VERIFY_CERTIFICATE_INVALID',
  'intoto-expired-certificate_fail': 'VERIFY_CERTIFICATE_INVALID',
  'invalid-ct-key_fail': 'VERIFY_CERTIFICATE_INVALID',
};

test('the case list is the full upstream set', () => {
  assert.equal(cases.length, 60);
  assert.equal(cases.filter((c) => c.expect === 'failure').length, 43);
});

for (const mode of ['path', 'digest'] as const) {
  for (const c of cases) {
    test(`${mode}: ${c.name} → ${c.expect}`, async () => {
      let error: unknown;
      try {
        await verifyBundleProtocol(args(c, mode), { cwd: BASE, logger: silentLogger });
      } catch (thrown) {
        error = thrown;
      }
      if (c.expect === 'success') {
        assert.equal(error, undefined, `expected success, got ${String(error)}`);
        return;
      }
      assert.ok(error instanceof VouchError, `a coded VouchError, not ${String(error)}`);
      assert.ok(
        error.kind === 'refusal' || error.kind === 'user',
        `${error.code} is ${error.kind}`,
      );
      assert.match(error.code, /^(VERIFY_|FILE_|JSON_|UNSAFE_KEY)/);
      const want = EXPECTED_CODE[c.name];
      if (want) assert.equal(error.code, want);
    });
  }
}

const CLI_CASES: ReadonlyArray<[string, 'path' | 'digest', number]> = [
  ['happy-path-v0.3', 'path', 0],
  ['rekor2-dsse-happy-path', 'digest', 0],
  ['managed-key-happy-path', 'digest', 0],
  ['bundle-with-root-cert_fail', 'path', 1],
  ['trust-root-tlog-missing-validity-start_fail', 'digest', 2],
  ['message-digest-mismatch_fail', 'path', 1],
  ['bundle-malformed-json_fail', 'path', 2],
];

for (const [name, mode, exit] of CLI_CASES) {
  test(`vouch verify-bundle (real CLI), ${mode}: ${name} exits ${exit}`, () => {
    const c = cases.find((x) => x.name === name)!;
    const a = args(c, mode);
    const argv = ['verify-bundle', '--bundle', a.bundle, '--trusted-root', a.trustedRoot];
    if ('key' in a) argv.push('--key', a.key);
    else argv.push('--certificate-identity', a.identity, '--certificate-oidc-issuer', a.issuer);
    argv.push(a.artifact);
    const r = vouch(argv);
    assert.equal(r.status, exit, r.stderr);
    if (exit !== 0) assert.match(r.stderr, /\[VERIFY_[A-Z_]+\]/);
  });
}

test('vouch verify-bundle: an identity that is a prefix of the real one is refused (exact match)', () => {
  const c = cases.find((x) => x.name === 'happy-path-v0.3')!;
  const r = vouch([
    'verify-bundle',
    '--bundle',
    join(BASE, c.bundle),
    '--trusted-root',
    join(BASE, c.trustedRoot),
    '--certificate-identity',
    c.identity!.slice(0, -1),
    '--certificate-oidc-issuer',
    c.issuer!,
    join(BASE, c.artifact),
  ]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /VERIFY_IDENTITY_MISMATCH/);
});
