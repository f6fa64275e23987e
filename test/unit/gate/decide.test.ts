import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideGate, isExpired } from '../../../src/core/gate/decide.ts';
import {
  buildEvidenceManifest,
  renderVerdictMarkdown,
  renderVerdictText,
} from '../../../src/core/gate/manifest.ts';
import type {
  AttestationEvidence,
  GateDecision,
  GateInput,
  PolicyEvidence,
  SignatureEvidence,
} from '../../../src/core/gate/model.ts';

const APP = { name: 'dist/widget-web-1.4.0.tgz', sha256: 'a'.repeat(64), size: 1200 };
const SRC = { name: 'dist/rust-tunnel-0.5.2.tar.gz', sha256: 'b'.repeat(64), size: 9000 };
const OTHER = 'c'.repeat(64);
const SBOM_DIGEST = 'd'.repeat(64);
const BUILDER =
  'https://github.com/acme/widget/.github/workflows/release-integrity.yml@refs/heads/main';
const NOW = '2026-12-03T20:00:00.000Z';

const signature = (file: { name: string; sha256: string }): SignatureEvidence => ({
  bundle: `${file.name}.sigstore.json`,
  digest: file.sha256,
  namedFor: file.name,
  ok: true,
  signer: 'key:SHA256:release',
});

const provenance: AttestationEvidence = {
  bundle: 'dist/provenance.sigstore.json',
  ok: true,
  signer: 'key:SHA256:release',
  predicateType: 'https://slsa.dev/provenance/v1',
  subjects: [
    { name: APP.name, sha256: APP.sha256 },
    { name: SRC.name, sha256: SRC.sha256 },
  ],
  builderId: BUILDER,
};

const sbomAttestation: AttestationEvidence = {
  bundle: 'dist/sbom.sigstore.json',
  ok: true,
  signer: 'key:SHA256:release',
  predicateType: 'https://cyclonedx.org/bom',
  subjects: [
    { name: APP.name, sha256: APP.sha256 },
    { name: SRC.name, sha256: SRC.sha256 },
  ],
  sbom: { digest: SBOM_DIGEST, format: 'CycloneDX 1.6', componentCount: 12, fileDigests: [] },
};

const waiver = {
  findingId: 'GHSA-593m-55hh-j8gv',
  package: 'pkg:npm/%40sentry/browser@8.26.0',
  exceptionId: 'GHSA-593m-55hh-j8gv',
  exceptionPackage: 'pkg:npm/%40sentry/browser',
  expires: '2027-02-15',
};

const policy: PolicyEvidence = {
  sbomDigest: SBOM_DIGEST,
  passed: true,
  warnOnly: false,
  failing: [],
  waived: [waiver],
  expired: [],
  report: 'reports/policy-dddddddddddd.json',
};

function input(overrides: Partial<GateInput> = {}): GateInput {
  return {
    files: [APP, SRC],
    signatures: [signature(APP), signature(SRC)],
    attestations: [provenance, sbomAttestation],
    policies: [policy],
    exceptions: {
      source: 'git-ref',
      path: '.vouch/exceptions.yml',
      ref: 'origin/main',
      commit: 'f'.repeat(40),
      fromReleaseTree: false,
      entries: [
        { id: waiver.exceptionId, package: waiver.exceptionPackage, expires: waiver.expires },
      ],
    },
    requirements: { allowedBuilders: [BUILDER], allowedSigners: [], now: NOW },
    ...overrides,
  };
}

/** Asserts the release is refused with `code` for `file` and `check`, in the decision, the summary and the manifest. */
function assertRefused(
  decision: GateDecision,
  code: string,
  check: string,
  file?: string,
): { message: string } {
  assert.equal(decision.verdict, 'refuse');
  const refusal = decision.refusals.find((r) => r.code === code && r.file === file);
  assert.ok(refusal, `refusal ${code} in ${JSON.stringify(decision.refusals)}`);
  assert.equal(refusal.check, check);
  assert.equal(refusal.file, file);
  const markdown = renderVerdictMarkdown(decision, 'evidence');
  assert.match(markdown, new RegExp(`\`${code}\``));
  if (file)
    assert.match(
      markdown,
      new RegExp(`\`${file.replace(/\./g, '\\.')}\` \\| ${check} \\| \`${code}\``),
    );
  const text = renderVerdictText(decision, '/tmp/evidence');
  assert.match(text, new RegExp(`\\[${code}\\]`));
  assert.match(text, /REFUSED: the release must not ship/);
  const manifest = buildEvidenceManifest({
    version: '0.1.0',
    decision,
    exceptions: input().exceptions,
    inputs: [],
    evidence: [],
    evidencePathOf: (p) => `bundles/${p}`,
    vsaOf: () => undefined,
  });
  assert.equal(manifest.verdict, 'refuse');
  assert.ok(manifest.refusals.some((r) => r.code === code));
  if (file) {
    const entry = manifest.files.find((f) => f.name === file)!;
    assert.equal(entry.verdict, 'fail');
    assert.equal(entry.checks.find((c) => c.check === check)?.code, code);
  }
  return refusal;
}

