/**
 * The gate composes the other stages through these small interfaces. `createGateDeps`
 * (default-deps.ts) wires the real implementations (verify, policy, exceptions, SBOM reader,
 * signer); tests pass their own.
 */
import type { ExceptionsFile } from '../../core/exceptions/model.ts';
import type { ParsedSbomView } from '../../core/gate/bundle-facts.ts';
import type { ExceptionsEvidence, PolicyEvidence } from '../../core/gate/model.ts';
import type { Logger } from '../../core/logger.ts';
import type { BundleSource } from '../verify/fetch-bundles.ts';
import type { LoadedBundle } from '../verify/load-bundles.ts';

/** Trust material and identity policy, as given to the gate. */
export interface GateTrust {
  /** A PEM public key for key-signed bundles. */
  readonly key?: string;
  /** A trusted-keys file (keys with validity windows). */
  readonly trustedKeys?: string;
  /**
   * Trust for keyless bundles: `public-good` or `github` (a shipped instance root) or the path of
   * a trusted_root.json (default: public-good).
   */
  readonly trustedRoot?: string;
  /** Update a shipped root through its TUF repository (falling back to the shipped copy). */
  readonly online?: boolean;
  readonly certificateIdentity?: string;
  readonly certificateIdentityRegexp?: string;
  readonly certificateOidcIssuer?: string;
  readonly sourceRepository?: string;
  readonly sourceRef?: string;
}

export interface VerifyRequest {
  /** Absolute path of the bundle file. */
  readonly bundlePath: string;
  /** The parsed bundle JSON. */
  readonly bundle: unknown;
  /** A bundle read from a remote source (no file): where it was read, and the digest of its JSON. */
  readonly remote?: { readonly source: string; readonly sha256: string };
  /** The release file a message signature is checked against (absolute path and sha256 hex). */
  readonly artifact?: { readonly path: string; readonly sha256: string };
  /** For DSSE attestations: the digest (sha256 hex) that must be a subject. */
  readonly subjectDigest?: string;
  readonly kind: 'message-signature' | 'dsse';
  readonly trust: GateTrust;
  readonly workspace: string;
}

export interface VerifyOutcome {
  readonly ok: boolean;
  readonly code?: string;
  readonly message?: string;
  readonly signer?: string;
  /** The verifier's report for this bundle (goes into reports/verification.json). */
  readonly report?: unknown;
}

/** Verifies one bundle offline. Never throws for a failed check: it returns `ok: false` with a code. */
export interface GateVerifier {
  verifyBundle(request: VerifyRequest): Promise<VerifyOutcome>;
  /** Releases loaded trust material. */
  close?(): Promise<void>;
}

export interface PolicyRequest {
  /** The SBOM document carried by the attestation. */
  readonly sbom: unknown;
  readonly sbomDigest: string;
  readonly policyPath: string;
  readonly advisories: readonly string[];
  /** The approved exceptions (from the protected branch), or undefined when none. */
  readonly exceptions?: ExceptionsFile;
  readonly exceptionsSource: string;
  readonly now: Date;
  readonly workspace: string;
}

export interface PolicyOutcome {
  readonly evidence: Omit<PolicyEvidence, 'report'>;
  /** The policy's JSON report (written to reports/policy-<sbom>.json). */
  readonly report: unknown;
}

export interface GatePolicyEngine {
  evaluatePolicy(request: PolicyRequest): Promise<PolicyOutcome>;
}

/** GitHub mode: the exceptions come from the repository's default branch through the API. */
export interface GitHubExceptionsOptions {
  /** `owner/name`. */
  readonly repository: string;
  /** Confirm each exception's `approval` link (a merged, approved pull request). */
  readonly verifyApprovals: boolean;
  /** `org/team` entries whose members may approve (needed with verifyApprovals). */
  readonly approverTeams: readonly string[];
  /** Host approval links must point at (default github.com). */
  readonly serverHost?: string;
}

export interface ExceptionsRequest {
  readonly workspace: string;
  /** Path of the exceptions file, relative to the repository root. */
  readonly path?: string;
  /**
   * The branch to read it from (`origin/main`). It must be the default branch; absent means the
   * default branch (from the API, or as the local repository knows it), and failing that the
   * release tree (read, and refused).
   */
  readonly ref?: string;
  /** GitHub mode; absent: the local repository. */
  readonly github?: GitHubExceptionsOptions;
  readonly now: Date;
}

export interface ExceptionsOutcome {
  readonly evidence: ExceptionsEvidence;
  /** The parsed file, passed to the policy. */
  readonly file?: ExceptionsFile;
  /** The file's bytes as read (their digest goes into the manifest). */
  readonly text?: string;
  readonly report: unknown;
}

/**
 * Codes of errors from reading the exceptions that are bad input (exit 2, nothing written) rather
 * than a refusal: no such ref or file, a ref that is not the default branch, a path outside the
 * repository, a token or repository the API does not accept.
 */
export const EXCEPTIONS_INPUT_ERROR_CODES: ReadonlySet<string> = new Set([
  'GATE_INPUT_UNREADABLE',
  'EXCEPTIONS_REF_NOT_DEFAULT',
  'GIT_REF_UNREADABLE',
  'PATH_OUTSIDE_WORKSPACE',
  'INPUT_MISSING',
  'INPUT_INVALID',
  'GITHUB_AUTH_FAILED',
  'GITHUB_NOT_FOUND',
]);

/**
 * Reads the approved exceptions. Bad input (EXCEPTIONS_INPUT_ERROR_CODES) throws; a file on the
 * branch that cannot be read as exceptions is returned as evidence with `error` (a refusal), and
 * any other failure thrown is turned into one by the gate.
 */
export interface GateExceptionsSource {
  loadExceptions(request: ExceptionsRequest): Promise<ExceptionsOutcome>;
}

/**
 * Reads bundles from a remote attestation store: the GitHub attestations API (by one release
 * file's digest `sha256:<hex>`), OCI referrers of an image, or the assets of a release (digest
 * undefined). Returns [] when the source holds none; throws a VouchError when it cannot be read
 * (rate limited, refused, unreachable after retries, a bad answer).
 */
export interface GateBundleFetcher {
  fetch(source: BundleSource, digest: string | undefined): Promise<LoadedBundle[]>;
}

/** Signs the manifest and VSAs when a key is given. */
export interface GateSigner {
  /** A Sigstore bundle (JSON) with a message signature over `bytes`. */
  signMessage(bytes: Buffer): Promise<unknown>;
  /** A Sigstore bundle (JSON) with a DSSE envelope over an in-toto statement. */
  signStatement(statement: Buffer): Promise<unknown>;
  readonly identity: string;
  close(): Promise<void>;
}

export interface GateDeps {
  readonly logger: Logger;
  readonly verifier: GateVerifier;
  readonly policy: GatePolicyEngine;
  readonly exceptions: GateExceptionsSource;
  /** Reads an SBOM document (CycloneDX or SPDX JSON) into the shared model. Throws a VouchError when it cannot. */
  readonly readSbom: (doc: unknown, source: string) => ParsedSbomView;
  /** Reads bundles from remote sources (needed when the request names any). */
  readonly fetchBundles?: GateBundleFetcher;
  /** Opens a signer for a key reference (manifest and VSA signing). */
  readonly openSigner?: (keyRef: string) => Promise<GateSigner>;
}
