/**
 * The release gate's decision, pure: every release file needs a valid signature from an allowed
 * signer, verified SLSA provenance from a trusted builder, an SBOM attestation bound to it, and a
 * passing policy over that SBOM with only approved, unexpired exceptions. Anything missing is a
 * refusal naming the file, the piece and a code. Nothing here passes by default.
 */
import {
  GATE_CHECKS,
  SLSA_PROVENANCE_V1_TYPE,
  type AttestationEvidence,
  type CheckResult,
  type FileDecision,
  type GateCheck,
  type GateDecision,
  type GateInput,
  type GateRefusalCode,
  type PolicyEvidence,
  type Refusal,
  type ReleaseFile,
  type SignatureEvidence,
  type SourceEvidence,
} from './model.ts';

const CYCLONEDX = 'https://cyclonedx.org/bom';
const SPDX = 'https://spdx.dev/Document';

/** True for the CycloneDX and SPDX predicate types (versioned or not). */
export function isSbomPredicate(type: string): boolean {
  return (
    type === CYCLONEDX ||
    type.startsWith(`${CYCLONEDX}/`) ||
    type === SPDX ||
    type.startsWith(`${SPDX}/`)
  );
}

function short(digest: string | undefined): string {
  return digest ? `sha256:${digest.slice(0, 12)}…` : 'no digest';
}

function names(subject: AttestationEvidence, sha256: string): boolean {
  return subject.subjects.some((s) => s.sha256 === sha256);
}

function pass(check: GateCheck, message: string, evidence: readonly string[]): CheckResult {
  return { check, status: 'pass', message, evidence };
}

function fail(
  check: GateCheck,
  code: GateRefusalCode,
  message: string,
  evidence: readonly string[] = [],
): CheckResult {
  return { check, status: 'fail', code, message, evidence };
}

function why(outcome: { code?: string; message?: string }): string {
  return `${outcome.code ? `[${outcome.code}] ` : ''}${outcome.message ?? 'verification failed'}`;
}

function signerAllowed(allowed: readonly string[], signer: string | undefined): boolean {
  return allowed.length === 0 || (signer !== undefined && allowed.includes(signer));
}

function checkSignature(
  file: ReleaseFile,
  signatures: readonly SignatureEvidence[],
  allowed: readonly string[],
): CheckResult {
  const forFile = signatures.filter((s) => s.digest === file.sha256);
  const good = forFile.filter((s) => s.ok && signerAllowed(allowed, s.signer));
  if (good.length > 0) {
    const who = [...new Set(good.map((s) => s.signer ?? 'unknown signer'))].join(', ');
    return pass(
      'signature',
      `signed by ${who}`,
      good.map((s) => s.bundle),
    );
  }
  const verified = forFile.filter((s) => s.ok);
  if (verified.length > 0) {
    return fail(
      'signature',
      'GATE_SIGNER_NOT_ALLOWED',
      `signed by ${verified.map((s) => s.signer ?? 'an unknown signer').join(', ')}, which is not an allowed signer`,
      verified.map((s) => s.bundle),
    );
  }
  if (forFile.length > 0) {
    return fail(
      'signature',
      'GATE_SIGNATURE_INVALID',
      `the signature does not verify: ${why(forFile[0]!)}`,
      forFile.map((s) => s.bundle),
    );
  }
  const named = signatures.filter((s) => s.namedFor === file.name);
  if (named.length > 0) {
    return fail(
      'signature',
      'GATE_SIGNATURE_WRONG_FILE',
      `${named[0]!.bundle} signs ${short(named[0]!.digest)}, but the file is ${short(file.sha256)} (altered after signing, or the bundle belongs to another file)`,
      named.map((s) => s.bundle),
    );
  }
  return fail(
    'signature',
    'GATE_SIGNATURE_MISSING',
    `no signature bundle for ${short(file.sha256)}`,
  );
}

