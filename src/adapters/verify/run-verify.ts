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
import { openVsaSigner, VSA_BUNDLE_SUFFIX, type VsaSigner } from './vsa-signer.ts';

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
  /** Key reference to sign each VSA with (PEM file, pkcs11:, KMS); needs `vsaDir`. */
  readonly vsaKey?: string | undefined;
  /** Variable holding the passphrase of a PEM `vsaKey` (default VOUCH_KEY_PASSPHRASE). */
  readonly passphraseEnv?: string | undefined;
  /** The passphrase of a PEM `vsaKey`, given directly (the action's secret input). */
  readonly passphrase?: string | undefined;
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
  if (o.vsaKey && !o.vsaDir) {
    throw new VouchError(
      'INPUT_MISSING',
      'a VSA signing key (--vsa-key) was given without a VSA directory (--vsa DIR)',
      { hint: 'Add --vsa DIR (the action: vsa-dir) to say where the signed VSAs go.' },
    );
  }
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

/** One VSA written by `runVerify`: the statement, and its signed bundle when a key was given. */
export interface VsaFile {
  readonly artifact: string;
  readonly verificationResult: 'PASSED' | 'FAILED';
  readonly statement: string;
  readonly bundle?: string;
}

export interface RunVerifyResult extends VerifyResult {
  /** The VSA files written (with `vsaDir`). */
  readonly vsaFiles?: readonly VsaFile[];
  /** Who signed the VSAs (with `vsaKey`); signed offline, with no log entry or timestamp. */
  readonly vsaSigner?: string;
}

/** File stems for the VSAs, one per artifact: the base name, made unique with leading `_`. */
function vsaStems(artifacts: readonly string[]): string[] {
  const used = new Set<string>();
  return artifacts.map((a) => {
    let stem = basename(a).replace(/[^A-Za-z0-9._-]/g, '_');
    while (used.has(stem)) stem = `_${stem}`;
    used.add(stem);
    return stem;
  });
}

/** Signs every VSA first, then writes each file atomically: a signing failure writes no VSA. */
async function writeVsas(
  result: VerifyResult,
  dir: string,
  signer: VsaSigner | undefined,
): Promise<VsaFile[]> {
  const reports = result.artifacts.filter((a) => a.vsa);
  const stems = vsaStems(reports.map((a) => a.artifact));
  const planned = [];
  for (const [i, a] of reports.entries()) {
    planned.push({
      a,
      stem: stems[i]!,
      bundle: signer ? await signer.signStatement(a.vsa) : undefined,
    });
  }
  return planned.map(({ a, stem, bundle }) => {
    const statement = join(dir, `${stem}.vsa.json`);
    writeFileAtomic(statement, `${JSON.stringify(a.vsa, null, 2)}\n`);
    const file: VsaFile = {
      artifact: a.artifact,
      verificationResult: a.vsa!.predicate.verificationResult,
      statement,
    };
    if (bundle === undefined) return file;
    const signed = join(dir, `${stem}${VSA_BUNDLE_SUFFIX}`);
    writeFileAtomic(signed, `${JSON.stringify(bundle, null, 2)}\n`);
    return { ...file, bundle: signed };
  });
}

export async function runVerify(
  options: RunVerifyOptions,
  deps: {
    readonly cwd: string;
    readonly logger: Logger;
    readonly now?: Date;
    /** Environment for the VSA key (passphrase, PKCS#11 PIN, KMS credentials). */
    readonly env?: NodeJS.ProcessEnv;
    /** API root, token and registry options for the `from*` sources. */
    readonly fetch?: VerifyDeps['fetch'];
  },
): Promise<RunVerifyResult> {
  const request = buildVerifyRequest(options);
  const signer = options.vsaKey
    ? await openVsaSigner(options.vsaKey, {
        env: deps.env ?? {},
        logger: deps.logger,
        cwd: deps.cwd,
        ...(options.passphraseEnv ? { passphraseEnv: options.passphraseEnv } : {}),
        ...(options.passphrase ? { passphrase: options.passphrase } : {}),
      })
    : undefined;
  try {
    const result = await verifyArtifacts(request, deps);
    if (options.report) {
      writeFileAtomic(resolve(deps.cwd, options.report), `${JSON.stringify(result, null, 2)}\n`);
    }
    if (!options.vsaDir) return result;
    const vsaFiles = await writeVsas(result, resolve(deps.cwd, options.vsaDir), signer);
    if (signer) {
      deps.logger.info(
        `signed ${vsaFiles.length} VSA(s) with ${signer.identity} offline: no transparency log entry or timestamp`,
      );
    }
    return { ...result, vsaFiles, ...(signer ? { vsaSigner: signer.identity } : {}) };
  } finally {
    await signer?.close();
  }
}
