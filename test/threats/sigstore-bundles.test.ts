/**
 * THREATS 2, 4, 6–11, 14, 16, 18 and 50 (log and CA windows): each refusal asserted by its exact code
 * on the real Sigstore conformance bundles (../shared/conformance/sigstore), and on copies of the
 * happy-path bundle and the production trusted root altered the way the conformance suite makes
 * its cases. Verification writes nothing: the CLI runs leave their directory as they found it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { sign, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyBundleProtocol } from '../../src/adapters/verify/protocol.ts';
import { verifyArtifacts } from '../../src/adapters/verify/verify-artifacts.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { ERROR_CODES, VouchError } from '../../src/errors.ts';
import { SHARED, vouch } from '../helpers/cli.ts';
import { startMockSigstore } from '../helpers/signing/mock-sigstore.ts';
import {
  generateTestKey,
  githubProvenance,
  ISSUER as GITHUB_ISSUER,
  keyDsseBundle,
  keylessMessageBundle,
  SAN,
  statementFor,
} from '../helpers/verify-bundles.ts';

const BASE = join(SHARED, 'conformance', 'sigstore');

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

const { cases } = JSON.parse(readFileSync(join(BASE, 'cases.json'), 'utf8')) as { cases: Case[] };

function conformanceCase(name: string): Case {
  const c = cases.find((x) => x.name === name);
  assert.ok(c, `conformance case ${name} exists`);
  return c;
}

/** The code `vouch verify-bundle` refuses a conformance case with, in path and digest mode. */
async function codeOf(name: string, mode: 'path' | 'digest' = 'path'): Promise<string> {
  const c = conformanceCase(name);
  return outcome({
    bundle: join(BASE, c.bundle),
    artifact: mode === 'path' ? join(BASE, c.artifact) : c.artifactDigest,
    trustedRoot: join(BASE, c.trustedRoot),
    ...(c.verifyMode === 'key'
      ? { key: join(BASE, c.key!) }
      : { identity: c.identity!, issuer: c.issuer! }),
  });
}

async function outcome(args: Parameters<typeof verifyBundleProtocol>[0]): Promise<string> {
  try {
    await verifyBundleProtocol(args, { cwd: BASE, logger: silentLogger });
    return 'pass';
  } catch (error) {
    assert.ok(error instanceof VouchError, `a coded VouchError, not ${String(error)}`);
    assert.ok(error.code in ERROR_CODES);
    return error.code;
  }
}

async function expectCodes(table: ReadonlyArray<readonly [string, string]>): Promise<void> {
  for (const [name, code] of table) {
    for (const mode of ['path', 'digest'] as const) {
      assert.equal(await codeOf(name, mode), code, `${name} (${mode})`);
    }
  }
}

const IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';
const ARTIFACT = join(BASE, 'bundle-verify', 'a.txt');

interface Window {
  start?: string;
  end?: string;
}
interface TrustedRootDoc {
  certificateAuthorities: Array<{ validFor: Window }>;
  tlogs: Array<{ publicKey: { validFor: Window } }>;
}
interface BundleDoc {
  verificationMaterial: {
    tlogEntries: Array<{ inclusionProof?: { logIndex: string; treeSize: string } }>;
  };
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(join(BASE, path), 'utf8')) as T;
}

/** Verifies an altered copy of a real bundle against an altered copy of a real trusted root. */
async function alteredOutcome(bundle: BundleDoc, root: TrustedRootDoc): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-threats-sigstore-'));
  writeFileSync(join(dir, 'bundle.sigstore.json'), JSON.stringify(bundle));
  writeFileSync(join(dir, 'trusted_root.json'), JSON.stringify(root));
  return outcome({
    bundle: join(dir, 'bundle.sigstore.json'),
    trustedRoot: join(dir, 'trusted_root.json'),
    artifact: ARTIFACT,
    identity: IDENTITY,
    issuer: ISSUER,
  });
}

const PRODUCTION = readJson<TrustedRootDoc>('trusted_root.production.json');
const HAPPY = readJson<BundleDoc>('bundle-verify/happy-path-v0.3/bundle.sigstore.json');

test('THREATS 2: a signature that is not valid base64, or that signs other bytes, is refused', async () => {
  await expectCodes([
    ['bundle-invalid-base64-signature_fail', 'VERIFY_TLOG_INVALID'],
    ['signature-mismatch_fail', 'VERIFY_TLOG_INVALID'],
  ]);
});

