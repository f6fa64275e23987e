/**
 * Batch verification: many artifacts against many bundles, trust material loaded once, one
 * verdict per artifact; the run passes only when every artifact does. Used by `vouch verify`,
 * `vouch verify-bundle`, the verify action and the release gate.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Bundle } from '@sigstore/bundle';
import type { Logger } from '../../core/logger.ts';
import {
  checkPredicateType,
  checkSbomPredicate,
  findSubject,
  parseStatement,
  SBOM_PREDICATE_TYPES,
  type ArtifactDigests,
  type Statement,
} from '../../core/verify/attestation.ts';
import {
  checkIdentityPolicy,
  validateIdentityPolicy,
  type IdentityPolicy,
} from '../../core/verify/identity-policy.ts';
import {
  checkSlsaProvenance,
  SLSA_PROVENANCE_V1,
  type SlsaPolicy,
} from '../../core/verify/slsa.ts';
import {
  keyHint,
  parsePublicKeyPem,
  parseTrustedKeys,
  type TrustedKey,
} from '../../core/verify/trusted-keys.ts';
import { buildVsa, type VsaStatement } from '../../core/verify/vsa.ts';
import { VouchError, toVouchError, type ErrorCode, type ErrorKind } from '../../errors.ts';
import {
  loadTrust,
  parseBundle,
  verifyBundle,
  type ArtifactInput,
  type BundleEvidence,
  type KeyPolicy,
  type LoadedTrust,
} from './engine.ts';
import { fetchBundles, type BundleSource, type FetchBundlesOptions } from './fetch-bundles.ts';
import { DEFAULT_MAX_BUNDLE_BYTES, readBundleFile, type LoadedBundle } from './load-bundles.ts';
import { loadTrustDocument, type TrustSource } from './trust-root.ts';

export interface VerifyRequest {
  /** Artifact paths (relative to cwd) or digests `sha256:<64 hex>` / `sha512:<128 hex>`. */
  readonly artifacts: readonly string[];
  /** Bundle files: Sigstore bundles v0.1–v0.3 or npm attestations responses. */
  readonly bundles: readonly string[];
  /** Bundles already fetched (GitHub attestations API, OCI referrers, release assets). */
  readonly fetchedBundles?: readonly LoadedBundle[];
  /** Sources to fetch bundles from, the GitHub API ones by each artifact's sha256 digest. */
  readonly sources?: readonly BundleSource[];
  /** Trust material (default: the shipped public-good root, offline). */
  readonly trust?: TrustSource;
  /** PEM public key file for key-signed bundles (no window check). */
  readonly key?: string;
  /** Trusted-keys file (keys with validity windows and revocation). */
  readonly trustedKeys?: string;
  /** Identity policy for keyless bundles; required for them. */
  readonly identity?: IdentityPolicy;
  /** Predicate type the attestation must carry. */
  readonly predicateType?: string;
  /** SLSA provenance checks (implies an attestation with predicate type SLSA v1). */
  readonly slsa?: SlsaPolicy;
  /** Size cap per bundle file (bytes; default 32 MiB). */
  readonly maxBundleBytes?: number;
  /** Require transparency-log evidence for key-signed bundles too. */
  readonly requireTlog?: boolean;
  /**
   * Accept key-signed SLSA provenance with no log entry or timestamp (signed `--offline`). Only
   * the release gate sets it, for the key or trusted-keys file it was given; keyless provenance
   * always needs a witness.
   */
  readonly allowUnwitnessedKeyProvenance?: boolean;
  /** Plain @sigstore/core encoding instead of the fast path (same verdicts; for cross-checks). */
  readonly careful?: boolean;
  /**
   * Sigstore protocol only (`vouch verify-bundle`, the conformance CLI): signature, signer,
   * statement and subject are checked, but an SLSA predicate is neither interpreted nor reported.
   */
  readonly sigstoreOnly?: boolean;
  /** Produce an SLSA VSA statement per artifact. */
  readonly vsa?: { readonly verifierId?: string; readonly policyUri: string };
}

