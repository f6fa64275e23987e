/**
 * Who may have signed: the identity policy for keyless (certificate) bundles. Plain values match
 * exactly; a pattern is anchored at both ends. GitHub claims come from the certificate's Fulcio
 * extensions, never from the attestation.
 */
import { VouchError } from '../../errors.ts';
import type { CertificateClaims } from './claims.ts';

export interface IdentityPolicy {
  /** Exact certificate identity (SAN: URI or e-mail). */
  readonly identity?: string;
  /** Pattern for the identity, anchored (`^(?:…)$`). */
  readonly identityPattern?: string;
  /** Exact OIDC issuer. */
  readonly issuer: string;
  /** `owner/name` (any GitHub host) or a full repository URL (exact). */
  readonly repository?: string;
  /** Exact source ref (`refs/heads/main`, `refs/tags/v1.2.3`). */
  readonly ref?: string;
  /** Workflow file path in the source repository (`.github/workflows/release.yml`), exact. */
  readonly workflow?: string;
  /** Signer (possibly reusable) workflow: full URI exact, or without `@ref` for any ref. */
  readonly signerWorkflow?: string;
  /** Exact digest (commit SHA) of the signer workflow. */
  readonly signerDigest?: string;
  /** Exact trigger event (`push`, `release`, `workflow_dispatch`, …). */
  readonly trigger?: string;
  /** Exact source commit SHA. */
  readonly commit?: string;
  /** Require a GitHub-hosted runner. */
  readonly githubHostedOnly?: boolean;
}

export interface CertificateSigner {
  /** Subject alternative name (URI or e-mail). */
  readonly identity: string | undefined;
  readonly claims: CertificateClaims;
}

function invalidPattern(pattern: string, why: string, cause?: unknown): VouchError {
  return new VouchError('USAGE_INVALID_VALUE', `identity pattern "${pattern}" ${why}`, {
    hint: 'Give one self-contained regular expression; vouch anchors it as ^(?:RE)$ itself.',
    ...(cause !== undefined ? { cause } : {}),
  });
}

/**
 * Anchored version of a user pattern; a bad pattern is a user error. The pattern is compiled on
 * its own first: one that only compiles once wrapped (`x)|(.*` closes the group vouch adds and
 * would match any identity) is refused, so the anchors always enclose the whole pattern.
 * Lookarounds and backreferences cannot reach past the anchors: `^` and `$` stay outside.
 */
export function compileIdentityPattern(pattern: string): RegExp {
  let alone: RegExp;
  try {
    alone = new RegExp(pattern, 'u');
  } catch (error) {
    throw invalidPattern(pattern, 'is not a valid regular expression on its own', error);
  }
  let anchored: RegExp;
  try {
    anchored = new RegExp(`^(?:${pattern})$`, 'u');
  } catch (error) {
    throw invalidPattern(pattern, 'cannot be anchored', error);
  }
  if (anchored.source !== `^(?:${alone.source})$`) {
    throw invalidPattern(pattern, 'does not stay inside its anchors');
  }
  return anchored;
}

/** Checks the shape of a policy: an issuer and exactly one of identity or pattern. */
export function validateIdentityPolicy(policy: IdentityPolicy): void {
  if (!policy.issuer) {
    throw new VouchError(
      'VERIFY_POLICY_CONFLICT',
      'an identity policy needs an exact OIDC issuer',
      {
        hint: 'Add --certificate-oidc-issuer (GitHub Actions: https://token.actions.githubusercontent.com).',
      },
    );
  }
  if ((policy.identity === undefined) === (policy.identityPattern === undefined)) {
    throw new VouchError(
      'VERIFY_POLICY_CONFLICT',
      'give exactly one of an exact identity and an identity pattern',
    );
  }
  if (policy.identityPattern !== undefined) compileIdentityPattern(policy.identityPattern);
}

/** The path of a repository URL (`https://github.com/org/repo` → `org/repo`), or undefined. */
function repositoryPath(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    return url.pathname.replace(/^\//, '');
  } catch {
    return undefined;
  }
}

/** True when `actual` (a repository URL) is the policy's repository: exact, never a prefix. */
export function sameRepository(policy: string, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  if (policy.includes('://')) return policy === actual;
  const path = actual.includes('://') ? repositoryPath(actual) : actual;
  return path === policy;
}