function checkProvenance(
  file: ReleaseFile,
  attestations: readonly AttestationEvidence[],
  builders: readonly string[],
  signers: readonly string[],
): CheckResult {
  const all = attestations.filter(
    (a) => a.predicateType === SLSA_PROVENANCE_V1_TYPE && names(a, file.sha256),
  );
  if (all.length === 0) {
    return fail(
      'provenance',
      'GATE_PROVENANCE_MISSING',
      `no SLSA provenance names ${short(file.sha256)} as a subject`,
    );
  }
  const verified = all.filter((a) => a.ok);
  if (verified.length === 0) {
    return fail(
      'provenance',
      'GATE_PROVENANCE_INVALID',
      `the provenance does not verify: ${why(all[0]!)}`,
      all.map((a) => a.bundle),
    );
  }
  const bySigner = verified.filter((a) => signerAllowed(signers, a.signer));
  if (bySigner.length === 0) {
    return fail(
      'provenance',
      'GATE_SIGNER_NOT_ALLOWED',
      `the provenance is signed by ${verified.map((a) => a.signer ?? 'an unknown signer').join(', ')}, which is not an allowed signer`,
      verified.map((a) => a.bundle),
    );
  }
  const trusted = bySigner.filter(
    (a) => a.builderId !== undefined && builders.includes(a.builderId),
  );
  if (trusted.length === 0) {
    const seen = [...new Set(bySigner.map((a) => a.builderId ?? '(none)'))].join(', ');
    return fail(
      'provenance',
      'GATE_BUILDER_UNTRUSTED',
      builders.length === 0
        ? `built by ${seen}, and no builder is trusted (give the allowed builder ids)`
        : `built by ${seen}, which is not one of the trusted builders (${builders.join(', ')})`,
      bySigner.map((a) => a.bundle),
    );
  }
  return pass(
    'provenance',
    `SLSA v1 provenance from ${trusted[0]!.builderId}`,
    trusted.map((a) => a.bundle),
  );
}

/** Returns the check and, when it passed, the SBOM digests bound to the file. */
function checkSbomAttestation(
  file: ReleaseFile,
  attestations: readonly AttestationEvidence[],
  signers: readonly string[],
): { result: CheckResult; sboms: string[] } {
  const sbomAtts = attestations.filter((a) => isSbomPredicate(a.predicateType));
  if (sbomAtts.length === 0) {
    return {
      result: fail('sbom-attestation', 'GATE_SBOM_MISSING', 'the release has no SBOM attestation'),
      sboms: [],
    };
  }
  const covering = sbomAtts.filter((a) => names(a, file.sha256));
  if (covering.length === 0) {
    // No bundle is about this file: the other files' SBOM attestations prove nothing about it.
    return {
      result: fail(
        'sbom-attestation',
        'GATE_SBOM_NOT_COVERING',
        `no SBOM attestation names ${short(file.sha256)} as a subject`,
      ),
      sboms: [],
    };
  }
  const verified = covering.filter((a) => a.ok && signerAllowed(signers, a.signer));
  if (verified.length === 0) {
    const first = covering[0]!;
    return {
      result: first.ok
        ? fail(
            'sbom-attestation',
            'GATE_SIGNER_NOT_ALLOWED',
            `the SBOM attestation is signed by ${first.signer ?? 'an unknown signer'}, which is not an allowed signer`,
            covering.map((a) => a.bundle),
          )
        : fail(
            'sbom-attestation',
            'GATE_SBOM_INVALID',
            `the SBOM attestation does not verify: ${why(first)}`,
            covering.map((a) => a.bundle),
          ),
      sboms: [],
    };
  }
  const unreadable = verified.find((a) => !a.sbom || a.sbom.error);
  if (unreadable) {
    return {
      result: fail(
        'sbom-attestation',
        'GATE_SBOM_INVALID',
        `the attested SBOM cannot be read: ${why(unreadable.sbom?.error ?? { message: 'no SBOM in the predicate' })}`,
        [unreadable.bundle],
      ),
      sboms: [],
    };
  }
  const missingFile = verified.find(
    (a) => a.sbom!.fileDigests.length > 0 && !a.sbom!.fileDigests.includes(file.sha256),
  );
  if (missingFile) {
    return {
      result: fail(
        'sbom-attestation',
        'GATE_SBOM_NOT_COVERING',
        `the SBOM in ${missingFile.bundle} lists release files, but not this one (${short(file.sha256)})`,
        [missingFile.bundle],
      ),
      sboms: [],
    };
  }
  const formats = [...new Set(verified.map((a) => a.sbom!.format))].join(', ');
  const count = verified.reduce((n, a) => n + a.sbom!.componentCount, 0);
  return {
    result: pass(
      'sbom-attestation',
      `${formats} SBOM attested (${count} components)`,
      verified.map((a) => a.bundle),
    ),
    sboms: [...new Set(verified.map((a) => a.sbom!.digest))],
  };
}

