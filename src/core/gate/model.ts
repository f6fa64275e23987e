/**
 * The release gate's model: what it is told about a release (facts gathered and verified by the
 * adapters), and what it decides. Everything here is data; the decision is `decideGate`
 * (decide.ts), the evidence manifest is `buildEvidenceManifest` (manifest.ts).
 */

/** The pieces every release file needs, in the order they are checked and shown. */
export const GATE_CHECKS = ['signature', 'provenance', 'sbom-attestation', 'policy'] as const;
export type GateCheck = (typeof GATE_CHECKS)[number];

/** Release-wide checks (not tied to one file). */
export type ReleaseCheck = 'release-files' | 'exceptions';

/** Refusal codes of the gate; each is an ERROR_CODES entry of kind `refusal`. */
export type GateRefusalCode =
  | 'GATE_NO_RELEASE_FILES'
  | 'GATE_SIGNATURE_MISSING'
  | 'GATE_SIGNATURE_WRONG_FILE'
  | 'GATE_SIGNATURE_INVALID'
  | 'GATE_SIGNER_NOT_ALLOWED'
  | 'GATE_PROVENANCE_MISSING'
  | 'GATE_PROVENANCE_INVALID'
  | 'GATE_BUILDER_UNTRUSTED'
  | 'GATE_SBOM_MISSING'
  | 'GATE_SBOM_NOT_COVERING'
  | 'GATE_SBOM_INVALID'
  | 'GATE_POLICY_MISSING'
  | 'GATE_POLICY_FAILED'
  | 'GATE_POLICY_WARN_ONLY'
  | 'GATE_POLICY_ADVISORIES_UNCHECKED'
  | 'GATE_EXCEPTION_EXPIRED'
  | 'GATE_EXCEPTION_UNTRUSTED'
  | 'GATE_EXCEPTION_UNAPPROVED'
  | 'GATE_EXCEPTIONS_BRANCH_UNPROTECTED'
  | 'GATE_EXCEPTIONS_FROM_RELEASE_TREE'
  | 'GATE_EXCEPTIONS_UNREADABLE'
  | 'GATE_ATTESTATION_SOURCE_FAILED';

export const SLSA_PROVENANCE_V1_TYPE = 'https://slsa.dev/provenance/v1';
export const VSA_V1_TYPE = 'https://slsa.dev/verification_summary/v1';

/** A file the release would publish. `name` is its path relative to the workspace, `/`-separated. */
export interface ReleaseFile {
  readonly name: string;
  /** Lower-case hex. */
  readonly sha256: string;
  readonly size: number;
}

/** Where a bundle was read from: a local bundle directory, or a remote attestation store. */
export interface BundleOrigin {
  /** `file` (a bundle directory), `github`, `github-org`, `oci` or `release`. */
  readonly source: 'file' | 'github' | 'github-org' | 'oci' | 'release';
  /** The directory, repository, organization, image or `owner/name@tag` as configured. */
  readonly ref: string;
  /** The URL (or asset / registry location) the bundle was read from; for files, the path. */
  readonly url: string;
}

/**
 * What one configured remote source answered for one release file (GitHub API sources are asked
 * per file digest) or for the whole release (OCI referrers, release assets: `file` absent).
 */
export interface SourceEvidence {
  readonly source: BundleOrigin['source'];
  readonly ref: string;
  /** A human name for the source ("GitHub attestations of acme/app"). */
  readonly description: string;
  /** The release file asked for, when the source is asked per file. */
  readonly file?: string;
  /** Bundles the source yielded. */
  readonly bundles: number;
  /** Set when the source could not be read (rate limited, refused, unreachable, bad answer). */
  readonly error?: { readonly code: string; readonly message: string };
}

/** The outcome of verifying one bundle; `code` and `message` say why it failed. */
export interface BundleOutcome {
  readonly ok: boolean;
  /** Where the bundle was read from. */
  readonly origin?: BundleOrigin;
  readonly code?: string;
  readonly message?: string;
  /** Certificate identity (keyless) or key hint / key id (key-based), when known. */
  readonly signer?: string;
}

/** A message-signature bundle (a signature over the bytes of one file), after verification. */
export interface SignatureEvidence extends BundleOutcome {
  /** Path of the bundle, relative to the workspace. */
  readonly bundle: string;
  /** sha256 the bundle states for the signed bytes (messageDigest), when it states one. */
  readonly digest?: string;
  /** The release file the bundle is named after (`<file>.sigstore.json`), when it is. */
  readonly namedFor?: string;
}

export interface Subject {
  readonly name: string;
  readonly sha256?: string;
}

/** A DSSE attestation bundle (in-toto statement), after verification. */
export interface AttestationEvidence extends BundleOutcome {
  readonly bundle: string;
  readonly predicateType: string;
  readonly subjects: readonly Subject[];
  /** SLSA provenance: `runDetails.builder.id`. */
  readonly builderId?: string;
  /** SBOM attestations: what the predicate SBOM says. */
  readonly sbom?: SbomFacts;
}