export interface VerifyDeps {
  readonly cwd: string;
  readonly logger: Logger;
  /** The current time (key windows of bundles without a verified time, VSA timestamps). */
  readonly now?: Date;
  /** Trust material already loaded (the gate shares it between runs). */
  readonly trust?: LoadedTrust;
  /** API root, token, registry options and retries for `request.sources`. */
  readonly fetch?: Omit<FetchBundlesOptions, 'digests' | 'maxBundleBytes' | 'logger'>;
}

export interface ArtifactReport {
  readonly artifact: string;
  readonly digest: ArtifactDigests;
  readonly verdict: 'pass' | 'fail';
  /** The bundle that verified it (pass), or the first one tried (fail). */
  readonly bundle?: string;
  readonly error?: { readonly code: string; readonly kind: ErrorKind; readonly message: string };
  /** What was checked, in order. */
  readonly checks: readonly string[];
  readonly signer?: BundleEvidence['signer'];
  readonly tlog?: BundleEvidence['tlog'];
  readonly timestamps?: BundleEvidence['timestamps'];
  readonly warnings?: readonly string[];
  readonly predicate?: {
    readonly type: string;
    readonly subject: string;
    readonly facts?: Readonly<Record<string, unknown>>;
  };
  /** Each bundle tried and why it did not verify the artifact. */
  readonly attempts: ReadonlyArray<{
    readonly bundle: string;
    readonly code: string;
    readonly message: string;
  }>;
  readonly vsa?: VsaStatement;
}

export interface VerifyResult {
  readonly passed: boolean;
  readonly trustRoot: string;
  readonly artifacts: readonly ArtifactReport[];
}

const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;
const SHA512_DIGEST = /^sha512:[0-9a-f]{128}$/;
const MAX_HELD_BYTES = 64 * 1024 * 1024;

interface ResolvedArtifact {
  readonly name: string;
  readonly input: ArtifactInput;
}

/** Resolves an artifact argument: an existing path, a full digest, or a refusal. */
export function resolveArtifact(arg: string, cwd: string): ResolvedArtifact {
  const path = resolve(cwd, arg);
  if (!existsSync(path)) {
    if (SHA256_DIGEST.test(arg)) return { name: arg, input: { digests: { sha256: arg.slice(7) } } };
    if (SHA512_DIGEST.test(arg)) return { name: arg, input: { digests: { sha512: arg.slice(7) } } };
    const oci = /^(?:[a-z0-9.-]+(?::\d+)?\/)[^\s@]+?(?:@(sha256:[0-9a-f]{64}))?$/.exec(arg);
    if (oci && arg.includes('/') && /[.:]/.test(arg.split('/')[0]!)) {
      if (!oci[1]) {
        throw new VouchError(
          'VERIFY_ARTIFACT_INVALID',
          `"${arg}" is an OCI reference without a digest; a tag can move, so it cannot be verified`,
        );
      }
      return { name: arg, input: { digests: { sha256: oci[1].slice(7) } } };
    }
    if (/^sha(256|512):/i.test(arg)) {
      throw new VouchError(
        'VERIFY_ARTIFACT_INVALID',
        `"${arg}" is not a full digest: sha256: takes 64 and sha512: 128 lower-case hex digits`,
      );
    }
    throw new VouchError(
      'VERIFY_ARTIFACT_INVALID',
      `artifact "${arg}" is neither a file nor a digest`,
    );
  }
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
  } catch (error) {
    throw new VouchError('VERIFY_ARTIFACT_INVALID', `artifact "${arg}" is not a readable file`, {
      cause: error,
    });
  }
  if (size <= MAX_HELD_BYTES) {
    const bytes = readFileSync(path);
    return {
      name: arg,
      input: {
        digests: {
          sha256: createHash('sha256').update(bytes).digest('hex'),
          sha512: createHash('sha512').update(bytes).digest('hex'),
          sha384: createHash('sha384').update(bytes).digest('hex'),
        },
        bytes,
      },
    };
  }
  const hashes = {
    sha256: createHash('sha256'),
    sha384: createHash('sha384'),
    sha512: createHash('sha512'),
  };
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      for (const h of Object.values(hashes)) h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return {
    name: arg,
    input: {
      digests: {
        sha256: hashes.sha256.digest('hex'),
        sha384: hashes.sha384.digest('hex'),
        sha512: hashes.sha512.digest('hex'),
      },
    },
  };
}

