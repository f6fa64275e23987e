/**
 * `vouch verify` and the verify action share this: flat options (as typed on a command line or
 * in a workflow step) → a VerifyRequest → verifyArtifacts → report file and VSA statements.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Logger } from '../../core/logger.ts';
import type { IdentityPolicy } from '../../core/verify/identity-policy.ts';
import type { SlsaPolicy } from '../../core/verify/slsa.ts';
import { VouchError } from '../../errors.ts';
import { trustSourceOf } from './trust-root.ts';
import { parseBundleSources, type BundleSource } from './fetch-bundles.ts';
import {
  verifyArtifacts,
  type VerifyDeps,
  type VerifyRequest,
  type VerifyResult,
} from './verify-artifacts.ts';

export interface RunVerifyOptions {
  readonly artifacts: readonly string[];
  readonly bundles: readonly string[];
  readonly key?: string | undefined;
  readonly trustedKeys?: string | undefined;
  readonly trustedRoot?: string | undefined;
  readonly online?: boolean;
  readonly identity?: string | undefined;
  readonly identityPattern?: string | undefined;
  readonly issuer?: string | undefined;
  readonly claims?: {
    readonly repository?: string | undefined;
    readonly ref?: string | undefined;
    readonly trigger?: string | undefined;
    readonly commit?: string | undefined;
    readonly signerWorkflow?: string | undefined;
    readonly signerDigest?: string | undefined;
    readonly githubHostedOnly?: boolean;
  };
  readonly predicateType?: string | undefined;
  readonly sourceRepository?: string | undefined;
  readonly sourceRef?: string | undefined;
  readonly workflow?: string | undefined;
  readonly builderIds?: readonly string[];
  readonly maxBundleBytes?: string | undefined;
  readonly report?: string | undefined;
  readonly vsaDir?: string | undefined;
  /** GitHub repositories (`owner/repo`) whose attestations API is asked by artifact digest. */
  readonly fromGitHub?: readonly string[];
  /** GitHub organizations whose attestations API is asked by artifact digest. */
  readonly fromGitHubOrg?: readonly string[];
  /** Images (`REGISTRY/REPO@sha256:HEX`) whose Sigstore bundle referrers are read. */
  readonly fromOci?: readonly string[];
  /** Releases (`owner/repo@tag`) whose bundle assets are read. */
  readonly fromRelease?: readonly string[];
}

/** Writes a file atomically (temp file in the same directory, then rename). */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw new VouchError('FILE_WRITE_FAILED', `cannot write ${path}`, { cause: error });
  }
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined && v !== false),
  ) as T;
}

/** An identity policy needs the issuer and exactly one of identity and pattern; names what is wrong. */
function checkIdentityFlags(o: RunVerifyOptions): void {
  if (o.identity === undefined && o.identityPattern === undefined) {
    throw new VouchError(
      'VERIFY_POLICY_CONFLICT',
      '--certificate-oidc-issuer was given without --certificate-identity or --certificate-identity-regexp',
      {
        hint: 'Add --certificate-identity ID (the exact signer) or --certificate-identity-regexp RE (an anchored pattern).',
      },
    );
  }
  if (o.identity !== undefined && o.identityPattern !== undefined) {
    throw new VouchError(
      'VERIFY_POLICY_CONFLICT',
      '--certificate-identity and --certificate-identity-regexp were both given',
      { hint: 'Keep one: the exact identity, or the pattern.' },
    );
  }
  if (o.issuer === undefined) {
    throw new VouchError(
      'VERIFY_POLICY_CONFLICT',
      `${o.identity !== undefined ? '--certificate-identity' : '--certificate-identity-regexp'} was given without --certificate-oidc-issuer`,
      {
        hint: 'Add --certificate-oidc-issuer URL (GitHub Actions: https://token.actions.githubusercontent.com).',
      },
    );
  }
}

