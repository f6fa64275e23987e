import * as core from '@actions/core';
import { VouchError } from '../../errors.ts';

/**
 * Every input name used by any action, with the one meaning it has everywhere. action.yml files
 * copy these descriptions word for word; a test holds them to it.
 */
export const INPUT_DESCRIPTIONS = {
  path: 'Project directory to read (default: the workspace root).',
  files: 'Release files: one glob per line, relative to the workspace.',
  key: 'Signing key reference: `keyless`, a PEM file path, a `pkcs11:` URI, or an awskms://, gcpkms://, azurekms:// or hashivault:// reference.',
  passphrase: 'Passphrase of an encrypted PEM key (a secret).',
  'pkcs11-pin': 'PIN of the PKCS#11 token (a secret).',
  'output-dir': 'Directory to write outputs into (default: beside each input file).',
  sbom: 'Path of an SBOM file (CycloneDX or SPDX JSON).',
  policy: 'Path of the policy file (YAML).',
  exceptions: 'Path of the exceptions file (YAML).',
  advisories:
    'Advisory sources, one per line: a directory, zip or JSON file of OSV records (offline); `osv-api` or `osv-api=URL` (the OSV batch query API); `github-api` or `github-api=URL` (the GitHub Advisory Database REST API, using github-token). An unreachable API fails closed unless an offline source is also given.',
  'github-token': 'Token for the GitHub API (default: the workflow token).',
  'warn-only':
    'Report policy findings without failing the step; the report is marked warn-only and the release gate never accepts it.',
  'pr-comment':
    'On pull request events, post the policy report as one comment, updated in place (needs `pull-requests: write`).',
  now: 'Evaluate exception expiry as of this UTC date (YYYY-MM-DD; default: now).',
  'approver-teams':
    'Teams whose members may approve changes to the exceptions file: one org/team per line.',
  'report-as':
    'How the review verdict is posted on the head commit: `check` (a check run) or `status` (a commit status).',
  'bundle-dirs':
    'Directories holding Sigstore bundles, one per line (default: the release files directories).',
  'public-key': 'Path of a PEM public key for key-signed bundles.',
  bundles:
    'Sigstore bundle files (v0.1–v0.3) or npm attestations files, one path or glob per line (default: NAME.sigstore.json beside each file).',
  'trusted-root':
    '`public-good` or `github` (the shipped Sigstore public-good or GitHub instance root), or the path of a Sigstore trusted_root.json (default: `public-good`).',
  online:
    'Update a shipped trusted root (`public-good` or `github`) through its TUF repository, falling back to the shipped copy with a warning.',
  'certificate-identity-regexp':
    'Pattern (anchored at both ends) for the signer identity of keyless bundles, instead of certificate-identity.',
  'source-repository':
    'Source repository (owner/name) that SLSA provenance and the certificate must name exactly.',
  'source-ref':
    'Source ref provenance must name: refs/heads/X, refs/tags/X, a branch or tag name, or a semver range for tags.',
  'source-workflow': 'Workflow file path provenance must name, e.g. .github/workflows/release.yml.',
  report:
    'Path of the JSON verification report to write, relative to the workspace (default: vouch-verify-report.json).',
  'vsa-dir':
    'Directory to write an SLSA verification summary statement per artifact into (optional; signed too when vsa-key is given).',
  'vsa-key':
    'Key reference (a PEM file path, a `pkcs11:` URI, or a KMS reference; not keyless) to sign each VSA in vsa-dir with, offline (optional).',
  'trusted-keys':
    'Path of a trusted-keys file (keys with validity windows) for key-signed bundles.',
  'certificate-identity': 'Exact signer identity (certificate SAN) required of keyless bundles.',
  'certificate-oidc-issuer': 'Exact OIDC issuer required of keyless bundles.',
  'builder-ids': 'Builder ids trusted for SLSA provenance, one per line.',
  'certificate-github-repository':
    'Repository claim (owner/name or URL) the signing certificate of keyless bundles must carry.',
  'certificate-github-ref':
    'Source ref claim (exact, e.g. refs/tags/v1.2.3) the signing certificate of keyless bundles must carry.',
  'certificate-github-trigger':
    'Trigger event claim (push, release, workflow_dispatch, …) the signing certificate of keyless bundles must carry.',
  'certificate-github-sha':
    'Source commit claim the signing certificate of keyless bundles must carry.',
  'certificate-github-signer-workflow':
    'Signer (reusable) workflow claim the signing certificate of keyless bundles must carry; without @ref any ref matches.',
  'certificate-github-signer-digest':
    'Digest claim of the signer workflow the signing certificate of keyless bundles must carry.',
  'github-hosted': 'Require keyless bundles signed on a GitHub-hosted runner (certificate claim).',
  'from-github':
    'Repositories (owner/name), one per line, whose GitHub attestations API is asked for bundles by each artifact sha256 digest.',
  'from-github-org':
    'Organizations, one per line, whose GitHub attestations API is asked for bundles by each artifact sha256 digest.',
  'from-oci':
    'Images (REGISTRY/REPO@sha256:HEX), one per line, whose Sigstore bundle referrers are read; the verify action verifies each image too, the gate counts them for the release files they name.',
  'from-release':
    'Releases (owner/name@tag), one per line, whose *.sigstore.json, *.sigstore and *.intoto.jsonl assets are read as bundles.',
  'exceptions-ref':
    "Branch to read the exceptions file from, which must be the default branch (default: the repository's default branch, through the GitHub API with github-token, else as the local git repository knows it).",
  'verify-approvals':
    "Confirm each exception's `approval` link through the GitHub API: a merged pull request that changed the exceptions file, approved by a member of approver-teams other than its author.",
  'evidence-dir': 'Directory to write the evidence into; a .tar.gz of it is written beside it.',
  'sign-manifest-key': 'Key reference to sign the evidence manifest and VSAs with (optional).',
  subjects:
    'Subjects given by digest, one per line: NAME@sha256:HEX, or an OCI image REGISTRY/REPO@sha256:HEX (a tag alone is refused).',
  checksums: 'Checksum files in sha256sum format whose entries become subjects, one path per line.',
  predicate: 'Path of a custom predicate (a JSON object) to attest.',
  'predicate-type': 'Predicate type URI of the attested predicate.',
  store:
    'Where else each attestation goes, one per line: `github` (attestations API), `release` (assets of the release), `oci` or `oci:REGISTRY/REPO@sha256:HEX` (registry), `file` (also an .intoto.jsonl).',
  'per-subject': 'One attestation per subject instead of one for all of them.',
  output:
    'Path of the attestation bundle to write, relative to the workspace (default: attestation.sigstore.json).',
  'release-tag':
    'Tag of the existing GitHub release that the `release` store uploads to (default: the pushed tag).',
  'signing-config':
    "Path of a Sigstore signing config naming the Fulcio, Rekor and TSA URLs (default: chosen as GitHub's attest action chooses).",
  'allow-untrusted-triggers': 'Allow signing in pull_request_target and workflow_run runs.',
  offline:
    'Key-based signing with no transparency log entry or timestamp (the job summary says so); refused for keyless.',
  'sbom-formats':
    'SBOM formats to write: cyclonedx, spdx, or both (comma- or newline-separated; default: both).',
  'sbom-spec-version': 'CycloneDX spec version to write: 1.6 (default) or 1.5.',
  'sbom-omit': 'Dependency scopes to leave out of the SBOM: dev and/or optional, one per line.',
  'sbom-lockfile': 'Lockfile to read instead of detecting one (relative to path).',
  reproducible:
    'Byte-identical output: timestamp from SOURCE_DATE_EPOCH (else 1970-01-01) and content-derived ids.',
  validate:
    'Validate each document against its official JSON schema before writing (default: true).',
} as const;