interface PreparedBundle {
  readonly loaded: LoadedBundle;
  readonly bundle?: Bundle;
  readonly error?: VouchError;
  /** `alg:hex` digests the bundle says it covers (a hint for pairing, never trusted). */
  readonly hints: ReadonlySet<string>;
}

function prepareBundle(loaded: LoadedBundle): PreparedBundle {
  let bundle: Bundle;
  try {
    bundle = parseBundle(loaded.json, loaded.source);
  } catch (error) {
    return { loaded, error: toVouchError(error), hints: new Set() };
  }
  const hints = new Set<string>();
  if (bundle.content.$case === 'messageSignature') {
    const d = bundle.content.messageSignature.messageDigest;
    if (d) {
      const alg = d.algorithm === 2 ? 'sha384' : d.algorithm === 3 ? 'sha512' : 'sha256';
      hints.add(`${alg}:${Buffer.from(d.digest).toString('hex')}`);
    }
  } else {
    try {
      const st = JSON.parse(Buffer.from(bundle.content.dsseEnvelope.payload).toString('utf8')) as {
        subject?: Array<{ digest?: Record<string, string> }>;
      };
      for (const s of st.subject ?? []) {
        for (const [alg, hex] of Object.entries(s.digest ?? {})) {
          if (typeof hex === 'string') hints.add(`${alg}:${hex.toLowerCase()}`);
        }
      }
    } catch {
      // refused later, with its code, when the statement is checked
    }
  }
  return { loaded, bundle, hints };
}

function keyPolicyFor(request: VerifyRequest, cwd: string): KeyPolicy {
  const identityGiven = request.identity !== undefined;
  if ((request.key || request.trustedKeys) && identityGiven) {
    throw new VouchError(
      'VERIFY_POLICY_CONFLICT',
      'a key and an identity policy were given together; a bundle is verified one way or the other',
    );
  }
  if (request.key && request.trustedKeys) {
    throw new VouchError('VERIFY_POLICY_CONFLICT', 'give --key or --trusted-keys, not both');
  }
  if (identityGiven) validateIdentityPolicy(request.identity!);
  if (request.key) {
    const path = resolve(cwd, request.key);
    let pem: string;
    try {
      pem = readFileSync(path, 'utf8');
    } catch (error) {
      throw new VouchError('FILE_UNREADABLE', `cannot read key ${request.key}`, { cause: error });
    }
    const publicKey = parsePublicKeyPem(pem, request.key);
    const key: TrustedKey = {
      hint: keyHint(publicKey),
      publicKey,
      publicKeyPem: pem,
      validFrom: new Date(0),
    };
    return { type: 'key', keys: [key], windows: false };
  }
  if (request.trustedKeys) {
    const path = resolve(cwd, request.trustedKeys);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new VouchError('FILE_UNREADABLE', `cannot read trusted keys ${request.trustedKeys}`, {
        cause: error,
      });
    }
    return { type: 'key', keys: parseTrustedKeys(text, request.trustedKeys), windows: true };
  }
  return { type: 'certificate' };
}

/**
 * SLSA provenance must carry independent evidence of when it was signed: a log entry, or, under a
 * trusted root that lists no transparency log (GitHub's instance, as `gh attestation verify`
 * accepts it), a keyless certificate with a verified RFC 3161 timestamp. A key-signed provenance
 * without either passes only when the caller allows it (the release gate, for the key it was
 * given).
 */
