/**
 * One error type for the whole suite.
 *
 * Every failure a user can see is a `VouchError` with a stable `code` from the catalogue below,
 * a `kind` that says whose fault it is, and a one-line `hint`. The CLI turns the kind into an exit
 * code; an action turns it into `core.setFailed("[CODE] message")`. `docs/errors.md` lists every
 * code, and a test fails when the two drift apart.
 */

/**
 * - `user`: bad input or usage (a flag, a path, a malformed file). Fix the invocation.
 * - `refusal`: the input was understood and checked, and the check failed (verification or policy).
 * - `internal`: a bug in vouch or an unexpected failure of something it depends on.
 */
export type ErrorKind = 'user' | 'refusal' | 'internal';

/** Exit codes of the `vouch` CLI, one per outcome. Documented in docs/errors.md. */
export const EXIT_CODES = {
  pass: 0,
  refusal: 1,
  user: 2,
  internal: 3,
} as const;

export interface ErrorSpec {
  readonly kind: ErrorKind;
  readonly hint: string;
}

/**
 * The catalogue. Add new codes to the section of their area, keep names UPPER_SNAKE, and add the
 * same code to docs/errors.md in the same change.
 */
export const ERROR_CODES = {
  // --- general / usage ---
  USAGE_UNKNOWN_COMMAND: {
    kind: 'user',
    hint: 'Run `vouch --help` to list the commands.',
  },
  USAGE_UNKNOWN_FLAG: {
    kind: 'user',
    hint: 'Run `vouch <command> --help` to list the flags the command takes.',
  },
  USAGE_MISSING_ARGUMENT: {
    kind: 'user',
    hint: 'Run `vouch <command> --help` to see the required arguments and an example.',
  },
  USAGE_INVALID_VALUE: {
    kind: 'user',
    hint: 'Check the value against `vouch <command> --help`.',
  },
  NOT_IMPLEMENTED: {
    kind: 'user',
    hint: 'This command is not available in this version of vouch.',
  },
  INPUT_MISSING: {
    kind: 'user',
    hint: 'Set the input in the workflow step (`with:`), or the flag on the command line.',
  },
  INPUT_INVALID: {
    kind: 'user',
    hint: 'Check the input against the action README.',
  },
  FILE_UNREADABLE: {
    kind: 'user',
    hint: 'Check that the path exists and is readable.',
  },
  FILE_WRITE_FAILED: {
    kind: 'user',
    hint: 'Check that the output directory exists and is writable.',
  },
  FILE_TOO_LARGE: {
    kind: 'user',
    hint: 'The file is larger than vouch accepts for this kind of input.',
  },
  PATH_OUTSIDE_WORKSPACE: {
    kind: 'user',
    hint: 'Paths must stay inside the workspace: no `..`, absolute paths elsewhere, or escaping symlinks.',
  },
  PATH_IS_SYMLINK: {
    kind: 'user',
    hint: 'Point at the real file, not a symbolic link.',
  },
  JSON_INVALID: {
    kind: 'user',
    hint: 'The file is not valid JSON; the message gives the position.',
  },
  YAML_INVALID: {
    kind: 'user',
    hint: 'The file is not valid YAML for vouch (no aliases bombs, custom tags or excessive nesting).',
  },
  UNSAFE_KEY: {
    kind: 'user',
    hint: 'Keys named __proto__, constructor or prototype are refused in every input file.',
  },
  // --- sbom ---
  SBOM_UNKNOWN_FORMAT: {
    kind: 'user',
    hint: 'Give a CycloneDX (1.2–1.6) or SPDX (2.2/2.3) JSON document, or an in-toto statement carrying one.',
  },
  SBOM_UNSUPPORTED_VERSION: {
    kind: 'user',
    hint: 'vouch reads CycloneDX 1.2–1.6 JSON and SPDX 2.2/2.3 JSON.',
  },
  SBOM_INVALID: {
    kind: 'user',
    hint: 'The SBOM does not have the structure its format requires; the message names the field.',
  },
  SBOM_LOCKFILE_NOT_FOUND: {
    kind: 'user',
    hint: 'Run in a project directory with a lockfile, or name one (--lockfile; the sbom-lockfile input of the action).',
  },
  SBOM_LOCKFILE_UNSUPPORTED: {
    kind: 'user',
    hint: 'vouch reads package-lock.json v1–v3, npm-shrinkwrap.json, pnpm-lock.yaml 5.x, 6.x and 9.x, yarn.lock (classic v1 and berry) and Cargo.lock v3/v4.',
  },
  SBOM_LOCKFILE_INVALID: {
    kind: 'user',
    hint: 'The lockfile is corrupted; regenerate it with the package manager.',
  },
  SBOM_LOCKFILE_OUT_OF_SYNC: {
    kind: 'user',
    hint: 'The lockfile does not match its manifest; run the package manager (npm install, cargo update -w, …) and commit the lockfile.',
  },
  SBOM_TOML_INVALID: {
    kind: 'user',
    hint: 'The file is not valid TOML; the message gives the position.',
  },
  SBOM_NO_FILES_MATCHED: {
    kind: 'user',
    hint: 'Check the --file / files glob: it is relative to the project workspace.',
  },
  SBOM_SCHEMA_INVALID: {
    kind: 'internal',
    hint: 'The generated SBOM failed schema validation; nothing was written. Please report it.',
  },
  // --- policy ---
  POLICY_INVALID: {
    kind: 'user',
    hint: 'Fix the policy file; docs/policy.md lists every key (schemas/policy.schema.json for editors).',
  },
  EXCEPTIONS_INVALID: {
    kind: 'user',
    hint: 'Fix the exceptions file at the line given; docs/exceptions.md lists every key and rule.',
  },
  POLICY_REFUSED: {
    kind: 'refusal',
    hint: 'Fix the findings in the report, or add an approved, expiring exception for each.',
  },
  ADVISORIES_INVALID: {
    kind: 'user',
    hint: 'Point --advisories at a directory or zip of OSV JSON records (e.g. an osv.dev ecosystem export).',
  },
  ADVISORY_SOURCE_UNREACHABLE: {
    kind: 'user',
    hint: 'The advisory API could not be reached; vouch fails closed. Give an offline source (a directory or zip of OSV records) too.',
  },
  ARCHIVE_UNSAFE: {
    kind: 'user',
    hint: 'The archive has entries with `..`, absolute paths or symlinks, or expands far beyond its size; it is refused.',
  },
  // --- verify ---
  VERIFY_BUNDLE_INVALID: {
    kind: 'user',
    hint: 'Check that the file is a Sigstore bundle (v0.1–v0.3) or an npm attestations response.',
  },
  VERIFY_BUNDLE_NOT_FOUND: {
    kind: 'user',
    hint: 'Pass --bundle FILE, or check the digest, repository or reference the bundle is fetched from.',
  },
  VERIFY_FETCH_FAILED: {
    kind: 'user',
    hint: 'Check the network, the token and the reference; or pass the bundle and trusted root as files.',
  },
  VERIFY_FETCH_DENIED: {
    kind: 'user',
    hint: 'The source refused the read (401/403): give a token that can read it (--github-token-env VAR or the github-token input; registry credentials for OCI).',
  },
  VERIFY_FETCH_RATE_LIMITED: {
    kind: 'user',
    hint: 'The API rate limit stayed exhausted after retries; give a token (unauthenticated reads get 60 requests an hour) or re-run after the reset time.',
  },
  VERIFY_NO_ATTESTATIONS: {
    kind: 'refusal',
    hint: 'The source holds no attestation for that digest: check the digest, the repository, image or release, and that the artifact was attested there.',
  },
  VERIFY_BUNDLE_SOURCE_INVALID: {
    kind: 'user',
    hint: 'Use --from-github OWNER/REPO, --from-github-org ORG, --from-oci REGISTRY/REPO@sha256:HEX or --from-release OWNER/REPO@TAG.',
  },
  VERIFY_TRUST_ROOT_INVALID: {
    kind: 'user',
    hint: 'Use a trusted_root.json from the Sigstore TUF repository, or the shipped copy.',
  },
  VERIFY_KEY_INVALID: {
    kind: 'user',
    hint: 'Give a PEM public key (SPKI); docs/verify.md describes the trusted-keys file.',
  },
  VERIFY_POLICY_CONFLICT: {
    kind: 'user',
    hint: 'Give either --key/--trusted-keys or --certificate-identity(-regexp) with --certificate-oidc-issuer, not both.',
  },
  VERIFY_ARTIFACT_INVALID: {
    kind: 'user',
    hint: 'Give a file path, `sha256:<64 hex>`, `sha512:<128 hex>`, or an OCI reference pinned by `@sha256:`.',
  },
  VERIFY_POLICY_MISSING: {
    kind: 'refusal',
    hint: 'Pass --certificate-identity (or --certificate-identity-regexp) and --certificate-oidc-issuer, or --key / --trusted-keys.',
  },
  VERIFY_ARTIFACT_MISMATCH: {
    kind: 'refusal',
    hint: 'The file is not the one that was signed: download it again and check its source.',
  },
  VERIFY_SIGNATURE_INVALID: {
    kind: 'refusal',
    hint: 'The bundle or the artifact was altered, or the wrong key was used.',
  },
  VERIFY_CERTIFICATE_INVALID: {
    kind: 'refusal',
    hint: 'Check the trusted root matches the Sigstore instance that signed the bundle.',
  },
  VERIFY_TLOG_INVALID: {
    kind: 'refusal',
    hint: "The bundle's log entry was altered or belongs to another signature.",
  },
  VERIFY_TLOG_MISSING: {
    kind: 'refusal',
    hint: 'Sign with a transparency log (Rekor), or verify with a key and a trusted timestamp.',
  },
  VERIFY_INCLUSION_PROOF_INVALID: {
    kind: 'refusal',
    hint: "The bundle's log proof is wrong; fetch a fresh bundle from the signer. vouch never fetches proofs itself.",
  },
  VERIFY_TIMESTAMP_INVALID: {
    kind: 'refusal',
    hint: 'Check the trusted root lists the timestamp authority that stamped the bundle.',
  },
  VERIFY_KEY_NOT_TRUSTED: {
    kind: 'refusal',
    hint: 'Check --key / --trusted-keys: the bundle was signed by another key.',
  },
  VERIFY_KEY_WINDOW: {
    kind: 'refusal',
    hint: 'The key was not valid when this bundle was signed (rotated, revoked or not yet valid).',
  },
  VERIFY_IDENTITY_MISMATCH: {
    kind: 'refusal',
    hint: 'Check --certificate-identity: it must be the exact workflow identity, including the ref.',
  },
  VERIFY_ISSUER_MISMATCH: {
    kind: 'refusal',
    hint: 'Check --certificate-oidc-issuer (GitHub Actions: https://token.actions.githubusercontent.com).',
  },
  VERIFY_CLAIM_MISMATCH: {
    kind: 'refusal',
    hint: 'Compare the claims in the report with the policy flags.',
  },
  VERIFY_DSSE_INVALID: {
    kind: 'refusal',
    hint: 'vouch accepts exactly one DSSE signature over an application/vnd.in-toto+json payload.',
  },
  VERIFY_STATEMENT_INVALID: {
    kind: 'refusal',
    hint: 'The attestation is not an in-toto Statement v1 with digest subjects.',
  },
  VERIFY_SUBJECT_MISMATCH: {
    kind: 'refusal',
    hint: 'The attestation is for another artifact.',
  },
  VERIFY_PREDICATE_TYPE: {
    kind: 'refusal',
    hint: 'Check --predicate-type, or pick the bundle that carries that predicate.',
  },
  VERIFY_BUILDER_UNTRUSTED: {
    kind: 'refusal',
    hint: 'Add the exact builder id (with its tag) to --builder-id, or check who built the artifact.',
  },
  VERIFY_SOURCE_MISMATCH: {
    kind: 'refusal',
    hint: 'Check --source-repository (owner/name).',
  },
  VERIFY_REF_MISMATCH: {
    kind: 'refusal',
    hint: 'Check --source-ref: refs/heads/NAME, refs/tags/NAME, or a semver range for tags.',
  },
  VERIFY_WORKFLOW_MISMATCH: {
    kind: 'refusal',
    hint: 'Check --workflow: the path of the workflow file in the source repository.',
  },
  VERIFY_PREDICATE_INVALID: {
    kind: 'refusal',
    hint: "The attestation's predicate is malformed.",
  },
  VERIFY_UNSUPPORTED: {
    kind: 'refusal',
    hint: 'Verify with the artifact file instead of its digest, or report the bundle.',
  },
  VERIFY_REFUSED: {
    kind: 'refusal',
    hint: 'Read the report: each artifact lists the check that failed and its code.',
  },
  // --- attest / provenance ---
  SUBJECT_NONE: {
    kind: 'user',
    hint: 'Give release files (paths or globs), --checksums FILE, or NAME@sha256:HEX.',
  },
  SUBJECT_INVALID: {
    kind: 'user',
    hint: 'Write subjects as NAME@sha256:HEX (64 lower-case hex digits).',
  },
  SUBJECT_DUPLICATE: {
    kind: 'user',
    hint: 'Each subject name may stand for one content only; remove the stale entry.',
  },
  SUBJECT_MUTABLE_REF: {
    kind: 'user',
    hint: 'Give the image by digest: REGISTRY/REPO@sha256:HEX.',
  },
  CHECKSUMS_INVALID: {
    kind: 'user',
    hint: 'Each line is `HEX  NAME` (sha256sum output); the message gives the line.',
  },
  PREDICATE_INVALID: {
    kind: 'user',
    hint: 'The predicate must be a JSON object (an SBOM or a custom predicate).',
  },
  PREDICATE_TYPE_INVALID: {
    kind: 'user',
    hint: 'Give an absolute URI such as https://cyclonedx.org/bom.',
  },
  SBOM_PREDICATE_MISMATCH: {
    kind: 'user',
    hint: 'Use https://cyclonedx.org/bom for CycloneDX and https://spdx.dev/Document/v2.3 for SPDX.',
  },
  BUILD_CONTEXT_INVALID: {
    kind: 'user',
    hint: 'Run inside a GitHub Actions job, or in a git working tree for a local build.',
  },
  STORE_INVALID: {
    kind: 'user',
    hint: 'Use --store github, --store release, --store oci:REGISTRY/REPO@sha256:HEX or --store file.',
  },
  STORE_FAILED: {
    kind: 'user',
    hint: 'Read which stores succeeded; fix the failing one and run again (stores are idempotent).',
  },
  ATTESTATIONS_PERMISSION_DENIED: {
    kind: 'user',
    hint: 'Add `permissions: attestations: write` (and `id-token: write` for keyless) to the job.',
  },
  RELEASE_NOT_FOUND: {
    kind: 'user',
    hint: 'Create the release first, or check the tag (GITHUB_REF or the release-tag input).',
  },
  // --- sign ---
  SIGN_KEY_REF_INVALID: {
    kind: 'user',
    hint: 'Key references: `keyless`, a PEM path, `pkcs11:…`, `awskms://[ENDPOINT]/KEY`, `gcpkms://projects/…`, `azurekms://VAULT/KEY`, `hashivault://KEY`.',
  },
  SIGN_KEY_SCHEME_UNKNOWN: {
    kind: 'user',
    hint: 'Use `keyless`, a PEM file path, a `pkcs11:` URI, or an awskms://, gcpkms://, azurekms:// or hashivault:// reference.',
  },
  SIGN_KEY_INVALID: {
    kind: 'user',
    hint: 'Give a PEM private key: ECDSA P-256 or P-384, Ed25519 or RSA.',
  },
  SIGN_PASSPHRASE_MISSING: {
    kind: 'user',
    hint: 'Set VOUCH_KEY_PASSPHRASE (or the variable --passphrase-env names, or the passphrase input).',
  },
  SIGN_PASSPHRASE_WRONG: {
    kind: 'user',
    hint: 'Check the passphrase for this key file.',
  },
  SIGN_PKCS11_URI_INVALID: {
    kind: 'user',
    hint: 'Write an RFC 7512 URI: pkcs11:token=LABEL;object=KEY?module-path=/abs/module.so (PIN from VOUCH_PKCS11_PIN).',
  },
  SIGN_PKCS11_PIN_MISSING: {
    kind: 'user',
    hint: 'Set VOUCH_PKCS11_PIN, the pkcs11-pin input, or pin-source=FILE in the URI.',
  },
  SIGN_PKCS11_FAILED: {
    kind: 'user',
    hint: 'Check the module path, token label, PIN and key label or id.',
  },
  SIGN_KMS_PERMISSION_DENIED: {
    kind: 'user',
    hint: 'Grant the signing identity sign and get-public-key rights on the key.',
  },
  SIGN_KMS_NOT_FOUND: {
    kind: 'user',
    hint: 'Check the key reference: the KMS has no such key or version.',
  },
  SIGN_KMS_FAILED: {
    kind: 'user',
    hint: 'Check the KMS endpoint, region and credentials; throttling is retried before this error.',
  },
  SIGN_OIDC_PERMISSION_MISSING: {
    kind: 'user',
    hint: 'Add `permissions: id-token: write` to the job (keyless signing needs it).',
  },
  SIGN_OIDC_FAILED: {
    kind: 'user',
    hint: 'Check the identity token (audience sigstore) and that it has not expired.',
  },
  SIGN_UNTRUSTED_TRIGGER: {
    kind: 'refusal',
    hint: 'Only if the job does not check out untrusted code: set the action input allow-untrusted-triggers: true, or pass --allow-untrusted-triggers to the CLI.',
  },
  SIGN_WITNESS_FAILED: {
    kind: 'user',
    hint: 'Check the Rekor and TSA URLs (or the signing config); use --offline for key-based signing without witnesses.',
  },
  SIGN_WITNESS_REQUIRED: {
    kind: 'user',
    hint: 'Keyless signing needs a transparency log or timestamp; give a signing config or drop --offline.',
  },
  SIGN_SIGNING_CONFIG_INVALID: {
    kind: 'user',
    hint: 'Use a Sigstore signing_config.json (v0.2) naming CA, Rekor and TSA URLs.',
  },
  SIGN_NO_FILES: {
    kind: 'user',
    hint: 'Check the globs: they must match files inside the workspace.',
  },
  SIGN_SELF_CHECK_FAILED: {
    kind: 'user',
    hint: 'The services that signed (signing config or defaults) are not the ones the trusted root trusts: pass the trusted_root.json of the same Sigstore instance as the signing config.',
  },
  SIGN_ED25519_MESSAGE_UNSUPPORTED: {
    kind: 'user',
    hint: 'Sign files with an ECDSA P-256/P-384 or RSA key (Sigstore clients cannot verify Ed25519 signatures over files); Ed25519 keys still sign attestations (DSSE).',
  },
  TRUSTED_KEYS_INVALID: {
    kind: 'user',
    hint: 'See docs/key-custody.md for the trusted-keys file format.',
  },
  // --- exceptions review ---
  GITHUB_API_FAILED: {
    kind: 'internal',
    hint: 'GitHub answered with an error after retries; nothing was approved. Re-run the job later.',
  },
  GITHUB_RATE_LIMITED: {
    kind: 'internal',
    hint: 'The GitHub API rate limit was still exhausted after retries; nothing was approved. Re-run after the reset time.',
  },
  GITHUB_AUTH_FAILED: {
    kind: 'user',
    hint: 'Check the token and its permissions (pull-requests: read, contents: read, members: read for teams, checks or statuses: write).',
  },
  GITHUB_NOT_FOUND: {
    kind: 'user',
    hint: 'Check the repository, pull request, ref, team or path; the token must be able to see it.',
  },
  GITHUB_RESPONSE_INVALID: {
    kind: 'internal',
    hint: 'GitHub returned a response vouch cannot read; nothing was approved.',
  },
  EXCEPTIONS_DIFF_TOO_LARGE: {
    kind: 'user',
    hint: 'Split the pull request: vouch reviews at most 3,000 changed files and exceptions files up to 1 MiB.',
  },
  EXCEPTIONS_NOT_APPROVED: {
    kind: 'refusal',
    hint: 'Get an approving review on the latest commit from an eligible approver who is not the author or the last pusher.',
  },
  EXCEPTIONS_APPROVAL_UNVERIFIED: {
    kind: 'refusal',
    hint: "Each exception's `approval` must be the merged pull request that added or extended it, approved on its final head commit by an allowed approver who is neither its author nor its last pusher.",
  },
  EXCEPTIONS_DATE_INVALID: {
    kind: 'user',
    hint: 'Dates are UTC calendar dates: YYYY-MM-DD. Durations are a number of days: 14d.',
  },
  GIT_REF_UNREADABLE: {
    kind: 'user',
    hint: 'Check that the ref exists in the local repository and holds the file (`git show REF:PATH`).',
  },
  EXCEPTIONS_REF_NOT_DEFAULT: {
    kind: 'user',
    hint: 'Release exceptions come from the default branch: give it (e.g. origin/main), or leave the exceptions ref out and let vouch find it.',
  },
  // --- gate ---
  GATE_INPUT_UNREADABLE: {
    kind: 'user',
    hint: 'Check the path named in the message; the gate checks every input before deciding and writes nothing when one is missing.',
  },
  GATE_NO_RELEASE_FILES: {
    kind: 'refusal',
    hint: 'Check the release file globs: a release with nothing in it is refused.',
  },
  GATE_SIGNATURE_MISSING: {
    kind: 'refusal',
    hint: "Sign every release file (`vouch sign`) and pass the bundles' directory with --bundle-dir.",
  },
  GATE_SIGNATURE_WRONG_FILE: {
    kind: 'refusal',
    hint: 'The bundle named after the file signs other bytes: the file was altered after signing, or the bundle belongs to another file.',
  },
  GATE_SIGNATURE_INVALID: {
    kind: 'refusal',
    hint: "The signature bundle did not verify against the trust material; the message gives the verifier's code.",
  },
  GATE_SIGNER_NOT_ALLOWED: {
    kind: 'refusal',
    hint: "Sign with an allowed identity or key, or add it to the gate's allowed signers.",
  },
  GATE_PROVENANCE_MISSING: {
    kind: 'refusal',
    hint: 'Make SLSA provenance naming the file (`vouch provenance`).',
  },
  GATE_PROVENANCE_INVALID: {
    kind: 'refusal',
    hint: "The provenance bundle did not verify; the message gives the verifier's code.",
  },
  GATE_BUILDER_UNTRUSTED: {
    kind: 'refusal',
    hint: 'Build on a trusted builder, or add its id to --builder-id.',
  },
  GATE_SBOM_MISSING: {
    kind: 'refusal',
    hint: 'Attest the SBOM for the release files (`vouch attest --predicate sbom.json`).',
  },
  GATE_SBOM_NOT_COVERING: {
    kind: 'refusal',
    hint: 'Generate the SBOM with the release files as components and attest it with every release file as a subject.',
  },
  GATE_SBOM_INVALID: {
    kind: 'refusal',
    hint: 'The SBOM attestation did not verify, or its SBOM cannot be read.',
  },
  GATE_POLICY_MISSING: {
    kind: 'refusal',
    hint: 'The gate evaluates the policy over the attested SBOM; give --policy and an attested SBOM.',
  },
  GATE_POLICY_FAILED: {
    kind: 'refusal',
    hint: 'Fix the findings, or get an exception approved on the protected branch.',
  },
  GATE_POLICY_WARN_ONLY: {
    kind: 'refusal',
    hint: 'Warn-only mode is for adoption; the gate needs an enforcing policy.',
  },
  GATE_POLICY_ADVISORIES_UNCHECKED: {
    kind: 'refusal',
    hint: 'Give the gate an advisory source (--advisories DIR_OR_ZIP, osv-api or github-api) that holds records for the SBOM.',
  },
  GATE_EXCEPTION_EXPIRED: {
    kind: 'refusal',
    hint: 'Renew the exception through a reviewed pull request, or fix the finding.',
  },
  GATE_EXCEPTION_UNTRUSTED: {
    kind: 'refusal',
    hint: 'Waivers count only when they come from the approved exceptions on the protected branch.',
  },
  GATE_EXCEPTION_UNAPPROVED: {
    kind: 'refusal',
    hint: "The exception's `approval` must be the merged pull request of this repository that added or extended it, approved on its final head commit by an approver-team member who is neither its author nor its last pusher.",
  },
  GATE_EXCEPTIONS_BRANCH_UNPROTECTED: {
    kind: 'refusal',
    hint: 'Protect the default branch (require reviewed pull requests): exceptions count only from a protected branch.',
  },
  GATE_EXCEPTIONS_FROM_RELEASE_TREE: {
    kind: 'refusal',
    hint: 'Read exceptions from the protected branch with --exceptions-ref (e.g. origin/main), never from the tree being released.',
  },
  GATE_EXCEPTIONS_UNREADABLE: {
    kind: 'refusal',
    hint: 'Check --exceptions-ref and --exceptions: the file must exist at that ref and parse.',
  },
  GATE_ATTESTATION_SOURCE_FAILED: {
    kind: 'refusal',
    hint: 'An attestation source (--from-github, --from-github-org, --from-oci, --from-release) could not be read: rate limited, refused, or unreachable after retries; the message names it and the underlying code. Fix access (token, permissions: attestations: read) or retry later.',
  },
  INTERNAL: {
    kind: 'internal',
    hint: 'This is a bug in vouch; please report it with the command you ran.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface VouchErrorOptions {
  readonly cause?: unknown;
  /** Overrides the catalogue hint when the situation calls for a more precise one. */
  readonly hint?: string;
}

export class VouchError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly hint: string;

  constructor(code: ErrorCode, message: string, options: VouchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VouchError';
    this.code = code;
    this.kind = ERROR_CODES[code].kind;
    this.hint = options.hint ?? ERROR_CODES[code].hint;
  }
}

export function isVouchError(value: unknown): value is VouchError {
  return value instanceof VouchError;
}

/** Anything thrown that is not a VouchError is a bug: wrap it as INTERNAL, keeping the cause. */
export function toVouchError(value: unknown): VouchError {
  if (value instanceof VouchError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new VouchError('INTERNAL', `unexpected failure: ${message}`, { cause: value });
}

export function exitCodeFor(kind: ErrorKind): number {
  return EXIT_CODES[kind];
}

/** One line for a person: `[CODE] message (hint: …)`. */
export function formatError(error: VouchError): string {
  return `[${error.code}] ${error.message}\n  hint: ${error.hint}`;
}
