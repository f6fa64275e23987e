/**
 * SLSA provenance v1 checks: builder allow-list (exact), source repository (exact), ref (branch,
 * tag, or a semver range on tags), workflow path and inputs, and claims the signing certificate
 * must back (repository, ref, commit, run invocation).
 */
import semver from 'semver';
import { VouchError } from '../../errors.ts';
import type { CertificateClaims } from './claims.ts';
import { sameRepository } from './identity-policy.ts';

export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

export interface SlsaPolicy {
  /** Allowed builder ids, exact (a builder at another ref or version is refused). */
  readonly builderIds?: readonly string[];
  /** `owner/name` or full repository URL, exact. */
  readonly sourceRepository?: string;
  /**
   * `refs/heads/X` or `refs/tags/X` (exact); a bare version or semver range (tags only); any other
   * bare name is a branch (see refMatches).
   */
  readonly sourceRef?: string;
  /** Workflow file path, exact (`.github/workflows/release.yml`). */
  readonly workflow?: string;
  /** Workflow inputs that must have exactly these values. */
  readonly workflowInputs?: Readonly<Record<string, string>>;
}

export interface SlsaFacts {
  readonly buildType: string;
  readonly builderId: string;
  readonly sourceRepository?: string;
  readonly sourceRef?: string;
  readonly sourceCommit?: string;
  readonly workflow?: string;
  readonly invocationId?: string;
  readonly trigger?: string;
  readonly runnerEnvironment?: string;
}