function checkProvenanceWitness(
  evidence: BundleEvidence,
  request: VerifyRequest,
  logless: boolean,
): void {
  if (evidence.tlog.length > 0) return;
  const timestamped =
    logless &&
    evidence.signer.type === 'certificate' &&
    evidence.timestamps.some((t) => t.source === 'tsa');
  if (timestamped) return;
  if (evidence.signer.type === 'key' && request.allowUnwitnessedKeyProvenance === true) return;
  throw new VouchError(
    'VERIFY_TLOG_MISSING',
    logless
      ? 'SLSA provenance without a verified timestamp is refused'
      : 'SLSA provenance without transparency-log evidence is refused',
    {
      hint: 'Sign the provenance with a transparency log (not --offline), or keylessly in CI.',
    },
  );
}

/** Checks an SLSA v1 provenance (witness, certificate claims, the SLSA policy if any): its facts. */
function provenanceFacts(
  evidence: BundleEvidence,
  statement: Statement,
  request: VerifyRequest,
  checks: string[],
  logless: boolean,
): Record<string, unknown> {
  checkProvenanceWitness(evidence, request, logless);
  const certificate = evidence.signer.type === 'certificate' ? evidence.signer.claims : undefined;
  const facts: Record<string, unknown> = {
    ...checkSlsaProvenance(statement.predicate, request.slsa ?? {}, certificate),
  };
  if (request.slsa) checks.push('slsa provenance');
  else {
    facts['checked'] = false;
    if (certificate) checks.push('provenance claims');
  }
  return facts;
}

/** Policy checks after the cryptography; returns the report facts. */
function applyPolicy(
  evidence: BundleEvidence,
  artifact: ArtifactInput,
  request: VerifyRequest,
  checks: string[],
  logless: boolean,
): ArtifactReport['predicate'] {
  if (evidence.signer.type === 'certificate') {
    if (!request.identity) {
      throw new VouchError(
        'VERIFY_POLICY_MISSING',
        'the bundle is keyless and no identity policy was given; vouch never skips the signer check',
      );
    }
    checkIdentityPolicy(request.identity, evidence.signer);
    checks.push('identity', 'issuer');
    if (request.identity.repository || request.identity.ref || request.identity.workflow)
      checks.push('certificate claims');
  }
  const wantsAttestation = request.predicateType !== undefined || request.slsa !== undefined;
  if (!evidence.envelope) {
    if (wantsAttestation) {
      throw new VouchError(
        'VERIFY_PREDICATE_TYPE',
        'the bundle is a plain signature, not an attestation; a predicate was asked for',
      );
    }
    return undefined;
  }
  const statement = parseStatement(evidence.envelope);
  checks.push('statement');
  const subject = findSubject(statement, artifact.digests);
  checks.push('subject digest');
  checkPredicateType(
    statement,
    request.slsa && !request.predicateType ? SLSA_PROVENANCE_V1 : request.predicateType,
  );
  if (request.predicateType) checks.push('predicate type');
  let facts: Record<string, unknown> | undefined;
  if (statement.predicateType === SLSA_PROVENANCE_V1) {
    // Every SLSA provenance that verifies, with or without SLSA flags, is held to the witness
    // rule and to the certificate's claims (THREATS 26-27); the flags add the policy checks.
    // Only the Sigstore protocol (verify-bundle) leaves the predicate alone and reports no facts.
    if (!request.sigstoreOnly || request.slsa)
      facts = provenanceFacts(evidence, statement, request, checks, logless);
  } else if ((SBOM_PREDICATE_TYPES as readonly string[]).includes(statement.predicateType)) {
    facts = { ...checkSbomPredicate(statement.predicateType, statement.predicate) };
    checks.push('sbom parses');
  } else if (request.slsa) {
    throw new VouchError(
      'VERIFY_PREDICATE_TYPE',
      `SLSA checks were asked for, the predicate is ${statement.predicateType}`,
    );
  }
  return { type: statement.predicateType, subject: subject.name, ...(facts ? { facts } : {}) };
}

function errorInfo(error: VouchError): ArtifactReport['error'] {
  return { code: error.code, kind: error.kind, message: error.message };
}