/** UTC date `YYYY-MM-DD` of an ISO instant. */
function dayOf(instant: string): string {
  return new Date(instant).toISOString().slice(0, 10);
}

/** An exception is valid through its `expires` day (UTC), and no longer. */
export function isExpired(expires: string, now: string): boolean {
  return expires < dayOf(now);
}

function checkPolicy(sbomDigests: readonly string[], input: GateInput): CheckResult {
  if (sbomDigests.length === 0) {
    return fail('policy', 'GATE_POLICY_MISSING', 'no attested SBOM to evaluate the policy over');
  }
  const evidence: string[] = [];
  const waivedAll: string[] = [];
  for (const digest of sbomDigests) {
    const result: PolicyEvidence | undefined = input.policies.find((p) => p.sbomDigest === digest);
    if (!result) {
      return fail(
        'policy',
        'GATE_POLICY_MISSING',
        `the policy was not evaluated over the attested SBOM ${short(digest)}`,
      );
    }
    const ev = result.report ? [result.report] : [];
    evidence.push(...ev);
    if (result.error) {
      return fail(
        'policy',
        'GATE_POLICY_FAILED',
        `the policy could not be evaluated: ${why(result.error)}`,
        ev,
      );
    }
    if (result.warnOnly) {
      return fail(
        'policy',
        'GATE_POLICY_WARN_ONLY',
        'the policy ran in warn-only mode, which never satisfies the release gate',
        ev,
      );
    }
    if (result.ineligible && result.ineligible.length > 0) {
      return fail(
        'policy',
        'GATE_POLICY_ADVISORIES_UNCHECKED',
        `the policy's result cannot satisfy the release gate: ${result.ineligible.join('; ')}`,
        ev,
      );
    }
    if (!result.passed) {
      const expired = result.expired.find((x) =>
        result.failing.some(
          (f) => f.id === x.id || (x.findingId !== undefined && f.id === x.findingId),
        ),
      );
      if (expired) {
        return fail(
          'policy',
          'GATE_EXCEPTION_EXPIRED',
          `exception ${expired.id} for ${expired.package} expired on ${expired.expires}; its finding fails the policy`,
          ev,
        );
      }
      const ids = result.failing.map((f) => `${f.id}${f.package ? ` (${f.package})` : ''}`);
      return fail(
        'policy',
        'GATE_POLICY_FAILED',
        `${ids.length} finding${ids.length === 1 ? '' : 's'} fail the policy: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}`,
        ev,
      );
    }
    for (const w of result.waived) {
      if (isExpired(w.expires, input.requirements.now)) {
        return fail(
          'policy',
          'GATE_EXCEPTION_EXPIRED',
          `exception ${w.exceptionId} for ${w.exceptionPackage} expired on ${w.expires}`,
          ev,
        );
      }
      if (input.exceptions.fromReleaseTree) {
        return fail(
          'policy',
          'GATE_EXCEPTIONS_FROM_RELEASE_TREE',
          `finding ${w.findingId} is waived by an exception read from the release tree, not from the protected branch`,
          ev,
        );
      }
      const known = input.exceptions.entries.some(
        (e) =>
          e.id === w.exceptionId && e.package === w.exceptionPackage && e.expires === w.expires,
      );
      if (!known) {
        return fail(
          'policy',
          'GATE_EXCEPTION_UNTRUSTED',
          `finding ${w.findingId} is waived by exception ${w.exceptionId}, which is not in the approved exceptions${input.exceptions.ref ? ` at ${input.exceptions.ref}` : ''}`,
          ev,
        );
      }
      const approvals = input.exceptions.approvals ?? [];
      if (approvals.some((a) => a.checked)) {
        const approval = approvals.find(
          (a) => a.exceptionId === w.exceptionId && a.package === w.exceptionPackage,
        );
        if (!approval?.verified) {
          return fail(
            'policy',
            'GATE_EXCEPTION_UNAPPROVED',
            `finding ${w.findingId} is waived by exception ${w.exceptionId} (${w.exceptionPackage}), whose approval ${approval?.approval ?? '(none)'} is not confirmed: ${approval?.reason ?? 'no approval record'}`,
            ev,
          );
        }
      }
      waivedAll.push(`${w.findingId} (exception ${w.exceptionId}, until ${w.expires})`);
    }
  }
  return pass(
    'policy',
    waivedAll.length === 0
      ? 'policy passed'
      : `policy passed; waived: ${[...new Set(waivedAll)].join(', ')}`,
    [...new Set(evidence)],
  );
}