test('a release with every piece passes, and the manifest says which file proves which check', () => {
  const decision = decideGate(input());
  assert.equal(decision.verdict, 'pass', JSON.stringify(decision.refusals));
  assert.deepEqual(
    decision.files.map((f) => [f.file.name, f.verdict]),
    [
      [SRC.name, 'pass'],
      [APP.name, 'pass'],
    ],
  );
  const app = decision.files.find((f) => f.file.name === APP.name)!;
  assert.match(
    app.checks.find((c) => c.check === 'policy')!.message,
    /waived: GHSA-593m-55hh-j8gv/,
  );
  const manifest = buildEvidenceManifest({
    version: '0.1.0',
    decision,
    exceptions: input().exceptions,
    inputs: [],
    evidence: [],
    evidencePathOf: (p) => (p.startsWith('reports/') ? p : `bundles/${p}`),
    vsaOf: (n) => `vsa/${n.split('/').pop()}.intoto.json`,
  });
  const checks = manifest.files.find((f) => f.name === APP.name)!.checks;
  assert.deepEqual(
    checks.map((c) => [c.check, c.provenBy]),
    [
      ['signature', [`bundles/${APP.name}.sigstore.json`]],
      ['provenance', ['bundles/dist/provenance.sigstore.json']],
      ['sbom-attestation', ['bundles/dist/sbom.sigstore.json']],
      ['policy', ['reports/policy-dddddddddddd.json']],
    ],
  );
  assert.match(
    renderVerdictText(decision, '/tmp/ev'),
    /PASS: the release may ship\nEvidence: \/tmp\/ev/,
  );
});

test('a release file with no bundle is refused: GATE_SIGNATURE_MISSING', () => {
  const decision = decideGate(input({ signatures: [signature(SRC)] }));
  assertRefused(decision, 'GATE_SIGNATURE_MISSING', 'signature', APP.name);
  assert.equal(decision.files.find((f) => f.file.name === SRC.name)!.verdict, 'pass');
});

test('a bundle made for another file is refused: GATE_SIGNATURE_WRONG_FILE', () => {
  const decision = decideGate(
    input({ signatures: [{ ...signature(APP), digest: OTHER }, signature(SRC)] }),
  );
  const refusal = assertRefused(decision, 'GATE_SIGNATURE_WRONG_FILE', 'signature', APP.name);
  assert.match(refusal.message, /signs sha256:cccccccccccc/);
});

test('a signature that does not verify is refused with the verifier code in the reason', () => {
  const decision = decideGate(
    input({
      signatures: [
        { ...signature(APP), ok: false, code: 'VERIFY_SIGNATURE_INVALID', message: 'bad' },
        signature(SRC),
      ],
    }),
  );
  const refusal = assertRefused(decision, 'GATE_SIGNATURE_INVALID', 'signature', APP.name);
  assert.match(refusal.message, /VERIFY_SIGNATURE_INVALID/);
});

test('a signer outside the allowed signers is refused: GATE_SIGNER_NOT_ALLOWED', () => {
  const decision = decideGate(
    input({
      requirements: { allowedBuilders: [BUILDER], allowedSigners: ['key:SHA256:other'], now: NOW },
    }),
  );
  assertRefused(decision, 'GATE_SIGNER_NOT_ALLOWED', 'signature', SRC.name);
});