test('THREATS 4: empty chain, a chain that includes the root, a leaf from an untrusted CA', async () => {
  await expectCodes([
    ['bundle-empty-certificate-chain_fail', 'VERIFY_BUNDLE_INVALID'],
    ['bundle-with-root-cert_fail', 'VERIFY_CERTIFICATE_INVALID'],
    ['bundle-from-wrong-instance_fail', 'VERIFY_CERTIFICATE_INVALID'],
  ]);
});

test('THREATS 6: expired certificate, log or TSA time outside the certificate, CA window', async () => {
  await expectCodes([
    ['intoto-expired-certificate_fail', 'VERIFY_CERTIFICATE_INVALID'],
    ['integrated-time-in-future_fail', 'VERIFY_CERTIFICATE_INVALID'],
    ['intoto-tsa-timestamp-outside-cert-validity_fail', 'VERIFY_CERTIFICATE_INVALID'],
    ['rekor2-timestamp-with-incorrect-time_fail', 'VERIFY_CERTIFICATE_INVALID'],
  ]);
  // The certificate was issued in 2024; a trusted root whose CAs all ended in 2022 refuses it.
  const ended = structuredClone(PRODUCTION);
  for (const ca of ended.certificateAuthorities) ca.validFor.end = '2022-01-01T00:00:00Z';
  assert.equal(await alteredOutcome(HAPPY, ended), 'VERIFY_CERTIFICATE_INVALID');
});

test('THREATS 7: an invalid signed entry timestamp; a log key not valid at integration time', async () => {
  await expectCodes([['set-invalid-signature_fail', 'VERIFY_TLOG_INVALID']]);
  // The conformance case whose log key window ends exactly at the integrated time passes (closed
  // interval); one second earlier, the key was no longer valid when the entry was integrated.
  const c = conformanceCase('trust-root-tlog-validity-end-inclusive');
  const bundle = readJson<BundleDoc>(c.bundle);
  const root = readJson<TrustedRootDoc>(c.trustedRoot);
  assert.equal(await alteredOutcome(bundle, root), 'pass');
  const ended = structuredClone(root);
  let changed = 0;
  for (const tlog of ended.tlogs) {
    if (tlog.publicKey.validFor.end === '2023-07-12T15:56:36Z') {
      tlog.publicKey.validFor.end = '2023-07-12T15:56:35Z';
      changed++;
    }
  }
  assert.equal(changed, 1);
  assert.equal(await alteredOutcome(bundle, ended), 'VERIFY_TLOG_INVALID');
});

test('THREATS 8: missing inclusion proof, corrupted proof hash, index at or past tree size, negative index', async () => {
  await expectCodes([
    ['intoto-missing-inclusion-proof_fail', 'VERIFY_BUNDLE_INVALID'],
    ['rekor2-no-inclusion-proof_fail', 'VERIFY_BUNDLE_INVALID'],
    ['inclusion-proof-corrupted-hash_fail', 'VERIFY_INCLUSION_PROOF_INVALID'],
    ['invalid-inclusion-proof_fail', 'VERIFY_BUNDLE_INVALID'],
  ]);
  assert.equal(await alteredOutcome(HAPPY, PRODUCTION), 'pass');
  const proof = HAPPY.verificationMaterial.tlogEntries[0]!.inclusionProof!;
  for (const index of [proof.treeSize, String(Number(proof.treeSize) + 1000), '-1']) {
    const b = structuredClone(HAPPY);
    b.verificationMaterial.tlogEntries[0]!.inclusionProof!.logIndex = index;
    assert.equal(await alteredOutcome(b, PRODUCTION), 'VERIFY_INCLUSION_PROOF_INVALID', index);
  }
  // With the proof removed, vouch refuses; it never asks the log for one (no network here).
  const noProof = structuredClone(HAPPY);
  delete noProof.verificationMaterial.tlogEntries[0]!.inclusionProof;
  assert.equal(await alteredOutcome(noProof, PRODUCTION), 'VERIFY_BUNDLE_INVALID');
});