/** The pieces a remote source can hold. */
const ATTESTED: readonly GateCheck[] = ['signature', 'provenance', 'sbom-attestation'];

/**
 * A configured source that could not be read for a file leaves every piece it could have held
 * unconfirmed: each is refused naming the source (fail closed, even when another place held the
 * piece). A source that answered with nothing for the file is named in the pieces still missing.
 */
function applySources(
  file: ReleaseFile,
  byCheck: Record<GateCheck, CheckResult>,
  sources: readonly SourceEvidence[],
): void {
  const mine = sources.filter((s) => s.file === undefined || s.file === file.name);
  const failed = mine.filter((s) => s.error);
  const empty = mine.filter((s) => !s.error && s.bundles === 0);
  for (const check of ATTESTED) {
    const current = byCheck[check];
    if (failed.length > 0) {
      const f = failed[0]!;
      byCheck[check] = fail(
        check,
        'GATE_ATTESTATION_SOURCE_FAILED',
        `${f.description} could not be read for ${short(file.sha256)}: ${why(f.error!)}${
          current.status === 'pass'
            ? ' (the piece was found elsewhere, but every configured source must be read)'
            : `; ${current.message}`
        }`,
        current.evidence,
      );
    } else if (current.status === 'fail' && empty.length > 0) {
      byCheck[check] = {
        ...current,
        message: `${current.message} (${empty.map((s) => `${s.description}: none`).join('; ')})`,
      };
    }
  }
}

/** Decides the release. Never throws for missing evidence: missing evidence is a refusal. */
export function decideGate(input: GateInput): GateDecision {
  const { requirements: req } = input;
  const refusals: Refusal[] = [];
  if (input.files.length === 0) {
    refusals.push({
      check: 'release-files',
      code: 'GATE_NO_RELEASE_FILES',
      message: 'no release files matched: a release with nothing in it is refused',
    });
  }
  if (input.exceptions.error) {
    refusals.push({
      check: 'exceptions',
      code: 'GATE_EXCEPTIONS_UNREADABLE',
      message: `the approved exceptions could not be read: ${why(input.exceptions.error)}`,
    });
  }
  if (input.exceptions.protection === 'unprotected') {
    refusals.push({
      check: 'exceptions',
      code: 'GATE_EXCEPTIONS_BRANCH_UNPROTECTED',
      message: `exceptions were read from ${input.exceptions.repository ? `${input.exceptions.repository}@` : ''}${input.exceptions.ref ?? 'the default branch'}, which is not a protected branch`,
    });
  }
  if (input.exceptions.fromReleaseTree && input.exceptions.entries.length > 0) {
    refusals.push({
      check: 'exceptions',
      code: 'GATE_EXCEPTIONS_FROM_RELEASE_TREE',
      message: `exceptions were read from ${input.exceptions.path ?? 'a file'} in the release tree; read them from the protected branch (exceptions ref)`,
    });
  }
  const files: FileDecision[] = [];
  for (const file of [...input.files].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  )) {
    const signature = checkSignature(file, input.signatures, req.allowedSigners);
    const provenance = checkProvenance(
      file,
      input.attestations,
      req.allowedBuilders,
      req.allowedSigners,
    );
    const sbom = checkSbomAttestation(file, input.attestations, req.allowedSigners);
    const policy = checkPolicy(sbom.sboms, input);
    const byCheck: Record<GateCheck, CheckResult> = {
      signature,
      provenance,
      'sbom-attestation': sbom.result,
      policy,
    };
    applySources(file, byCheck, input.sources ?? []);
    const checks = GATE_CHECKS.map((c) => byCheck[c]);
    for (const c of checks) {
      if (c.status === 'fail') {
        refusals.push({ file: file.name, check: c.check, code: c.code!, message: c.message });
      }
    }
    files.push({
      file,
      verdict: checks.every((c) => c.status === 'pass') ? 'pass' : 'fail',
      checks,
    });
  }
  return {
    verdict: refusals.length === 0 ? 'pass' : 'refuse',
    files,
    refusals,
    decidedAt: req.now,
  };
}