test('provenance from an untrusted builder is refused: GATE_BUILDER_UNTRUSTED', () => {
  const decision = decideGate(
    input({
      attestations: [
        {
          ...provenance,
          builderId: 'https://github.com/evil/fork/.github/workflows/x.yml@refs/heads/main',
        },
        sbomAttestation,
      ],
    }),
  );
  const refusal = assertRefused(decision, 'GATE_BUILDER_UNTRUSTED', 'provenance', APP.name);
  assert.match(refusal.message, /evil\/fork/);
});

test('no trusted builder given: every provenance is refused (fail closed)', () => {
  const decision = decideGate(
    input({ requirements: { allowedBuilders: [], allowedSigners: [], now: NOW } }),
  );
  assertRefused(decision, 'GATE_BUILDER_UNTRUSTED', 'provenance', APP.name);
});

test('missing provenance is refused: GATE_PROVENANCE_MISSING', () => {
  const decision = decideGate(input({ attestations: [sbomAttestation] }));
  assertRefused(decision, 'GATE_PROVENANCE_MISSING', 'provenance', APP.name);
});

test('an SBOM that does not cover a release file is refused: GATE_SBOM_NOT_COVERING', () => {
  const onlySrc = { ...sbomAttestation, subjects: [{ name: SRC.name, sha256: SRC.sha256 }] };
  const decision = decideGate(input({ attestations: [provenance, onlySrc] }));
  assertRefused(decision, 'GATE_SBOM_NOT_COVERING', 'sbom-attestation', APP.name);
  // the policy cannot pass without an SBOM: that is a second, separate refusal
  assert.ok(decision.refusals.some((r) => r.file === APP.name && r.code === 'GATE_POLICY_MISSING'));
});

test('GATE_SBOM_NOT_COVERING cites no bundle: another file’s SBOM attestation proves nothing about this one', () => {
  const onlySrc = {
    ...sbomAttestation,
    bundle: 'attestations/rust-tunnel.sbom.sigstore.json',
    subjects: [{ name: SRC.name, sha256: SRC.sha256 }],
  };
  const decision = decideGate(input({ attestations: [provenance, onlySrc] }));
  assertRefused(decision, 'GATE_SBOM_NOT_COVERING', 'sbom-attestation', APP.name);
  const manifest = buildEvidenceManifest({
    version: '0.1.0',
    decision,
    exceptions: input().exceptions,
    inputs: [],
    evidence: [],
    evidencePathOf: (p) => `bundles/${p}`,
    vsaOf: () => undefined,
  });
  const provenBy = (file: string): readonly string[] =>
    manifest.files.find((f) => f.name === file)!.checks.find((c) => c.check === 'sbom-attestation')!
      .provenBy;
  assert.deepEqual(provenBy(APP.name), []);
  // The file the attestation is about still cites it.
  assert.deepEqual(provenBy(SRC.name), ['bundles/attestations/rust-tunnel.sbom.sigstore.json']);
});

test('an SBOM listing release files but not this one is refused: GATE_SBOM_NOT_COVERING', () => {
  const listsOther = {
    ...sbomAttestation,
    sbom: { ...sbomAttestation.sbom!, fileDigests: [SRC.sha256] },
  };
  const decision = decideGate(input({ attestations: [provenance, listsOther] }));
  assertRefused(decision, 'GATE_SBOM_NOT_COVERING', 'sbom-attestation', APP.name);
});

test('no SBOM attestation at all is refused: GATE_SBOM_MISSING', () => {
  const decision = decideGate(input({ attestations: [provenance] }));
  assertRefused(decision, 'GATE_SBOM_MISSING', 'sbom-attestation', APP.name);
});

test('an expired exception stops waiving: GATE_EXCEPTION_EXPIRED, naming the exception', () => {
  const expired: PolicyEvidence = {
    ...policy,
    passed: false,
    waived: [],
    failing: [{ id: waiver.findingId, package: waiver.exceptionPackage, kind: 'vulnerability' }],
    expired: [{ id: waiver.exceptionId, package: waiver.exceptionPackage, expires: '2026-11-30' }],
  };
  const decision = decideGate(input({ policies: [expired] }));
  const refusal = assertRefused(decision, 'GATE_EXCEPTION_EXPIRED', 'policy', APP.name);
  assert.match(refusal.message, /GHSA-593m-55hh-j8gv .* expired on 2026-11-30/);
});