export interface SbomFacts {
  /** sha256 of the canonical predicate bytes; policy results are keyed by it. */
  readonly digest: string;
  readonly format: string;
  readonly componentCount: number;
  /** sha256 of every `file` component the SBOM lists (release files as components). */
  readonly fileDigests: readonly string[];
  /** Set when the SBOM could not be read. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** A finding the policy left standing (it failed the policy). */
export interface PolicyFinding {
  readonly id: string;
  readonly package?: string;
  readonly kind: string;
  readonly severity?: string;
  readonly message?: string;
}

/** A finding waived by an exception. */
export interface PolicyWaiver {
  readonly findingId: string;
  readonly package?: string;
  readonly exceptionId: string;
  readonly exceptionPackage: string;
  readonly expires: string;
}

export interface ExpiredException {
  /** The exception's id (an advisory id or alias, `license:…`, `ban:…`). */
  readonly id: string;
  /** The finding it would have waived, when known. */
  readonly findingId?: string;
  readonly package: string;
  readonly expires: string;
}

/** The policy's result over one SBOM. */
export interface PolicyEvidence {
  readonly sbomDigest: string;
  readonly passed: boolean;
  /** The policy ran in warn-only mode: reported, but never enough for the gate. */
  readonly warnOnly: boolean;
  /** Why an enforcing run is still not enough for the gate (vulnerability rules no advisory source checked). */
  readonly ineligible?: readonly string[];
  readonly failing: readonly PolicyFinding[];
  readonly waived: readonly PolicyWaiver[];
  readonly expired: readonly ExpiredException[];
  /** Path of the policy report in the evidence directory. */
  readonly report?: string;
  /** Set when the policy could not be evaluated. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** The confirmation of one exception's `approval` link through the GitHub API. */
export interface ExceptionApproval {
  readonly exceptionId: string;
  readonly package: string;
  /** The `approval` URL as written in the file. */
  readonly approval: string;
  /** False when confirmation was not asked for: nothing was confirmed. */
  readonly checked: boolean;
  /** True when the link is a merged pull request with an approving review by an allowed approver. */
  readonly verified: boolean;
  readonly pullRequest?: number;
  readonly mergedAt?: string;
  readonly mergeCommitSha?: string;
  /** Allowed approvers whose approving review was found (never the pull request's author). */
  readonly approvers: readonly string[];
  /** Why the link was not confirmed. */
  readonly reason?: string;
}

/** Where the exceptions came from. */
export interface ExceptionsEvidence {
  /**
   * `protected-branch`: read through the GitHub API from the repository's default branch;
   * `git-ref`: read from a branch of the local repository; `file`: read from a file in the tree
   * being released; `none`: none given.
   */
  readonly source: 'protected-branch' | 'git-ref' | 'file' | 'none';
  /** `owner/name`, for `protected-branch`. */
  readonly repository?: string;
  readonly path?: string;
  /** The branch read (`main`, `origin/main`). */
  readonly ref?: string;
  readonly commit?: string;
  /** How the branch was chosen: the repository API, `refs/remotes/origin/HEAD`, `init.defaultBranch`, or given explicitly. */
  readonly branchFrom?: 'github-api' | 'origin-head' | 'init-default-branch' | 'explicit';
  /**
   * `confirmed`: the GitHub API reports the branch protected; `unprotected`: it reports it not
   * protected (refused); `not-confirmed`: a local ref, whose protection nothing here can see.
   */
  readonly protection?: 'confirmed' | 'unprotected' | 'not-confirmed';
  /** One line for people reading the evidence (e.g. "local ref, protection not confirmed"). */
  readonly note?: string;
  /** True when the file was read from the tree being released. */
  readonly fromReleaseTree: boolean;
  readonly entries: readonly {
    readonly id: string;
    readonly package: string;
    readonly expires: string;
  }[];
  /** Per exception, whether its `approval` link was confirmed (GitHub mode only). */
  readonly approvals?: readonly ExceptionApproval[];
  readonly error?: { readonly code: string; readonly message: string };
}

/** What the gate accepts. Identity and key trust are enforced during verification; these add allow-lists on top. */
export interface GateRequirements {
  /** Builder ids accepted for provenance. Empty: no builder is trusted (fail closed). */
  readonly allowedBuilders: readonly string[];
  /** Signer identities/key hints accepted; empty: any signer verification accepted. */
  readonly allowedSigners: readonly string[];
  /** ISO 8601 instant the gate runs at (expiry is judged against it). */
  readonly now: string;
}

export interface GateInput {
  readonly files: readonly ReleaseFile[];
  readonly signatures: readonly SignatureEvidence[];
  readonly attestations: readonly AttestationEvidence[];
  readonly policies: readonly PolicyEvidence[];
  readonly exceptions: ExceptionsEvidence;
  /** What each configured remote source answered (none configured: absent or empty). */
  readonly sources?: readonly SourceEvidence[];
  readonly requirements: GateRequirements;
}

export type CheckStatus = 'pass' | 'fail';

export interface CheckResult {
  readonly check: GateCheck;
  readonly status: CheckStatus;
  readonly code?: GateRefusalCode;
  /** One line a person can read: what passed, or what is missing and why. */
  readonly message: string;
  /** Evidence paths (bundles, reports) that prove or disprove the check. */
  readonly evidence: readonly string[];
}

export interface FileDecision {
  readonly file: ReleaseFile;
  readonly verdict: CheckStatus;
  readonly checks: readonly CheckResult[];
}

/** One reason the release is refused: the file (if any), the piece, the code. */
export interface Refusal {
  readonly file?: string;
  readonly check: GateCheck | ReleaseCheck;
  readonly code: GateRefusalCode;
  readonly message: string;
}

export interface GateDecision {
  readonly verdict: 'pass' | 'refuse';
  readonly files: readonly FileDecision[];
  readonly refusals: readonly Refusal[];
  readonly decidedAt: string;
}