test('THREATS 9: checkpoints with a wrong root hash, bad or missing signature, missing fields; witness cosignatures pass', async () => {
  await expectCodes([
    ['checkpoint-wrong-roothash_fail', 'VERIFY_INCLUSION_PROOF_INVALID'],
    ['invalid-checkpoint-signature_fail', 'VERIFY_INCLUSION_PROOF_INVALID'],
    ['rekor2-checkpoint-missing-log-signature_fail', 'VERIFY_INCLUSION_PROOF_INVALID'],
    ['rekor2-checkpoint-no-matching-signature_fail', 'VERIFY_INCLUSION_PROOF_INVALID'],
    ['rekor2-checkpoint-missing-origin_fail', 'VERIFY_INCLUSION_PROOF_INVALID'],
    ['rekor2-checkpoint-missing-size_fail', 'VERIFY_INCLUSION_PROOF_INVALID'],
    ['rekor2-checkpoint-missing-root-hash_fail', 'VERIFY_INCLUSION_PROOF_INVALID'],
  ]);
  for (const name of [
    'rekor2-checkpoint-cosigned',
    'rekor2-checkpoint-multiple-cosigs',
    'rekor2-checkpoint-two-sigs-cosigned',
    'rekor2-checkpoint-origin-not-first',
  ]) {
    assert.equal(await codeOf(name), 'pass', name);
  }
});

test('THREATS 10: a log entry for another artifact, signature or key is refused', async () => {
  await expectCodes([
    ['wrong-hashedrekord-entry_fail', 'VERIFY_TLOG_INVALID'],
    ['wrong-hashedrekord-artifact_fail', 'VERIFY_TLOG_INVALID'],
    ['incorrect-public-key_fail', 'VERIFY_TLOG_INVALID'],
    ['intoto-log-entry-mismatch_fail', 'VERIFY_TLOG_INVALID'],
    ['rekor2-dsse-mismatch-sig_fail', 'VERIFY_TLOG_INVALID'],
  ]);
});

test('THREATS 11: a bad DSSE signature or an envelope differing from the logged one is refused', async () => {
  await expectCodes([
    ['dsse-invalid-sig_fail', 'VERIFY_TLOG_INVALID'],
    ['dsse-mismatch-envelope_fail', 'VERIFY_TLOG_INVALID'],
    ['rekor2-dsse-invalid-sig_fail', 'VERIFY_TLOG_INVALID'],
    ['rekor2-dsse-mismatch-envelope_fail', 'VERIFY_TLOG_INVALID'],
  ]);
});

test('THREATS 14: Rekor v2 with no timestamp, an untrusted TSA, a TSA time outside its windows, a timestamp over other bytes', async () => {
  await expectCodes([
    ['rekor2-no-timestamp_fail', 'VERIFY_TIMESTAMP_INVALID'],
    ['rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail', 'VERIFY_TIMESTAMP_INVALID'],
    ['rekor2-timestamp-outside-trust-root-tsa-validity_fail', 'VERIFY_TIMESTAMP_INVALID'],
    ['rekor2-timestamp-outside-tsa-cert-validity_fail', 'VERIFY_TIMESTAMP_INVALID'],
    ['rekor2-timestamp-payload-mismatch_fail', 'VERIFY_TIMESTAMP_INVALID'],
  ]);
  assert.equal(await codeOf('rekor2-happy-path'), 'pass');
});

test('THREATS 16: a trusted root window without a start is refused; a time equal to a window end is inside', async () => {
  await expectCodes([['trust-root-tlog-missing-validity-start_fail', 'VERIFY_TRUST_ROOT_INVALID']]);
  assert.equal(await codeOf('trust-root-tlog-validity-end-inclusive'), 'pass');
  assert.equal(await codeOf('trust-root-tlog-validity-end-inclusive', 'digest'), 'pass');
});

test('THREATS 50: a CA or log outside its trust window is refused; overlapping and future windows are fine', async () => {
  const future = structuredClone(PRODUCTION);
  for (const ca of future.certificateAuthorities) ca.validFor = { start: '2030-01-01T00:00:00Z' };
  assert.equal(await alteredOutcome(HAPPY, future), 'VERIFY_CERTIFICATE_INVALID');
  const logLater = structuredClone(PRODUCTION);
  for (const tlog of logLater.tlogs) tlog.publicKey.validFor = { start: '2030-01-01T00:00:00Z' };
  assert.equal(await alteredOutcome(HAPPY, logLater), 'VERIFY_TLOG_INVALID');
  // Rotation: the same keys listed again with overlapping and future windows change nothing.
  const rotated = structuredClone(PRODUCTION);
  for (const tlog of structuredClone(PRODUCTION.tlogs)) {
    tlog.publicKey.validFor = { start: '2031-01-01T00:00:00Z' };
    rotated.tlogs.push(tlog);
  }
  for (const ca of structuredClone(PRODUCTION.certificateAuthorities)) {
    ca.validFor = { start: '2020-01-01T00:00:00Z' };
    rotated.certificateAuthorities.push(ca);
  }
  assert.equal(await alteredOutcome(HAPPY, rotated), 'pass');
});