test('a waiver whose exception expired by the gate clock is refused even if the policy passed', () => {
  const decision = decideGate(
    input({
      requirements: { allowedBuilders: [BUILDER], allowedSigners: [], now: '2027-02-16T00:00:00Z' },
    }),
  );
  assertRefused(decision, 'GATE_EXCEPTION_EXPIRED', 'policy', APP.name);
  assert.equal(
    isExpired('2027-02-15', '2027-02-15T23:59:59Z'),
    false,
    'valid through its last day',
  );
  assert.equal(isExpired('2027-02-15', '2027-02-16T00:00:00Z'), true);
});

test('an exception read from the release tree is refused: GATE_EXCEPTIONS_FROM_RELEASE_TREE', () => {
  const decision = decideGate(
    input({
      exceptions: {
        source: 'file',
        path: '.vouch/exceptions.yml',
        fromReleaseTree: true,
        entries: [
          { id: waiver.exceptionId, package: waiver.exceptionPackage, expires: waiver.expires },
        ],
      },
    }),
  );
  assertRefused(decision, 'GATE_EXCEPTIONS_FROM_RELEASE_TREE', 'exceptions');
  assertRefused(decision, 'GATE_EXCEPTIONS_FROM_RELEASE_TREE', 'policy', APP.name);
});

test('a waiver by an exception not on the protected branch is refused: GATE_EXCEPTION_UNTRUSTED', () => {
  const decision = decideGate(input({ exceptions: { ...input().exceptions, entries: [] } }));
  assertRefused(decision, 'GATE_EXCEPTION_UNTRUSTED', 'policy', APP.name);
});

test('warn-only policy results never satisfy the gate: GATE_POLICY_WARN_ONLY', () => {
  const decision = decideGate(input({ policies: [{ ...policy, warnOnly: true }] }));
  assertRefused(decision, 'GATE_POLICY_WARN_ONLY', 'policy', APP.name);
});

test('a failing policy is refused with its findings: GATE_POLICY_FAILED', () => {
  const failing: PolicyEvidence = {
    ...policy,
    passed: false,
    waived: [],
    failing: [{ id: 'license:GPL-3.0-only', package: 'pkg:npm/foo', kind: 'license' }],
  };
  const decision = decideGate(input({ policies: [failing] }));
  const refusal = assertRefused(decision, 'GATE_POLICY_FAILED', 'policy', APP.name);
  assert.match(refusal.message, /license:GPL-3\.0-only \(pkg:npm\/foo\)/);
});

test('no release files is a refusal, not a pass: GATE_NO_RELEASE_FILES', () => {
  const decision = decideGate(input({ files: [] }));
  assertRefused(decision, 'GATE_NO_RELEASE_FILES', 'release-files');
});

test('unreadable exceptions on the protected branch are a refusal: GATE_EXCEPTIONS_UNREADABLE', () => {
  const decision = decideGate(
    input({
      exceptions: {
        source: 'git-ref',
        ref: 'origin/main',
        path: '.vouch/exceptions.yml',
        fromReleaseTree: false,
        entries: [],
        error: { code: 'GIT_REF_UNREADABLE', message: 'no such ref' },
      },
    }),
  );
  assertRefused(decision, 'GATE_EXCEPTIONS_UNREADABLE', 'exceptions');
});

const approval = {
  exceptionId: waiver.exceptionId,
  package: waiver.exceptionPackage,
  approval: 'https://github.com/acme/widget-web/pull/42',
  checked: true,
  verified: true,
  pullRequest: 42,
  approvers: ['rm-bob'],
};

const fromGitHub = (approvals: GateInput['exceptions']['approvals']): GateInput['exceptions'] => ({
  ...input().exceptions,
  source: 'protected-branch',
  repository: 'acme/widget-web',
  ref: 'main',
  branchFrom: 'github-api',
  protection: 'confirmed',
  ...(approvals ? { approvals } : {}),
});