function rec(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Reads the facts vouch checks from a SLSA v1 predicate; a malformed one is refused. */
export function readSlsaFacts(predicate: unknown): SlsaFacts {
  const p = rec(predicate);
  const def = rec(p?.['buildDefinition']);
  const run = rec(p?.['runDetails']);
  const builderId = str(rec(run?.['builder'])?.['id']);
  const buildType = str(def?.['buildType']);
  if (!p || !def || !run || !builderId || !buildType) {
    throw new VouchError(
      'VERIFY_PREDICATE_INVALID',
      'the SLSA provenance lacks buildDefinition.buildType or runDetails.builder.id',
    );
  }
  const ext = rec(def['externalParameters']);
  const wf = rec(ext?.['workflow']);
  const internal = rec(rec(def['internalParameters'])?.['github']);
  const deps = Array.isArray(def['resolvedDependencies']) ? def['resolvedDependencies'] : [];
  let sourceRepository = str(wf?.['repository']);
  let sourceRef = str(wf?.['ref']);
  let sourceCommit: string | undefined;
  for (const d of deps) {
    const uri = str(rec(d)?.['uri']);
    const commit = str(rec(rec(d)?.['digest'])?.['gitCommit']);
    if (!uri?.startsWith('git+')) continue;
    const at = uri.lastIndexOf('@');
    const repo = at > 0 ? uri.slice(4, at) : uri.slice(4);
    sourceRepository ??= repo;
    if (at > 0) sourceRef ??= uri.slice(at + 1);
    sourceCommit ??= commit;
    break;
  }
  return {
    buildType,
    builderId,
    ...(sourceRepository !== undefined ? { sourceRepository } : {}),
    ...(sourceRef !== undefined ? { sourceRef } : {}),
    ...(sourceCommit !== undefined ? { sourceCommit } : {}),
    ...(str(wf?.['path']) !== undefined ? { workflow: str(wf?.['path'])! } : {}),
    ...(str(rec(run['metadata'])?.['invocationId']) !== undefined
      ? { invocationId: str(rec(run['metadata'])?.['invocationId'])! }
      : {}),
    ...(str(internal?.['event_name']) !== undefined
      ? { trigger: str(internal?.['event_name'])! }
      : {}),
    ...(str(internal?.['runner_environment']) !== undefined
      ? { runnerEnvironment: str(internal?.['runner_environment'])! }
      : {}),
  };
}

/** A bare name that reads as a version (`v1.2.3`, `1.2`, `2.0.0-rc.1`, `1.x`): a tag, never a branch. */
const VERSION_LIKE = /^v?\d+(?:(?:\.(?:\d+|[xX*]))+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)?$/;
/** A bare name written as a semver range (`^1.2.0`, `>=1 <2`, `~1.4`, `1.2 || 2`): tags only. */
const RANGE_LIKE = /^[\^~<>=*]|\s|\|\|/;

/** What a bare `--source-ref` name means: exactly one kind of ref, never both (THREATS 24). */
export function bareRefKind(policyRef: string): 'tag' | 'branch' {
  return VERSION_LIKE.test(policyRef) || RANGE_LIKE.test(policyRef) ? 'tag' : 'branch';
}

/**
 * True when `ref` satisfies the policy's ref. Case-sensitive. `refs/…` matches exactly. A bare
 * name is unambiguous: one that reads as a version or a semver range matches tags only
 * (`refs/tags/NAME`, or a version tag inside the range), any other bare name matches the branch
 * `refs/heads/NAME` only; so a pushed branch named `v1.2.3` never satisfies `v1.2.3`.
 */
export function refMatches(policyRef: string, ref: string | undefined): boolean {
  if (ref === undefined) return false;
  if (policyRef.startsWith('refs/')) return policyRef === ref;
  if (bareRefKind(policyRef) === 'branch') return ref === `refs/heads/${policyRef}`;
  if (!ref.startsWith('refs/tags/')) return false;
  if (ref === `refs/tags/${policyRef}`) return true;
  const range = semver.validRange(policyRef.startsWith('v') ? policyRef.slice(1) : policyRef);
  if (range === null) return false;
  const tag = ref.slice('refs/tags/'.length);
  const version = semver.valid(tag.startsWith('v') ? tag.slice(1) : tag);
  return version !== null && semver.satisfies(version, range);
}

/** Applies the policy to the predicate (and to the certificate's claims when keyless). */
export function checkSlsaProvenance(
  predicate: unknown,
  policy: SlsaPolicy,
  certificate?: CertificateClaims,
  extra: { readonly workflowInputs?: Readonly<Record<string, unknown>> } = {},
): SlsaFacts {
  const facts = readSlsaFacts(predicate);
  if (
    policy.builderIds &&
    policy.builderIds.length > 0 &&
    !policy.builderIds.includes(facts.builderId)
  ) {
    const base = facts.builderId.split('@')[0];
    const near = policy.builderIds.find((b) => b.split('@')[0] === base);
    throw new VouchError(
      'VERIFY_BUILDER_UNTRUSTED',
      near
        ? `builder "${facts.builderId}" is an allowed builder at another version or ref (allowed: "${near}")`
        : `builder "${facts.builderId}" is not in the allow-list`,
    );
  }
  if (
    policy.sourceRepository !== undefined &&
    !sameRepository(policy.sourceRepository, facts.sourceRepository)
  ) {
    throw new VouchError(
      'VERIFY_SOURCE_MISMATCH',
      `source repository is ${facts.sourceRepository === undefined ? 'absent' : `"${facts.sourceRepository}"`}, expected exactly "${policy.sourceRepository}"`,
    );
  }
  if (policy.sourceRef !== undefined && !refMatches(policy.sourceRef, facts.sourceRef)) {
    throw new VouchError(
      'VERIFY_REF_MISMATCH',
      `source ref is ${facts.sourceRef === undefined ? 'absent' : `"${facts.sourceRef}"`}${facts.trigger ? ` (trigger ${facts.trigger})` : ''}, the policy requires "${policy.sourceRef}"`,
    );
  }
  if (policy.workflow !== undefined && facts.workflow !== policy.workflow) {
    throw new VouchError(
      'VERIFY_WORKFLOW_MISMATCH',
      `workflow is ${facts.workflow === undefined ? 'absent' : `"${facts.workflow}"`}, expected "${policy.workflow}"`,
    );
  }
  if (policy.workflowInputs) {
    const inputs =
      extra.workflowInputs ??
      rec(rec(rec(rec(predicate)?.['buildDefinition'])?.['externalParameters'])?.['inputs']) ??
      {};
    for (const [name, want] of Object.entries(policy.workflowInputs)) {
      const got = inputs[name];
      if (got === undefined || String(got) !== want) {
        throw new VouchError(
          'VERIFY_WORKFLOW_MISMATCH',
          `workflow input "${name}" is ${got === undefined ? 'absent' : JSON.stringify(got)}, expected "${want}"`,
        );
      }
    }
  }
  if (certificate) checkClaimsBacked(facts, certificate);
  return facts;
}

/** The provenance may not claim what the signing certificate contradicts (THREATS 27). */
export function checkClaimsBacked(facts: SlsaFacts, cert: CertificateClaims): void {
  const pairs: Array<
    [string, string | undefined, string | undefined, (a: string, b: string) => boolean]
  > = [
    [
      'invocation id',
      facts.invocationId,
      cert.runInvocationUri,
      (a, b) => a === b || a.startsWith(`${b}/attempts/`),
    ],
    ['source repository', facts.sourceRepository, cert.sourceRepositoryUri, (a, b) => a === b],
    ['source ref', facts.sourceRef, cert.sourceRepositoryRef, (a, b) => a === b],
    ['source commit', facts.sourceCommit, cert.sourceRepositoryDigest, (a, b) => a === b],
    ['trigger', facts.trigger, cert.buildTrigger, (a, b) => a === b],
  ];
  for (const [what, claimed, backed, same] of pairs) {
    if (claimed !== undefined && backed !== undefined && !same(claimed, backed)) {
      throw new VouchError(
        'VERIFY_CLAIM_MISMATCH',
        `the provenance's ${what} "${claimed}" differs from the signing certificate's "${backed}"`,
      );
    }
  }
}