/** Verifies every artifact; never throws for a refusal (each verdict is in the result). */
export async function verifyArtifacts(
  request: VerifyRequest,
  deps: VerifyDeps,
): Promise<VerifyResult> {
  const now = deps.now ?? new Date();
  if (request.artifacts.length === 0) {
    throw new VouchError('USAGE_MISSING_ARGUMENT', 'no artifact to verify');
  }
  const keyPolicy = keyPolicyFor(request, deps.cwd);
  const artifacts = request.artifacts.map((a) => resolveArtifact(a, deps.cwd));
  const loaded: LoadedBundle[] = [...(request.fetchedBundles ?? [])];
  if (request.sources && request.sources.length > 0) {
    const digests = artifacts
      .map((a) => a.input.digests.sha256)
      .filter((d): d is string => d !== undefined)
      .map((d) => `sha256:${d}`);
    loaded.push(
      ...(await fetchBundles(request.sources, {
        ...(deps.fetch ?? {}),
        digests: [...new Set(digests)],
        ...(request.maxBundleBytes ? { maxBundleBytes: request.maxBundleBytes } : {}),
        logger: deps.logger,
      })),
    );
  }
  for (const b of request.bundles) {
    loaded.push(
      ...readBundleFile(resolve(deps.cwd, b), request.maxBundleBytes ?? DEFAULT_MAX_BUNDLE_BYTES),
    );
  }
  if (loaded.length === 0) {
    // Bundles beside the artifacts: NAME.sigstore.json, NAME.sigstore, NAME.bundle
    for (const a of artifacts) {
      for (const ext of ['.sigstore.json', '.sigstore', '.bundle']) {
        const p = resolve(deps.cwd, a.name + ext);
        if (existsSync(p)) {
          loaded.push(...readBundleFile(p, request.maxBundleBytes ?? DEFAULT_MAX_BUNDLE_BYTES));
          break;
        }
      }
    }
  }
  if (loaded.length === 0) {
    throw new VouchError(
      'VERIFY_BUNDLE_NOT_FOUND',
      'no bundle given and none found beside the artifacts',
      {
        hint: 'Pass --bundle FILE (or place ARTIFACT.sigstore.json beside each artifact).',
      },
    );
  }
  let loadedTrust: LoadedTrust;
  if (deps.trust) loadedTrust = deps.trust;
  else {
    const source: TrustSource =
      request.trust?.kind === 'file'
        ? { kind: 'file', path: resolve(deps.cwd, request.trust.path) }
        : (request.trust ?? { kind: 'public-good' });
    const doc = await loadTrustDocument(source, {
      logger: deps.logger,
      now,
    });
    loadedTrust = loadTrust(doc.doc, doc.source);
  }
  const prepared = loaded.map(prepareBundle);
  const reports: ArtifactReport[] = [];
  for (const artifact of artifacts) {
    const d = artifact.input.digests;
    const mine = [
      d.sha256 && `sha256:${d.sha256}`,
      d.sha512 && `sha512:${d.sha512}`,
      d.sha384 && `sha384:${d.sha384}`,
    ].filter(Boolean) as string[];
    let candidates = prepared.filter((p) => mine.some((m) => p.hints.has(m)));
    if (candidates.length === 0 && prepared.length === 1) candidates = prepared;
    const digest: ArtifactDigests = {
      ...(d.sha256 ? { sha256: d.sha256 } : {}),
      ...(d.sha512 ? { sha512: d.sha512 } : {}),
    };
    const attempts: Array<{ bundle: string; code: string; message: string }> = [];
    let report: ArtifactReport | undefined;
    let firstError: VouchError | undefined;
    for (const c of candidates) {
      const checks: string[] = [];
      const warnings: string[] = [];
      try {
        if (c.error) throw c.error;
        const evidence = verifyBundle(c.bundle!, artifact.input, c.loaded.source, {
          trust: loadedTrust,
          keyPolicy,
          now,
          fast: request.careful !== true,
          ...(request.requireTlog ? { requireTlog: true } : {}),
          onNoWitness: (source) => {
            const msg = `${source} has no transparency-log entry or timestamp: the key's window was checked against the current time`;
            warnings.push(msg);
            deps.logger.warn(msg);
          },
        });
        checks.push(
          evidence.content === 'dsseEnvelope' ? 'dsse signature' : 'message signature',
          evidence.signer.type === 'certificate' ? 'certificate chain' : 'trusted key',
        );
        if (evidence.tlog.length > 0) checks.push('transparency log');
        if (evidence.timestamps.length > 0) checks.push('timestamps');
        if (keyPolicy.type === 'key' && keyPolicy.windows) checks.push('key window');
        const logless = loadedTrust.root.tlogs.length === 0 && request.requireTlog !== true;
        const predicate = applyPolicy(evidence, artifact.input, request, checks, logless);
        report = {
          artifact: artifact.name,
          digest,
          verdict: 'pass',
          bundle: c.loaded.source,
          checks,
          signer: evidence.signer,
          tlog: evidence.tlog,
          timestamps: evidence.timestamps,
          ...(warnings.length > 0 ? { warnings } : {}),
          ...(predicate ? { predicate } : {}),
          attempts,
        };
        break;
      } catch (thrown) {
        const error = toVouchError(thrown);
        firstError ??= error;
        attempts.push({ bundle: c.loaded.source, code: error.code, message: error.message });
      }
    }
    if (!report) {
      const error =
        firstError ??
        new VouchError(
          'VERIFY_ARTIFACT_MISMATCH',
          `no bundle covers ${artifact.name} (${d.sha256 ? `sha256:${d.sha256}` : `sha512:${d.sha512}`}): the artifact differs from everything that was signed`,
        );
      report = {
        artifact: artifact.name,
        digest,
        verdict: 'fail',
        ...(candidates[0] ? { bundle: candidates[0].loaded.source } : {}),
        error: errorInfo(error),
        checks: [],
        attempts,
      };
    }
    if (request.vsa) {
      const used = prepared.find((p) => p.loaded.source === report!.bundle);
      report = {
        ...report,
        vsa: buildVsa({
          name: artifact.name,
          digest: { ...digest },
          resourceUri: artifact.name.includes(':') ? artifact.name : `file:${artifact.name}`,
          passed: report.verdict === 'pass',
          timeVerified: now,
          ...(request.vsa.verifierId ? { verifierId: request.vsa.verifierId } : {}),
          policy: { uri: request.vsa.policyUri },
          inputAttestations: used
            ? [{ uri: used.loaded.source, digest: { sha256: used.loaded.sha256 } }]
            : [],
          verifiedLevels:
            report.verdict !== 'pass'
              ? ['FAILED']
              : report.predicate?.type === SLSA_PROVENANCE_V1 && request.slsa
                ? ['SLSA_BUILD_LEVEL_2']
                : ['SLSA_BUILD_LEVEL_1'],
        }),
      };
    }
    reports.push(report);
  }
  return {
    passed: reports.every((r) => r.verdict === 'pass'),
    trustRoot: loadedTrust.source,
    artifacts: reports,
  };
}

/** The error to end a run with when it did not pass: the only failure, or a summary refusal. */
export function failureOf(result: VerifyResult): VouchError | undefined {
  const failed = result.artifacts.filter((a) => a.verdict === 'fail');
  if (failed.length === 0) return undefined;
  if (failed.length === 1) {
    const e = failed[0]!.error!;
    return new VouchError(e.code as ErrorCode, `${failed[0]!.artifact}: ${e.message}`);
  }
  const codes = new Set(failed.map((f) => f.error!.code));
  const code = codes.size === 1 ? (failed[0]!.error!.code as ErrorCode) : 'VERIFY_REFUSED';
  return new VouchError(
    code,
    `${failed.length} of ${result.artifacts.length} artifacts failed verification: ${failed
      .map((f) => `${f.artifact} [${f.error?.code}]`)
      .join(', ')}`,
  );
}