/** The workflow path of a build config URI: `https://host/org/repo/PATH@ref` → `PATH`. */
export function workflowPath(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  const at = uri.lastIndexOf('@');
  const path = repositoryPath(at >= 0 ? uri.slice(0, at) : uri);
  if (!path) return undefined;
  const parts = path.split('/');
  return parts.length > 2 ? parts.slice(2).join('/') : undefined;
}

function mismatch(
  code: 'VERIFY_CLAIM_MISMATCH',
  what: string,
  expected: string,
  actual: string | undefined,
): VouchError {
  return new VouchError(
    code,
    `certificate ${what} is ${actual === undefined ? 'absent' : `"${actual}"`}, the policy requires "${expected}"`,
  );
}

/** Applies the policy; throws a coded refusal on the first difference. */
export function checkIdentityPolicy(policy: IdentityPolicy, signer: CertificateSigner): void {
  validateIdentityPolicy(policy);
  const issuer = signer.claims.issuer;
  if (issuer !== policy.issuer) {
    throw new VouchError(
      'VERIFY_ISSUER_MISMATCH',
      `certificate OIDC issuer is ${issuer === undefined ? 'absent' : `"${issuer}"`}, expected "${policy.issuer}"`,
    );
  }
  const id = signer.identity;
  if (policy.identity !== undefined && id !== policy.identity) {
    throw new VouchError(
      'VERIFY_IDENTITY_MISMATCH',
      `certificate identity is ${id === undefined ? 'absent' : `"${id}"`}, expected exactly "${policy.identity}"`,
    );
  }
  if (policy.identityPattern !== undefined) {
    const re = compileIdentityPattern(policy.identityPattern);
    if (id === undefined || !re.test(id)) {
      throw new VouchError(
        'VERIFY_IDENTITY_MISMATCH',
        `certificate identity ${id === undefined ? 'is absent' : `"${id}"`} does not match the anchored pattern ^(?:${policy.identityPattern})$`,
      );
    }
  }
  const c = signer.claims;
  if (policy.repository !== undefined && !sameRepository(policy.repository, c.sourceRepositoryUri))
    throw mismatch(
      'VERIFY_CLAIM_MISMATCH',
      'source repository',
      policy.repository,
      c.sourceRepositoryUri,
    );
  if (policy.ref !== undefined && c.sourceRepositoryRef !== policy.ref)
    throw mismatch('VERIFY_CLAIM_MISMATCH', 'source ref', policy.ref, c.sourceRepositoryRef);
  if (policy.workflow !== undefined && workflowPath(c.buildConfigUri) !== policy.workflow)
    throw mismatch('VERIFY_CLAIM_MISMATCH', 'workflow', policy.workflow, c.buildConfigUri);
  if (policy.signerWorkflow !== undefined) {
    const actual = c.buildSignerUri;
    const wanted = policy.signerWorkflow;
    const ok =
      actual !== undefined &&
      (wanted.includes('@')
        ? actual === wanted || repositoryPath(actual) === wanted
        : actual.slice(0, actual.lastIndexOf('@') >= 0 ? actual.lastIndexOf('@') : undefined) ===
            wanted || repositoryPath(actual.split('@')[0]!) === wanted);
    if (!ok) throw mismatch('VERIFY_CLAIM_MISMATCH', 'signer workflow', wanted, actual);
  }
  if (policy.signerDigest !== undefined && c.buildSignerDigest !== policy.signerDigest)
    throw mismatch(
      'VERIFY_CLAIM_MISMATCH',
      'signer workflow digest',
      policy.signerDigest,
      c.buildSignerDigest,
    );
  if (policy.trigger !== undefined && c.buildTrigger !== policy.trigger)
    throw mismatch('VERIFY_CLAIM_MISMATCH', 'trigger', policy.trigger, c.buildTrigger);
  if (policy.commit !== undefined && c.sourceRepositoryDigest !== policy.commit)
    throw mismatch(
      'VERIFY_CLAIM_MISMATCH',
      'source commit',
      policy.commit,
      c.sourceRepositoryDigest,
    );
  if (policy.githubHostedOnly && c.runnerEnvironment !== 'github-hosted')
    throw mismatch(
      'VERIFY_CLAIM_MISMATCH',
      'runner environment',
      'github-hosted',
      c.runnerEnvironment,
    );
}