export type InputName = keyof typeof INPUT_DESCRIPTIONS;

/** Reads action inputs. The Actions implementation wraps @actions/core; tests record the names read. */
export interface InputReader {
  string(name: InputName, options?: { required?: boolean }): string;
  list(name: InputName): string[];
  boolean(name: InputName): boolean;
  /** Reads a secret input and masks it before anything else can log it. */
  secret(name: InputName): string;
}

export function actionsInputReader(): InputReader {
  return {
    string(name, options = {}) {
      const value = core.getInput(name).trim();
      if (options.required && value === '') {
        throw new VouchError('INPUT_MISSING', `input "${name}" is required`);
      }
      return value;
    },
    list(name) {
      return core
        .getMultilineInput(name)
        .map((s) => s.trim())
        .filter((s) => s !== '' && !s.startsWith('#'));
    },
    boolean(name) {
      const value = core.getInput(name).trim().toLowerCase();
      if (value === '' || value === 'false') return false;
      if (value === 'true') return true;
      throw new VouchError(
        'INPUT_INVALID',
        `input "${name}" must be true or false, not "${value}"`,
      );
    },
    secret(name) {
      const value = core.getInput(name);
      if (value) {
        for (const line of [value, ...value.split(/\r?\n/)])
          if (line.trim()) core.setSecret(line.trim());
      }
      return value.trim();
    },
  };
}