test('THREATS 18: an identity pattern cannot break out of its anchors', async () => {
  const byPattern = async (identityPattern: string): Promise<string> => {
    try {
      const r = await verifyArtifacts(
        {
          artifacts: [ARTIFACT],
          bundles: [join(BASE, 'bundle-verify/happy-path-v0.3/bundle.sigstore.json')],
          trust: { kind: 'file', path: join(BASE, 'trusted_root.production.json') },
          identity: { identityPattern, issuer: ISSUER },
        },
        { cwd: BASE, logger: silentLogger },
      );
      return r.artifacts[0]!.verdict === 'pass' ? 'pass' : r.artifacts[0]!.error!.code;
    } catch (error) {
      assert.ok(error instanceof VouchError, String(error));
      return error.code;
    }
  };
  const escaped = IDENTITY.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  assert.equal(await byPattern(escaped), 'pass');
  // Pasted into ^(?:…)$ these would close vouch's group and accept any identity.
  for (const pattern of [
    'https://github.com/nobody/x)|(.*',
    'x)|.*|(?:x',
    '\\k<a>)|(?<a>.*',
    'x)|(?<=.)(.*',
  ]) {
    assert.equal(await byPattern(pattern), 'USAGE_INVALID_VALUE', pattern);
  }
  // Lookarounds and backreferences stay inside the anchors: nothing before ^ to look back at.
  assert.equal(await byPattern('(?<=https://github\\.com/nobody/).*'), 'VERIFY_IDENTITY_MISMATCH');
  assert.equal(await byPattern('(https://github\\.com/nobody/.*)|\\1'), 'VERIFY_IDENTITY_MISMATCH');
  // The real CLI: a usage error (exit 2) with the code, nothing written.
  const cwd = mkdtempSync(join(tmpdir(), 'vouch-threats-pattern-'));
  const r = vouch(
    [
      'verify',
      '--bundle',
      join(BASE, 'bundle-verify/happy-path-v0.3/bundle.sigstore.json'),
      '--trusted-root',
      join(BASE, 'trusted_root.production.json'),
      '--certificate-identity-regexp',
      'https://github.com/nobody/x)|(.*',
      '--certificate-oidc-issuer',
      ISSUER,
      ARTIFACT,
    ],
    { cwd },
  );
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /\[USAGE_INVALID_VALUE\]/);
  assert.deepEqual(readdirSync(cwd), []);
});