/** Builds the request from flat options; refuses contradictory or half-given policies. */
export function buildVerifyRequest(o: RunVerifyOptions): VerifyRequest {
  const claims = defined({ ...(o.claims ?? {}) });
  const identityGiven =
    o.identity !== undefined || o.identityPattern !== undefined || o.issuer !== undefined;
  if (!identityGiven && Object.keys(claims).length > 0) {
    throw new VouchError(
      'VERIFY_POLICY_CONFLICT',
      'certificate claims were given without --certificate-identity and --certificate-oidc-issuer',
      {
        hint: 'Certificate claims refine an identity policy: add --certificate-identity (or --certificate-identity-regexp) and --certificate-oidc-issuer.',
      },
    );
  }
  if (identityGiven && (o.key || o.trustedKeys)) {
    throw new VouchError(
      'VERIFY_POLICY_CONFLICT',
      'a key and an identity policy were given together; a bundle is verified one way or the other',
    );
  }
  if (identityGiven) checkIdentityFlags(o);
  let max: number | undefined;
  if (o.maxBundleBytes !== undefined) {
    max = Number(o.maxBundleBytes);
    if (!Number.isSafeInteger(max) || max <= 0) {
      throw new VouchError(
        'USAGE_INVALID_VALUE',
        `--max-bundle-bytes must be a positive integer, not "${o.maxBundleBytes}"`,
      );
    }
  }
  const identity: IdentityPolicy | undefined = identityGiven
    ? {
        issuer: o.issuer!,
        ...(o.identity !== undefined
          ? { identity: o.identity }
          : { identityPattern: o.identityPattern! }),
        ...claims,
        ...(o.workflow !== undefined ? { workflow: o.workflow } : {}),
      }
    : undefined;
  const slsa: SlsaPolicy | undefined =
    o.sourceRepository || o.sourceRef || (o.builderIds && o.builderIds.length > 0) || o.workflow
      ? defined({
          builderIds: o.builderIds && o.builderIds.length > 0 ? [...o.builderIds] : undefined,
          sourceRepository: o.sourceRepository,
          sourceRef: o.sourceRef,
          workflow: o.workflow,
        })
      : undefined;
  const sources: BundleSource[] = parseBundleSources({
    ...(o.fromGitHub ? { github: o.fromGitHub } : {}),
    ...(o.fromGitHubOrg ? { githubOrg: o.fromGitHubOrg } : {}),
    ...(o.fromOci ? { oci: o.fromOci } : {}),
    ...(o.fromRelease ? { release: o.fromRelease } : {}),
  });
  return {
    artifacts: o.artifacts,
    bundles: o.bundles,
    ...(sources.length > 0 ? { sources } : {}),
    trust: trustSourceOf(o.trustedRoot, o.online === true),
    ...(o.key ? { key: o.key } : {}),
    ...(o.trustedKeys ? { trustedKeys: o.trustedKeys } : {}),
    ...(identity ? { identity } : {}),
    ...(o.predicateType ? { predicateType: o.predicateType } : {}),
    ...(slsa ? { slsa } : {}),
    ...(max ? { maxBundleBytes: max } : {}),
    ...(o.vsaDir
      ? { vsa: { policyUri: 'https://github.com/vouch/vouch/docs/verify.md#policy' } }
      : {}),
  };
}

export async function runVerify(
  options: RunVerifyOptions,
  deps: {
    readonly cwd: string;
    readonly logger: Logger;
    readonly now?: Date;
    /** API root, token and registry options for the `from*` sources. */
    readonly fetch?: VerifyDeps['fetch'];
  },
): Promise<VerifyResult> {
  const request = buildVerifyRequest(options);
  const result = await verifyArtifacts(request, deps);
  if (options.report) {
    writeFileAtomic(resolve(deps.cwd, options.report), `${JSON.stringify(result, null, 2)}\n`);
  }
  if (options.vsaDir) {
    const dir = resolve(deps.cwd, options.vsaDir);
    for (const a of result.artifacts) {
      if (!a.vsa) continue;
      const name = `${basename(a.artifact).replace(/[^A-Za-z0-9._-]/g, '_')}.vsa.json`;
      writeFileAtomic(join(dir, name), `${JSON.stringify(a.vsa, null, 2)}\n`);
    }
  }
  return result;
}
