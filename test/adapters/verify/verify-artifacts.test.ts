/**
 * verifyArtifacts end to end on bundles made here: keyless from the in-process Fulcio/Rekor/TSA,
 * key-signed with a generated key. Each THREATS line not covered by a conformance case has a test
 * asserting the error code.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  verifyArtifacts,
  type VerifyRequest,
} from '../../../src/adapters/verify/verify-artifacts.ts';
import { runVerify } from '../../../src/adapters/verify/run-verify.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { VouchError } from '../../../src/errors.ts';
import { startMockSigstore, type MockSigstore } from '../../helpers/signing/mock-sigstore.ts';
import {
  generateTestKey,
  githubClaims,
  githubProvenance,
  ISSUER,
  keyDsseBundle,
  keylessDsseBundle,
  keylessMessageBundle,
  keyMessageBundle,
  SAN,
  sha256Hex,
  statementFor,
  type TestKey,
} from '../../helpers/verify-bundles.ts';

const SLSA = 'https://slsa.dev/provenance/v1';

describe('verifyArtifacts', () => {
  let sigstore: MockSigstore;
  let dir: string;
  let rootPath: string;
  let key: TestKey;
  const data = Buffer.from('release artifact\n');

  function write(name: string, value: unknown): string {
    const p = join(dir, name);
    writeFileSync(
      p,
      typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value),
    );
    return name;
  }

  async function verify(req: Partial<VerifyRequest> & { artifacts: string[]; bundles: string[] }) {
    return verifyArtifacts(
      { trust: { kind: 'file', path: rootPath }, ...req },
      { cwd: dir, logger: silentLogger },
    );
  }

  /** The error code of the single artifact's failure (or 'pass'). */
  async function outcome(
    req: Partial<VerifyRequest> & { artifacts: string[]; bundles: string[] },
  ): Promise<string> {
    try {
      const r = await verify(req);
      return r.artifacts[0]!.verdict === 'pass' ? 'pass' : r.artifacts[0]!.error!.code;
    } catch (error) {
      assert.ok(error instanceof VouchError, String(error));
      return error.code;
    }
  }

  const identity = { identity: SAN, issuer: ISSUER };

  before(async () => {
    sigstore = await startMockSigstore();
    dir = mkdtempSync(join(tmpdir(), 'vouch-verify-'));
    rootPath = write('trusted_root.json', sigstore.trustedRoot);
    write('app.tgz', data);
    key = generateTestKey();
    write('key.pub', key.pem);
  });
  after(async () => {
    await sigstore.close();
  });

  it('keyless message bundle: passes with the exact identity, report carries the evidence', async () => {
    write('app.sig.json', await keylessMessageBundle(sigstore, data));
    const r = await verify({ artifacts: ['app.tgz'], bundles: ['app.sig.json'], identity });
    assert.equal(r.passed, true);
    const a = r.artifacts[0]!;
    assert.equal(a.signer?.type, 'certificate');
    assert.ok(a.tlog && a.tlog.length === 1 && a.tlog[0]!.logIndex !== undefined);
    assert.ok(a.timestamps!.some((t) => t.source === 'tsa'));
    assert.deepEqual(a.checks.slice(0, 2), ['message signature', 'certificate chain']);
    // digest-only mode: the same verdict
    const d = await verify({
      artifacts: [`sha256:${sha256Hex(data)}`],
      bundles: ['app.sig.json'],
      identity,
    });
    assert.equal(d.passed, true);
  });

  it('THREATS 1: other artifact bytes or digest are refused', async () => {
    write('other.tgz', 'tampered\n');
    assert.equal(
      await outcome({ artifacts: ['other.tgz'], bundles: ['app.sig.json'], identity }),
      'VERIFY_ARTIFACT_MISMATCH',
    );
    assert.equal(
      await outcome({
        artifacts: [`sha256:${sha256Hex('x')}`],
        bundles: ['app.sig.json'],
        identity,
      }),
      'VERIFY_ARTIFACT_MISMATCH',
    );
  });

  it('THREATS 2: an altered signature is refused', async () => {
    const b = await keyMessageBundle(key, data);
    const ms = b['messageSignature'] as { signature: string };
    const sig = Buffer.from(ms.signature, 'base64');
    sig[sig.length - 3] = sig[sig.length - 3]! ^ 1;
    ms.signature = sig.toString('base64');
    write('altered.json', b);
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['altered.json'], key: 'key.pub' }),
      'VERIFY_SIGNATURE_INVALID',
    );
  });

  it('THREATS 3: truncated JSON, unknown media type, missing tlog entries or log id', async () => {
    const good = JSON.parse(readFileSync(join(dir, 'app.sig.json'), 'utf8'));
    write('trunc.json', JSON.stringify(good).slice(0, 200));
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['trunc.json'], identity }),
      'VERIFY_BUNDLE_INVALID',
    );
    write('media.json', { ...good, mediaType: 'application/vnd.dev.sigstore.bundle.v0.9+json' });
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['media.json'], identity }),
      'VERIFY_BUNDLE_INVALID',
    );
    const noTlog = structuredClone(good);
    noTlog.verificationMaterial.tlogEntries = [];
    write('notlog.json', noTlog);
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['notlog.json'], identity }),
      'VERIFY_TLOG_MISSING',
    );
    const noLogId = structuredClone(good);
    delete noLogId.verificationMaterial.tlogEntries[0].logId;
    write('nologid.json', noLogId);
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['nologid.json'], identity }),
      'VERIFY_BUNDLE_INVALID',
    );
    const noKind = structuredClone(good);
    delete noKind.verificationMaterial.tlogEntries[0].kindVersion;
    write('nokind.json', noKind);
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['nokind.json'], identity }),
      'VERIFY_BUNDLE_INVALID',
    );
  });

  it('THREATS 5: a bundle from this instance fails against the production root', async () => {
    assert.match(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['app.sig.json'],
        identity,
        trust: { kind: 'public-good' },
      }),
      /^VERIFY_(CERTIFICATE|TIMESTAMP)_INVALID$/,
    );
  });

  it('THREATS 10: another entry (swapped log entries between bundles) is refused', async () => {
    const a = JSON.parse(readFileSync(join(dir, 'app.sig.json'), 'utf8'));
    const other = await keylessMessageBundle(sigstore, Buffer.from('another\n'));
    a.verificationMaterial.tlogEntries = (
      other['verificationMaterial'] as { tlogEntries: unknown }
    ).tlogEntries;
    write('swapped.json', a);
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['swapped.json'], identity }),
      'VERIFY_TLOG_INVALID',
    );
  });

  it('THREATS 11: a second DSSE signature, or an altered envelope, is refused', async () => {
    const st = statementFor('app.tgz', data, SLSA, githubProvenance());
    const b = await keylessDsseBundle(sigstore, st);
    write('prov.json', b);
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['prov.json'], identity }),
      'pass',
    );
    const two = structuredClone(b) as { dsseEnvelope: { signatures: unknown[] } };
    two.dsseEnvelope.signatures.push(two.dsseEnvelope.signatures[0]);
    write('two.json', two);
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['two.json'], identity }),
      'VERIFY_DSSE_INVALID',
    );
    const altered = structuredClone(b) as { dsseEnvelope: { payload: string } };
    const other = statementFor(
      'app.tgz',
      data,
      SLSA,
      githubProvenance({ ref: 'refs/tags/v9.9.9' }),
    );
    altered.dsseEnvelope.payload = Buffer.from(JSON.stringify(other)).toString('base64');
    write('altered-env.json', altered);
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['altered-env.json'], identity }),
      'VERIFY_TLOG_INVALID',
    );
  });

  it('THREATS 12: wrong payload type or predicate type', async () => {
    const st = statementFor('app.tgz', data, SLSA, githubProvenance());
    write('ptype.json', await keylessDsseBundle(sigstore, st, { payloadType: 'application/json' }));
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['ptype.json'], identity }),
      'VERIFY_DSSE_INVALID',
    );
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['prov.json'],
        identity,
        predicateType: 'https://cyclonedx.org/bom',
      }),
      'VERIFY_PREDICATE_TYPE',
    );
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['app.sig.json'],
        identity,
        predicateType: SLSA,
      }),
      'VERIFY_PREDICATE_TYPE',
    );
  });

  it('THREATS 13: empty subjects, no sha256/sha512, no matching subject', async () => {
    const st = statementFor('app.tgz', data, SLSA, githubProvenance());
    write('empty-subj.json', await keyDsseBundle(key, { ...st, subject: [] }));
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['empty-subj.json'], key: 'key.pub' }),
      'VERIFY_STATEMENT_INVALID',
    );
    write(
      'md5-subj.json',
      await keyDsseBundle(key, {
        ...st,
        subject: [{ name: 'x', digest: { md5: 'a'.repeat(32) } }],
      }),
    );
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['md5-subj.json'], key: 'key.pub' }),
      'VERIFY_STATEMENT_INVALID',
    );
    write(
      'other-subj.json',
      await keyDsseBundle(key, {
        ...st,
        subject: [{ name: 'x', digest: { sha256: 'c'.repeat(64) } }],
      }),
    );
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['other-subj.json'], key: 'key.pub' }),
      'VERIFY_SUBJECT_MISMATCH',
    );
  });

  it('THREATS 15: duplicate log entries or duplicate timestamps do not pad a threshold', async () => {
    const b = JSON.parse(readFileSync(join(dir, 'app.sig.json'), 'utf8'));
    const dupT = structuredClone(b);
    dupT.verificationMaterial.tlogEntries.push(dupT.verificationMaterial.tlogEntries[0]);
    write('dup-tlog.json', dupT);
    assert.match(
      await outcome({ artifacts: ['app.tgz'], bundles: ['dup-tlog.json'], identity }),
      /^VERIFY_(TLOG|TIMESTAMP)_INVALID$/,
    );
    const dupTs = structuredClone(b);
    const ts = dupTs.verificationMaterial.timestampVerificationData.rfc3161Timestamps;
    ts.push(ts[0]);
    write('dup-ts.json', dupTs);
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['dup-ts.json'], identity }),
      'VERIFY_TIMESTAMP_INVALID',
    );
  });

  it('THREATS 16: a trusted root with a window without start is a user error', async () => {
    const root = structuredClone(sigstore.trustedRoot) as {
      certificateAuthorities: Array<{ validFor: Record<string, string> }>;
    };
    root.certificateAuthorities[0]!.validFor = {};
    write('bad-root.json', root);
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['app.sig.json'],
        identity,
        trust: { kind: 'file', path: join(dir, 'bad-root.json') },
      }),
      'VERIFY_TRUST_ROOT_INVALID',
    );
  });

  it('THREATS 17: wrong identity, wrong issuer, and no identity policy at all', async () => {
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['app.sig.json'],
        identity: { identity: `${SAN}x`, issuer: ISSUER },
      }),
      'VERIFY_IDENTITY_MISMATCH',
    );
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['app.sig.json'],
        identity: { identity: SAN, issuer: 'https://accounts.google.com' },
      }),
      'VERIFY_ISSUER_MISMATCH',
    );
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['app.sig.json'] }),
      'VERIFY_POLICY_MISSING',
    );
  });

  it('THREATS 18: org/repo never matches org/repo-evil; patterns are anchored', async () => {
    write(
      'evil.json',
      await keylessMessageBundle(sigstore, data, {
        claims: githubClaims({ repository: 'octo/app-evil' }),
      }),
    );
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['evil.json'],
        identity: { ...identity, repository: 'octo/app' },
      }),
      'VERIFY_CLAIM_MISMATCH',
    );
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['app.sig.json'],
        identity: { identityPattern: 'https://github.com/octo/app', issuer: ISSUER },
      }),
      'VERIFY_IDENTITY_MISMATCH',
    );
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['app.sig.json'],
        identity: {
          identityPattern: 'https://github\\.com/octo/app/.+@refs/tags/v1\\..*',
          issuer: ISSUER,
        },
      }),
      'pass',
    );
  });

  it('THREATS 19: GitHub claims (trigger, commit, workflow, repository, ref, runner) must match', async () => {
    const ok = {
      ...identity,
      repository: 'octo/app',
      ref: 'refs/tags/v1.2.3',
      trigger: 'push',
      commit: 'b'.repeat(40),
      workflow: '.github/workflows/release.yml',
      githubHostedOnly: true,
    };
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['app.sig.json'], identity: ok }),
      'pass',
    );
    for (const bad of [
      { trigger: 'pull_request_target' },
      { commit: 'c'.repeat(40) },
      { workflow: '.github/workflows/x.yml' },
      { repository: 'octo/other' },
      { ref: 'refs/heads/main' },
    ]) {
      assert.equal(
        await outcome({
          artifacts: ['app.tgz'],
          bundles: ['app.sig.json'],
          identity: { ...ok, ...bad },
        }),
        'VERIFY_CLAIM_MISMATCH',
        JSON.stringify(bad),
      );
    }
    write(
      'selfhosted.json',
      await keylessMessageBundle(sigstore, data, {
        claims: githubClaims({ runner_environment: 'self-hosted' }),
      }),
    );
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['selfhosted.json'], identity }),
      'pass',
    );
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['selfhosted.json'],
        identity: { ...identity, githubHostedOnly: true },
      }),
      'VERIFY_CLAIM_MISMATCH',
    );
  });

  it('THREATS 20: key bundles need the right key; a key and an identity together are refused', async () => {
    write('keyed.json', await keyMessageBundle(key, data, sigstore));
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['keyed.json'], key: 'key.pub' }),
      'pass',
    );
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['keyed.json'] }),
      'VERIFY_POLICY_MISSING',
    );
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['keyed.json'], identity }),
      'VERIFY_POLICY_MISSING',
    );
    write('other.pub', generateTestKey().pem);
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['keyed.json'], key: 'other.pub' }),
      'VERIFY_SIGNATURE_INVALID',
    );
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['keyed.json'], key: 'key.pub', identity }),
      'VERIFY_POLICY_CONFLICT',
    );
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['app.sig.json'], key: 'key.pub' }),
      'VERIFY_POLICY_MISSING',
    );
  });

  it('THREATS 21: a bundle larger than the stated limit is refused before parsing', async () => {
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['app.sig.json'],
        identity,
        maxBundleBytes: 100,
      }),
      'FILE_TOO_LARGE',
    );
  });

  it('trusted keys: signing time inside the window passes; outside, or after revocation, is refused', async () => {
    const b = JSON.parse(readFileSync(join(dir, 'keyed.json'), 'utf8'));
    const t = new Date(Number(b.verificationMaterial.tlogEntries[0].integratedTime) * 1000);
    const iso = (ms: number) => new Date(t.getTime() + ms).toISOString().replace('.000Z', 'Z');
    const keys = (entry: Record<string, string>) =>
      write('trusted-keys.json', { keys: [{ hint: key.hint, publicKey: key.pem, ...entry }] });
    keys({ validFrom: iso(-60_000), validUntil: iso(0) });
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['keyed.json'],
        trustedKeys: 'trusted-keys.json',
      }),
      'pass',
      'end inclusive',
    );
    keys({ validFrom: iso(1000) });
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['keyed.json'],
        trustedKeys: 'trusted-keys.json',
      }),
      'VERIFY_KEY_WINDOW',
    );
    keys({ validFrom: iso(-60_000), validUntil: iso(-1000) });
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['keyed.json'],
        trustedKeys: 'trusted-keys.json',
      }),
      'VERIFY_KEY_WINDOW',
    );
    keys({ validFrom: iso(-60_000), revokedAt: iso(-1000) });
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['keyed.json'],
        trustedKeys: 'trusted-keys.json',
      }),
      'VERIFY_KEY_WINDOW',
    );
    // rotation: an old key and a new one with overlapping windows; the bundle's hint picks the key
    const old = generateTestKey();
    write('rotation.json', {
      keys: [
        {
          hint: old.hint,
          publicKey: old.pem,
          validFrom: iso(-86_400_000),
          validUntil: iso(60_000),
        },
        { hint: key.hint, publicKey: key.pem, validFrom: iso(-60_000) },
      ],
    });
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['keyed.json'],
        trustedKeys: 'rotation.json',
      }),
      'pass',
    );
    write('unknown-key.json', {
      keys: [{ hint: old.hint, publicKey: old.pem, validFrom: iso(-60_000) }],
    });
    assert.match(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['keyed.json'],
        trustedKeys: 'unknown-key.json',
      }),
      /^VERIFY_(KEY_NOT_TRUSTED|SIGNATURE_INVALID)$/,
    );
  });

  it('trusted keys in the `vouch keys trust` format: one key listed with two windows', async () => {
    const b = JSON.parse(readFileSync(join(dir, 'keyed.json'), 'utf8'));
    const t = new Date(Number(b.verificationMaterial.tlogEntries[0].integratedTime) * 1000);
    const iso = (ms: number) => new Date(t.getTime() + ms).toISOString().replace('.000Z', 'Z');
    const doc = (windows: Array<Record<string, string>>) => ({
      mediaType: 'application/vnd.vouch.trusted-keys.v1+json',
      keys: windows.map((w) => ({ publicKey: key.pem, ...w })),
    });
    write(
      'vk.json',
      doc([
        { validFrom: iso(-86_400_000), validUntil: iso(-3_600_000) },
        { validFrom: iso(-1000) },
      ]),
    );
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['keyed.json'], trustedKeys: 'vk.json' }),
      'pass',
    );
    write(
      'vk2.json',
      doc([{ validFrom: iso(-86_400_000), validUntil: iso(-3_600_000) }, { validFrom: iso(1000) }]),
    );
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['keyed.json'], trustedKeys: 'vk2.json' }),
      'VERIFY_KEY_WINDOW',
    );
    write('vk3.json', {
      mediaType: 'application/vnd.vouch.trusted-keys.v1+json',
      keys: [{ publicKey: 'x', validFrom: iso(0) }],
    });
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['keyed.json'], trustedKeys: 'vk3.json' }),
      'VERIFY_KEY_INVALID',
    );
  });

  it('trusted keys, offline bundle with no witness: the window must cover now, and the report says so', async () => {
    write('offline.json', await keyMessageBundle(key, data));
    write('tk-now.json', {
      keys: [{ hint: key.hint, publicKey: key.pem, validFrom: '2020-01-01T00:00:00Z' }],
    });
    const r = await verify({
      artifacts: ['app.tgz'],
      bundles: ['offline.json'],
      trustedKeys: 'tk-now.json',
    });
    assert.equal(r.passed, true);
    assert.match(r.artifacts[0]!.warnings![0]!, /no transparency-log entry or timestamp/);
    write('tk-past.json', {
      keys: [
        {
          hint: key.hint,
          publicKey: key.pem,
          validFrom: '2020-01-01T00:00:00Z',
          validUntil: '2021-01-01T00:00:00Z',
        },
      ],
    });
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['offline.json'],
        trustedKeys: 'tk-past.json',
      }),
      'VERIFY_KEY_WINDOW',
    );
  });

  it('THREATS 22–27 on a signed provenance: builder, source, ref, workflow, transparency log, certificate claims', async () => {
    const slsa = {
      builderIds: ['https://github.com/octo/app/.github/workflows/release.yml@refs/tags/v1.2.3'],
      sourceRepository: 'octo/app',
      sourceRef: '^1.2.0',
      workflow: '.github/workflows/release.yml',
    };
    const r = await verify({
      artifacts: ['app.tgz'],
      bundles: ['prov.json'],
      identity,
      slsa,
      predicateType: SLSA,
    });
    assert.equal(r.passed, true, JSON.stringify(r.artifacts[0]!.error));
    assert.equal(
      (r.artifacts[0]!.predicate!.facts as { builderId: string }).builderId,
      slsa.builderIds[0],
    );
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['prov.json'],
        identity,
        slsa: { ...slsa, builderIds: [slsa.builderIds[0]!.replace('v1.2.3', 'v1.2.2')] },
      }),
      'VERIFY_BUILDER_UNTRUSTED',
    );
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['prov.json'],
        identity,
        slsa: { ...slsa, sourceRepository: 'octo/ap' },
      }),
      'VERIFY_SOURCE_MISMATCH',
    );
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['prov.json'],
        identity,
        slsa: { ...slsa, sourceRef: '^2.0.0' },
      }),
      'VERIFY_REF_MISMATCH',
    );
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['prov.json'],
        identity,
        slsa: { ...slsa, workflow: '.github/workflows/ci.yml' },
      }),
      'VERIFY_WORKFLOW_MISMATCH',
    );
    // 26: no transparency-log evidence (TSA only); issuer not GitHub's
    const st = statementFor('app.tgz', data, SLSA, githubProvenance());
    write('prov-notlog.json', await keylessDsseBundle(sigstore, st, { rekor: false }));
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['prov-notlog.json'], identity, slsa }),
      'VERIFY_TLOG_MISSING',
    );
    write(
      'prov-google.json',
      await keylessDsseBundle(sigstore, st, {
        claims: { ...githubClaims(), iss: 'https://accounts.google.com' },
      }),
    );
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['prov-google.json'], identity, slsa }),
      'VERIFY_ISSUER_MISMATCH',
    );
    // 27: the provenance claims another run than the certificate's
    const forged = statementFor(
      'app.tgz',
      data,
      SLSA,
      githubProvenance({ invocationId: 'https://github.com/octo/app/actions/runs/999/attempts/1' }),
    );
    write('prov-forged.json', await keylessDsseBundle(sigstore, forged));
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['prov-forged.json'], identity, slsa }),
      'VERIFY_CLAIM_MISMATCH',
    );
    // 25: a short or empty subject digest
    write(
      'prov-short.json',
      await keylessDsseBundle(sigstore, {
        ...st,
        subject: [{ name: 'app.tgz', digest: { sha256: sha256Hex(data).slice(0, 32) } }],
      }),
    );
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['prov-short.json'], identity, slsa }),
      'VERIFY_STATEMENT_INVALID',
    );
  });

  it('THREATS 26–27 hold for every SLSA provenance, with --predicate-type alone or no flag at all', async () => {
    const st = statementFor('app.tgz', data, SLSA, githubProvenance());
    // Key-signed --offline provenance: no log entry, no timestamp.
    write('prov-key-offline.json', await keyDsseBundle(key, st));
    const offline = { artifacts: ['app.tgz'], bundles: ['prov-key-offline.json'], key: 'key.pub' };
    assert.equal(await outcome({ ...offline, predicateType: SLSA }), 'VERIFY_TLOG_MISSING');
    assert.equal(await outcome(offline), 'VERIFY_TLOG_MISSING');
    // The same provenance logged in Rekor passes; its facts are reported unchecked.
    write('prov-key-logged.json', await keyDsseBundle(key, st, sigstore));
    const logged = await verify({
      artifacts: ['app.tgz'],
      bundles: ['prov-key-logged.json'],
      key: 'key.pub',
      predicateType: SLSA,
    });
    assert.equal(logged.passed, true, JSON.stringify(logged.artifacts[0]!.error));
    assert.equal(logged.artifacts[0]!.predicate!.facts!['checked'], false);
    // The release gate's opt-in accepts the offline key provenance, never a keyless one without
    // a witness, nor one whose claims the certificate contradicts.
    assert.equal(await outcome({ ...offline, allowUnwitnessedKeyProvenance: true }), 'pass');
    write('prov-keyless-notlog.json', await keylessDsseBundle(sigstore, st, { rekor: false }));
    assert.equal(
      await outcome({
        artifacts: ['app.tgz'],
        bundles: ['prov-keyless-notlog.json'],
        identity,
        allowUnwitnessedKeyProvenance: true,
      }),
      'VERIFY_TLOG_MISSING',
    );
    const forged = statementFor(
      'app.tgz',
      data,
      SLSA,
      githubProvenance({ invocationId: 'https://github.com/octo/app/actions/runs/999/attempts/1' }),
    );
    write('prov-forged-noflags.json', await keylessDsseBundle(sigstore, forged));
    const forgedReq = { artifacts: ['app.tgz'], bundles: ['prov-forged-noflags.json'], identity };
    assert.equal(await outcome({ ...forgedReq, predicateType: SLSA }), 'VERIFY_CLAIM_MISMATCH');
    assert.equal(await outcome(forgedReq), 'VERIFY_CLAIM_MISMATCH');
    // verify-bundle (the Sigstore protocol) checks the bundle and reports no provenance facts.
    const bare = await verify({ ...forgedReq, sigstoreOnly: true });
    assert.equal(bare.passed, true, JSON.stringify(bare.artifacts[0]!.error));
    assert.equal(bare.artifacts[0]!.predicate!.facts, undefined);
  });

  it("under a trusted root with no transparency log (as on GitHub's instance), SLSA provenance stands on a verified timestamp; without one it is refused", async () => {
    const slsa = {
      builderIds: ['https://github.com/octo/app/.github/workflows/release.yml@refs/tags/v1.2.3'],
      sourceRepository: 'octo/app',
    };
    const st = statementFor('app.tgz', data, SLSA, githubProvenance());
    write('prov-tsa-only.json', await keylessDsseBundle(sigstore, st, { rekor: false }));
    // With the mock's own root, which lists its log, a log entry is still required.
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['prov-tsa-only.json'], identity, slsa }),
      'VERIFY_TLOG_MISSING',
    );
    const root = sigstore.trustedRoot as Record<string, unknown>;
    const logless = write('trusted_root.logless.json', { ...root, tlogs: [] });
    const r = await verify({
      trust: { kind: 'file', path: join(dir, logless) },
      artifacts: ['app.tgz'],
      bundles: ['prov-tsa-only.json'],
      identity,
      slsa,
    });
    assert.equal(r.passed, true, JSON.stringify(r.artifacts[0]!.error));
    assert.ok(r.artifacts[0]!.timestamps!.some((t) => t.source === 'tsa'));
    // Neither a log entry nor a timestamp: refused under that root too.
    write('prov-bare.json', await keylessDsseBundle(sigstore, st, { rekor: false, tsa: false }));
    const bare = await verify({
      trust: { kind: 'file', path: join(dir, logless) },
      artifacts: ['app.tgz'],
      bundles: ['prov-bare.json'],
      identity,
      slsa,
    });
    assert.equal(bare.passed, false);
  });

  it('THREATS 28 and bad artifact arguments: mutable OCI reference, short digest, missing file', async () => {
    assert.equal(
      await outcome({ artifacts: ['ghcr.io/octo/app:latest'], bundles: ['prov.json'], identity }),
      'VERIFY_ARTIFACT_INVALID',
    );
    assert.equal(
      await outcome({ artifacts: ['sha256:abc'], bundles: ['prov.json'], identity }),
      'VERIFY_ARTIFACT_INVALID',
    );
    assert.equal(
      await outcome({ artifacts: ['missing.tgz'], bundles: ['prov.json'], identity }),
      'VERIFY_ARTIFACT_INVALID',
    );
    assert.equal(
      await outcome({
        artifacts: [`ghcr.io/octo/app@sha256:${sha256Hex(data)}`],
        bundles: ['prov.json'],
        identity,
      }),
      'pass',
    );
  });

  it('SBOM attestation: passes when the SBOM parses, refused when it does not', async () => {
    const bom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      components: [{ type: 'library', name: 'x' }],
    };
    write(
      'sbom.json',
      await keyDsseBundle(
        key,
        statementFor('app.tgz', data, 'https://cyclonedx.org/bom', bom),
        sigstore,
      ),
    );
    const r = await verify({
      artifacts: ['app.tgz'],
      bundles: ['sbom.json'],
      key: 'key.pub',
      predicateType: 'https://cyclonedx.org/bom',
    });
    assert.equal(r.passed, true);
    assert.deepEqual(r.artifacts[0]!.predicate!.facts, {
      format: 'CycloneDX',
      specVersion: '1.6',
      components: 1,
    });
    write(
      'sbom-bad.json',
      await keyDsseBundle(
        key,
        statementFor('app.tgz', data, 'https://cyclonedx.org/bom', { hello: 1 }),
        sigstore,
      ),
    );
    assert.equal(
      await outcome({ artifacts: ['app.tgz'], bundles: ['sbom-bad.json'], key: 'key.pub' }),
      'VERIFY_PREDICATE_INVALID',
    );
  });

  it('npm attestations format: each bundle inside is tried', async () => {
    const prov = JSON.parse(readFileSync(join(dir, 'prov.json'), 'utf8'));
    write('npm.json', { attestations: [{ predicateType: SLSA, bundle: prov }] });
    const r = await verify({
      artifacts: ['app.tgz'],
      bundles: ['npm.json'],
      identity,
      predicateType: SLSA,
    });
    assert.equal(r.passed, true);
    assert.equal(r.artifacts[0]!.bundle, join(dir, 'npm.json#attestations[0]'));
  });

  it('batch: one verdict per artifact, trust loaded once, the run fails if any fails; report and VSA files', async () => {
    const names = ['a.bin', 'b.bin', 'c.bin'];
    const bundles: string[] = [];
    for (const n of names) {
      const bytes = Buffer.from(`content of ${n}\n`);
      write(n, bytes);
      bundles.push(write(`${n}.sigstore.json`, await keyMessageBundle(key, bytes, sigstore)));
    }
    const ok = await verify({ artifacts: names, bundles, key: 'key.pub' });
    assert.equal(ok.passed, true);
    assert.deepEqual(
      ok.artifacts.map((a) => a.verdict),
      ['pass', 'pass', 'pass'],
    );
    write('b.bin', 'tampered');
    const bad = await verify({ artifacts: names, bundles, key: 'key.pub' });
    assert.equal(bad.passed, false);
    assert.deepEqual(
      bad.artifacts.map((a) => a.verdict),
      ['pass', 'fail', 'pass'],
    );
    assert.equal(bad.artifacts[1]!.error!.code, 'VERIFY_ARTIFACT_MISMATCH');
    // bundles found beside the artifacts when none is given; report + VSA written by runVerify
    write('b.bin', 'content of b.bin\n');
    const res = await runVerify(
      {
        artifacts: names,
        bundles: [],
        key: 'key.pub',
        trustedRoot: rootPath,
        report: 'out/report.json',
        vsaDir: 'out/vsa',
      },
      { cwd: dir, logger: silentLogger },
    );
    assert.equal(res.passed, true);
    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8'));
    assert.equal(report.artifacts.length, 3);
    const vsa = JSON.parse(readFileSync(join(dir, 'out/vsa/a.bin.vsa.json'), 'utf8'));
    assert.equal(vsa.predicateType, 'https://slsa.dev/verification_summary/v1');
    assert.equal(vsa.predicate.verificationResult, 'PASSED');
    assert.equal(vsa.subject[0].digest.sha256, sha256Hex('content of a.bin\n'));
    assert.equal(existsSync(join(dir, 'out/vsa/b.bin.vsa.json')), true);
  });
});