test('THREATS 4, 8, 14: the real CLI exits 1 with the code and writes nothing', () => {
  for (const [name, code] of [
    ['bundle-from-wrong-instance_fail', 'VERIFY_CERTIFICATE_INVALID'],
    ['inclusion-proof-corrupted-hash_fail', 'VERIFY_INCLUSION_PROOF_INVALID'],
    ['rekor2-timestamp-payload-mismatch_fail', 'VERIFY_TIMESTAMP_INVALID'],
  ] as const) {
    const c = conformanceCase(name);
    const cwd = mkdtempSync(join(tmpdir(), 'vouch-threats-cli-'));
    const r = vouch(
      [
        'verify-bundle',
        '--bundle',
        join(BASE, c.bundle),
        '--trusted-root',
        join(BASE, c.trustedRoot),
        '--certificate-identity',
        c.identity!,
        '--certificate-oidc-issuer',
        c.issuer!,
        join(BASE, c.artifact),
      ],
      { cwd },
    );
    assert.equal(r.status, 1, `${name}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`\\[${code}\\]`), name);
    assert.deepEqual(readdirSync(cwd), [], `${name}: nothing written`);
  }
});

test('THREATS 11: a DSSE signature over the bare payload instead of its PAE encoding, or none at all, is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-threats-dsse-'));
  const data = Buffer.from('release artifact\n');
  writeFileSync(join(dir, 'app.tgz'), data);
  const key = generateTestKey();
  writeFileSync(join(dir, 'key.pub'), key.pem);
  // Not SLSA provenance: a key-signed offline provenance is refused before its DSSE is judged.
  const statement = statementFor(
    'app.tgz',
    data,
    'https://example.com/vouch-test-attestation/v1',
    githubProvenance(),
  );
  const good = (await keyDsseBundle(key, statement)) as {
    dsseEnvelope: { payload: string; signatures: Array<{ sig: string }> };
  };
  const verifyWith = async (bundle: unknown): Promise<string> => {
    writeFileSync(join(dir, 'bundle.json'), JSON.stringify(bundle));
    try {
      const r = await verifyArtifacts(
        { artifacts: ['app.tgz'], bundles: ['bundle.json'], key: 'key.pub' },
        { cwd: dir, logger: silentLogger },
      );
      return r.artifacts[0]!.verdict === 'pass' ? 'pass' : r.artifacts[0]!.error!.code;
    } catch (error) {
      assert.ok(error instanceof VouchError, String(error));
      return error.code;
    }
  };
  assert.equal(await verifyWith(good), 'pass');
  const bare = structuredClone(good);
  const payload = Buffer.from(good.dsseEnvelope.payload, 'base64');
  bare.dsseEnvelope.signatures[0]!.sig = sign('sha256', payload, key.privateKey).toString('base64');
  assert.equal(await verifyWith(bare), 'VERIFY_SIGNATURE_INVALID');
  const none = structuredClone(good);
  none.dsseEnvelope.signatures = [];
  assert.equal(await verifyWith(none), 'VERIFY_DSSE_INVALID');
  assert.deepEqual(readdirSync(dir).sort(), ['app.tgz', 'bundle.json', 'key.pub']);
});

test('THREATS 4: a chain that exceeds a CA path length constraint is refused; the same chain without it passes', async () => {
  // Two roots made by openssl, one with pathlen:0. Each cross-signs the in-process Fulcio's CA
  // (same subject, key and validity), which becomes an intermediate below it: leaf → Fulcio CA →
  // root. Under the pathlen:0 root that intermediate is one CA too many.
  const dir = mkdtempSync(join(tmpdir(), 'vouch-threats-pathlen-'));
  const openssl = (...args: string[]): string =>
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }).toString();
  const roots = { constrained: 'critical,CA:TRUE,pathlen:0', open: 'critical,CA:TRUE' } as const;
  for (const [name, basicConstraints] of Object.entries(roots)) {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-subj',
      `/O=vouch-test/CN=${name} root`,
      '-days',
      '30',
      '-addext',
      `basicConstraints=${basicConstraints}`,
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  }
  const sigstore = await startMockSigstore();
  try {
    const base = sigstore.trustedRoot as {
      certificateAuthorities: Array<{ certChain: { certificates: Array<{ rawBytes: string }> } }>;
    };
    const fulcioCa = new X509Certificate(
      Buffer.from(base.certificateAuthorities[0]!.certChain.certificates[0]!.rawBytes, 'base64'),
    );
    writeFileSync(join(dir, 'fulcio-ca.pem'), fulcioCa.toString());
    const ski = openssl('x509', '-in', 'fulcio-ca.pem', '-noout', '-ext', 'subjectKeyIdentifier')
      .split('\n')[1]!
      .trim();
    writeFileSync(
      join(dir, 'intermediate.cnf'),
      `[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=${ski}\nauthorityKeyIdentifier=keyid\n`,
    );
    const data = Buffer.from('release artifact\n');
    writeFileSync(join(dir, 'app.tgz'), data);
    writeFileSync(
      join(dir, 'app.sigstore.json'),
      JSON.stringify(await keylessMessageBundle(sigstore, data)),
    );
    const verdicts: Record<string, string> = {};
    for (const name of Object.keys(roots)) {
      openssl(
        'x509',
        '-in',
        'fulcio-ca.pem',
        '-CA',
        `${name}.pem`,
        '-CAkey',
        `${name}.key`,
        '-preserve_dates',
        '-set_serial',
        '2',
        '-extfile',
        'intermediate.cnf',
        '-extensions',
        'v3',
        '-out',
        `intermediate-${name}.pem`,
      );
      const der = (file: string): string =>
        new X509Certificate(readFileSync(join(dir, file))).raw.toString('base64');
      const root = structuredClone(base);
      root.certificateAuthorities[0]!.certChain.certificates = [
        { rawBytes: der(`intermediate-${name}.pem`) },
        { rawBytes: der(`${name}.pem`) },
      ];
      writeFileSync(join(dir, `trusted_root.${name}.json`), JSON.stringify(root));
      const r = await verifyArtifacts(
        {
          artifacts: ['app.tgz'],
          bundles: ['app.sigstore.json'],
          trust: { kind: 'file', path: join(dir, `trusted_root.${name}.json`) },
          identity: { identity: SAN, issuer: GITHUB_ISSUER },
        },
        { cwd: dir, logger: silentLogger },
      );
      verdicts[name] = r.artifacts[0]!.verdict === 'pass' ? 'pass' : r.artifacts[0]!.error!.code;
    }
    assert.deepEqual(verdicts, { constrained: 'VERIFY_CERTIFICATE_INVALID', open: 'pass' });
  } finally {
    await sigstore.close();
  }
});