test('a waiver by an exception whose approval was confirmed passes, and the summary shows the approval', () => {
  const exceptions = fromGitHub([approval]);
  const decision = decideGate(input({ exceptions }));
  assert.equal(decision.verdict, 'pass');
  const markdown = renderVerdictMarkdown(decision, 'evidence', exceptions);
  assert.match(markdown, /protected branch \(confirmed through the GitHub API\)/);
  assert.match(markdown, /confirmed: #42 merged, approved by rm-bob/);
});

test('a waiver by an exception whose approval is not confirmed is refused: GATE_EXCEPTION_UNAPPROVED', () => {
  const unconfirmed = {
    ...approval,
    verified: false,
    approvers: [],
    reason: 'pull request #42 is not merged',
  };
  const decision = decideGate(input({ exceptions: fromGitHub([unconfirmed]) }));
  const refusal = assertRefused(decision, 'GATE_EXCEPTION_UNAPPROVED', 'policy', APP.name);
  assert.match(refusal.message, /exception GHSA-593m-55hh-j8gv .*#42 is not merged/);
  // with approvals checked, an exception with no approval record fails closed too
  const other = { ...approval, exceptionId: 'CVE-2021-23337', package: 'pkg:npm/lodash' };
  assertRefused(
    decideGate(input({ exceptions: fromGitHub([other]) })),
    'GATE_EXCEPTION_UNAPPROVED',
    'policy',
    APP.name,
  );
  // approvals not checked: nothing to refuse on (the evidence says they were not checked)
  const unchecked = { ...approval, checked: false, verified: false, approvers: [] };
  assert.equal(decideGate(input({ exceptions: fromGitHub([unchecked]) })).verdict, 'pass');
});

test('exceptions from an unprotected default branch are refused: GATE_EXCEPTIONS_BRANCH_UNPROTECTED', () => {
  const decision = decideGate(
    input({ exceptions: { ...fromGitHub([approval]), protection: 'unprotected' } }),
  );
  const refusal = assertRefused(decision, 'GATE_EXCEPTIONS_BRANCH_UNPROTECTED', 'exceptions');
  assert.match(refusal.message, /acme\/widget-web@main, which is not a protected branch/);
});

const API = {
  source: 'github' as const,
  ref: 'acme/widget',
  description: 'GitHub attestations of acme/widget',
};

test('a source that answered for a file takes nothing away; one that held none is named in the pieces still missing', () => {
  assert.equal(
    decideGate(input({ sources: [{ ...API, file: APP.name, bundles: 2 }] })).verdict,
    'pass',
  );
  const decision = decideGate(
    input({
      attestations: [],
      sources: [
        { ...API, file: APP.name, bundles: 0 },
        { ...API, file: SRC.name, bundles: 0 },
      ],
    }),
  );
  assertRefused(decision, 'GATE_PROVENANCE_MISSING', 'provenance', APP.name);
  const refusal = decision.refusals.find((r) => r.check === 'provenance' && r.file === APP.name)!;
  assert.match(refusal.message, /\(GitHub attestations of acme\/widget: none\)$/);
  const signature = decision.refusals.find((r) => r.check === 'signature');
  assert.equal(signature, undefined, 'the signatures were there');
});

test('a source that cannot be read refuses every piece it could hold for that file, even pieces found elsewhere: GATE_ATTESTATION_SOURCE_FAILED', () => {
  const decision = decideGate(
    input({
      sources: [
        {
          ...API,
          file: APP.name,
          bundles: 0,
          error: { code: 'VERIFY_FETCH_RATE_LIMITED', message: 'GitHub answered 403' },
        },
        { ...API, file: SRC.name, bundles: 2 },
      ],
    }),
  );
  assert.equal(decision.verdict, 'refuse');
  assert.deepEqual(
    decision.refusals
      .filter((r) => r.code === 'GATE_ATTESTATION_SOURCE_FAILED' && r.file === APP.name)
      .map((r) => r.check),
    ['signature', 'provenance', 'sbom-attestation'],
  );
  const refusal = decision.refusals.find((r) => r.check === 'provenance')!;
  assert.match(
    refusal.message,
    /GitHub attestations of acme\/widget could not be read for sha256:a{12}…: \[VERIFY_FETCH_RATE_LIMITED\]/,
  );
  assert.equal(decision.files.find((f) => f.file.name === SRC.name)!.verdict, 'pass');
  // a source read once for the whole release (OCI, release assets) refuses every file
  const whole = decideGate(
    input({
      sources: [
        {
          source: 'release',
          ref: 'acme/widget@v1',
          description: 'assets of release v1 of acme/widget',
          bundles: 0,
          error: { code: 'VERIFY_FETCH_FAILED', message: 'GitHub answered 503' },
        },
      ],
    }),
  );
  assert.deepEqual(
    [...new Set(whole.refusals.map((r) => r.file))].sort(),
    [APP.name, SRC.name].sort(),
  );
});
