/**
 * The gate's orchestration, shared by `vouch gate` and the gate action: find the release files and
 * their bundles, verify every bundle, read the approved exceptions from the protected branch,
 * evaluate the policy over each attested SBOM, decide (core/gate), and write the evidence.
 */
import { SHIPPED_INSTANCES } from '../verify/trust-root.ts';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  describeAttestedSbom,
  readBuilderId,
  readBundleClaims,
  type BundleClaims,
  type StatementClaims,
} from '../../core/gate/bundle-facts.ts';
import { decideGate } from '../../core/gate/decide.ts';
import {
  buildEvidenceManifest,
  renderVerdictMarkdown,
  renderVerdictText,
  type EvidenceManifest,
  type ManifestEvidence,
  type ManifestInput,
} from '../../core/gate/manifest.ts';
import type {
  AttestationEvidence,
  BundleOrigin,
  ExceptionsEvidence,
  GateDecision,
  PolicyEvidence,
  ReleaseFile,
  SignatureEvidence,
  SourceEvidence,
} from '../../core/gate/model.ts';
import type { ExceptionsFile } from '../../core/exceptions/model.ts';
import { buildVsa } from '../../core/verify/vsa.ts';
import { VouchError, isVouchError } from '../../errors.ts';
import { VERSION } from '../../version.ts';
import { hashFile } from '../fs/hash-file.ts';
import type { BundleSource } from '../verify/fetch-bundles.ts';
import { expandWorkspaceGlobs } from '../fs/workspace-glob.ts';
import { sha256Hex, writeEvidence, type EvidenceFile } from './evidence.ts';
import { loadGatePolicy } from './policy-port.ts';
import {
  EXCEPTIONS_INPUT_ERROR_CODES,
  type GateDeps,
  type GateTrust,
  type GitHubExceptionsOptions,
  type VerifyOutcome,
} from './ports.ts';

export interface GateRequest {
  /** Absolute path of the workspace; every other path is relative to it unless absolute. */
  readonly workspace: string;
  /** Release file globs. */
  readonly files: readonly string[];
  /** Directories holding bundles (`*.json` Sigstore bundles); default: the release files' directories. */
  readonly bundleDirs: readonly string[];
  /**
   * Remote attestation stores read as well: the GitHub attestations API of a repository or an
   * organization (asked by each release file's sha256), the Sigstore bundle referrers of an image
   * (attestations stored there that name release files count for them), the assets of a release.
   */
  readonly sources?: readonly BundleSource[];
  readonly trust: GateTrust;
  /** Builder ids trusted for provenance. */
  readonly builderIds: readonly string[];
  /** Signer identities or key hints allowed (empty: whatever the trust material accepts). */
  readonly signers: readonly string[];
  readonly policy: string;
  readonly advisories: readonly string[];
  /** Exceptions file path (in the repository). */
  readonly exceptions?: string;
  /**
   * Branch to read the exceptions from (e.g. `origin/main`); it must be the default branch.
   * Absent: the default branch (from the API in GitHub mode, else as the local repository knows it).
   */
  readonly exceptionsRef?: string;
  /** GitHub mode: the exceptions come from the repository's default branch through the API. */
  readonly github?: GitHubExceptionsOptions;
  /** Evidence directory (the archive is written beside it as `<dir>.tar.gz`). */
  readonly evidenceDir: string;
  /** Key reference to sign the manifest and the VSAs with. */
  readonly signManifestKey?: string;
  readonly now: Date;
}

export interface GateResult {
  readonly decision: GateDecision;
  readonly manifest: EvidenceManifest;
  readonly evidenceDir: string;
  readonly archive: string;
  readonly archiveSha256: string;
  readonly text: string;
  readonly markdown: string;
}

const MAX_BUNDLE_BYTES = 32 * 1024 * 1024;
const BUNDLE_MEDIA_PREFIX = 'application/vnd.dev.sigstore.bundle';

const posix = (p: string): string => p.split(sep).join('/');

interface FoundBundle {
  readonly abs: string;
  readonly rel: string;
  readonly doc: unknown;
  readonly bytes: Buffer;
  readonly claims: BundleClaims;
  readonly origin: BundleOrigin;
  /** Remote bundles: where they were read, and the digest of their JSON. */
  readonly remote?: { readonly source: string; readonly sha256: string };
}

/** What a source is called in the evidence: its kind, and the repository, org, image or release. */
function sourceRef(source: BundleSource): string {
  switch (source.kind) {
    case 'github':
      return source.repository;
    case 'github-org':
      return source.org;
    case 'oci':
      return source.image;
    case 'release':
      return `${source.repository}@${source.tag}`;
  }
}

/** Codes after which a source is not asked again in this run (it would answer the same). */
const SOURCE_STOPS = new Set(['VERIFY_FETCH_RATE_LIMITED', 'VERIFY_FETCH_DENIED']);

/**
 * Reads every configured remote source: the GitHub API ones once per release file digest, the
 * others once. A source that cannot be read is recorded (the decision refuses the files it was
 * asked for); the same bundle answered for several digests is kept once.
 */
async function fetchRemoteBundles(
  request: GateRequest,
  files: readonly ReleaseFile[],
  deps: GateDeps,
  reports: unknown[],
): Promise<{ bundles: FoundBundle[]; sources: SourceEvidence[] }> {
  const sources: SourceEvidence[] = [];
  const bundles: FoundBundle[] = [];
  if (!request.sources || request.sources.length === 0) return { bundles, sources };
  if (!deps.fetchBundles) {
    throw new VouchError('INTERNAL', 'the gate was given attestation sources but no reader');
  }
  const { describeSource } = await import('../verify/fetch-bundles.ts');
  const seen = new Set<string>();
  for (const source of request.sources) {
    const ref = sourceRef(source);
    const description = describeSource(source);
    const perFile = source.kind === 'github' || source.kind === 'github-org';
    let stop: { code: string; message: string } | undefined;
    for (const file of perFile ? files : [undefined]) {
      const base = {
        source: source.kind,
        ref,
        description,
        ...(file ? { file: file.name } : {}),
      };
      if (stop) {
        sources.push({ ...base, bundles: 0, error: stop });
        continue;
      }
      let got;
      try {
        got = await deps.fetchBundles.fetch(source, file ? `sha256:${file.sha256}` : undefined);
      } catch (error) {
        if (!isVouchError(error)) throw error;
        const reason = { code: error.code, message: error.message };
        deps.logger.warn(`${description}: [${error.code}] ${error.message}`);
        sources.push({ ...base, bundles: 0, error: reason });
        if (SOURCE_STOPS.has(error.code)) {
          stop = { code: error.code, message: `not asked again after: ${error.message}` };
        }
        continue;
      }
      sources.push({ ...base, bundles: got.length });
      for (const loaded of got) {
        const bytes = Buffer.from(JSON.stringify(loaded.json));
        const digest = sha256Hex(bytes);
        const origin: BundleOrigin = { source: source.kind, ref, url: loaded.source };
        const mediaType = (loaded.json as { mediaType?: unknown } | null)?.mediaType;
        if (typeof mediaType !== 'string' || !mediaType.startsWith(BUNDLE_MEDIA_PREFIX)) {
          reports.push({ bundle: loaded.source, origin, skipped: 'not a Sigstore bundle' });
          continue;
        }
        if (seen.has(digest)) continue;
        seen.add(digest);
        const rel = `remote/${source.kind}/${ref.replace(/[^A-Za-z0-9._-]+/g, '_')}/${digest.slice(0, 16)}.sigstore.json`;
        bundles.push({
          abs: loaded.source,
          rel,
          doc: loaded.json,
          bytes,
          claims: readBundleClaims(loaded.json),
          origin,
          remote: { source: loaded.source, sha256: loaded.sha256 },
        });
      }
    }
    deps.logger.info(
      `${description}: ${sources.filter((s) => s.ref === ref && s.source === source.kind).reduce((n, s) => n + s.bundles, 0)} bundle(s)`,
    );
  }
  return { bundles, sources };
}

async function findBundles(
  workspace: string,
  dirs: readonly string[],
  deps: GateDeps,
): Promise<FoundBundle[]> {
  const patterns = dirs.map((d) => `${posix(d).replace(/\/$/, '') || '.'}/**/*.json`);
  const paths = await expandWorkspaceGlobs(patterns, workspace);
  const found: FoundBundle[] = [];
  for (const abs of paths) {
    const stat = await fsp.stat(abs);
    if (stat.size > MAX_BUNDLE_BYTES) continue;
    const bytes = await fsp.readFile(abs);
    let doc: unknown;
    try {
      doc = JSON.parse(bytes.toString('utf8'));
    } catch {
      continue;
    }
    const mediaType = (doc as { mediaType?: unknown } | null)?.mediaType;
    if (typeof mediaType !== 'string' || !mediaType.startsWith(BUNDLE_MEDIA_PREFIX)) continue;
    const rel = posix(relative(workspace, abs));
    found.push({
      abs,
      rel,
      doc,
      bytes,
      claims: readBundleClaims(doc),
      origin: { source: 'file', ref: posix(dirname(rel)), url: rel },
    });
  }
  deps.logger.debug(`found ${found.length} bundle(s) in ${dirs.join(', ')}`);
  return found;
}

async function safeVerify(
  deps: GateDeps,
  request: Parameters<GateDeps['verifier']['verifyBundle']>[0],
): Promise<VerifyOutcome> {
  try {
    return await deps.verifier.verifyBundle(request);
  } catch (error) {
    if (isVouchError(error)) {
      return { ok: false, code: error.code, message: error.message };
    }
    throw error;
  }
}

/** `public-good` or `github`: a trusted root that ships with vouch, not a file of the workspace. */
function isShippedRoot(value: string | undefined): boolean {
  return value !== undefined && (SHIPPED_INSTANCES as readonly string[]).includes(value);
}

function resolveIn(workspace: string, path: string): string {
  return isAbsolute(path) ? path : resolve(workspace, path);
}

async function digestInput(
  workspace: string,
  path: string,
  role: ManifestInput['role'],
): Promise<ManifestInput[]> {
  const abs = resolveIn(workspace, path);
  const stat = await fsp.stat(abs).catch(() => undefined);
  if (!stat) return [];
  const rel = posix(isAbsolute(path) ? path : relative(workspace, abs));
  if (stat.isDirectory()) {
    const out: ManifestInput[] = [];
    const entries = await fsp.readdir(abs, { recursive: true, withFileTypes: true });
    for (const e of entries) {
      if (!e.isFile()) continue;
      const full = join(e.parentPath, e.name);
      const data = await fsp.readFile(full);
      out.push({
        path: `${rel}/${posix(relative(abs, full))}`,
        role,
        sha256: sha256Hex(data),
        size: data.length,
      });
    }
    return out;
  }
  const data = await fsp.readFile(abs);
  return [{ path: rel, role, sha256: sha256Hex(data), size: data.length }];
}

/** A key reference that is not a file path: `pkcs11:…`, `awskms://…` and the like. */
const KEY_URI = /^[a-z][a-z0-9+.-]+:/i;

/**
 * Checks every input path before anything is decided or written: a missing or wrong kind of
 * input is a user error naming the path (exit 2), never a refusal with evidence.
 */
async function checkInputs(request: GateRequest): Promise<void> {
  const { workspace } = request;
  const expect = async (
    path: string | undefined,
    what: string,
    kind: 'file' | 'directory',
  ): Promise<void> => {
    if (path === undefined || path === '') return;
    const abs = resolveIn(workspace, path);
    const stat = await fsp.stat(abs).catch(() => undefined);
    if (!stat) throw new VouchError('GATE_INPUT_UNREADABLE', `the ${what} ${path} does not exist`);
    if (kind === 'file' ? !stat.isFile() : !stat.isDirectory()) {
      throw new VouchError('GATE_INPUT_UNREADABLE', `the ${what} ${path} is not a ${kind}`);
    }
    await fsp.access(abs, fsConstants.R_OK).catch((error: unknown) => {
      throw new VouchError('GATE_INPUT_UNREADABLE', `the ${what} ${path} cannot be read`, {
        cause: error,
      });
    });
  };
  await expect(request.policy, 'policy file', 'file');
  await expect(request.trust.key, 'public key', 'file');
  await expect(request.trust.trustedKeys, 'trusted-keys file', 'file');
  if (!isShippedRoot(request.trust.trustedRoot)) {
    await expect(request.trust.trustedRoot, 'trusted root', 'file');
  }
  for (const a of request.advisories) await expect(a, 'advisory directory', 'directory');
  for (const d of request.bundleDirs) await expect(d, 'bundle directory', 'directory');
  const signKey = request.signManifestKey;
  if (signKey === 'keyless') {
    throw new VouchError(
      'INPUT_INVALID',
      'the evidence manifest is signed with a key reference, not keyless',
    );
  }
  if (signKey && !KEY_URI.test(signKey)) await expect(signKey, 'manifest signing key', 'file');
  if (request.exceptionsRef && !request.exceptions) {
    throw new VouchError(
      'INPUT_MISSING',
      `the exceptions ref ${request.exceptionsRef} needs the exceptions file path`,
    );
  }
  if (request.github?.verifyApprovals && request.github.approverTeams.length === 0) {
    throw new VouchError(
      'INPUT_MISSING',
      'confirming approvals needs at least one approver team (org/team)',
    );
  }
  // A malformed policy is bad input whether or not an SBOM is there to evaluate it over.
  await loadGatePolicy(workspace, request.policy);
}

const json = (value: unknown): Buffer => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);

/** Runs the gate. Returns the decision (a refusal is a result, not an exception) and writes the evidence. */
export async function runGate(request: GateRequest, deps: GateDeps): Promise<GateResult> {
  const { workspace } = request;
  const { logger } = deps;
  const now = request.now;
  if (!request.policy) {
    throw new VouchError('USAGE_MISSING_ARGUMENT', 'the gate needs a policy file', {
      hint: 'Give --policy FILE (the action input `policy`).',
    });
  }

  await checkInputs(request);

  // 1. Approved exceptions, from the default branch (bad input stops here, before anything else).
  let exceptions: ExceptionsEvidence;
  let exceptionsText: string | undefined;
  let exceptionsFile: ExceptionsFile | undefined;
  let exceptionsReport: unknown;
  if (request.exceptions) {
    try {
      const loaded = await deps.exceptions.loadExceptions({
        workspace,
        path: request.exceptions,
        ...(request.exceptionsRef ? { ref: request.exceptionsRef } : {}),
        ...(request.github ? { github: request.github } : {}),
        now,
      });
      exceptions = loaded.evidence;
      exceptionsText = loaded.text;
      exceptionsFile = loaded.file;
      exceptionsReport = loaded.report;
    } catch (error) {
      const e = isVouchError(error) ? error : undefined;
      if (!e) throw error;
      if (EXCEPTIONS_INPUT_ERROR_CODES.has(e.code)) throw e;
      const github = request.github;
      exceptions = {
        source: github ? 'protected-branch' : request.exceptionsRef ? 'git-ref' : 'file',
        ...(github ? { repository: github.repository } : {}),
        path: request.exceptions,
        ...(request.exceptionsRef ? { ref: request.exceptionsRef } : {}),
        fromReleaseTree: !github && !request.exceptionsRef,
        entries: [],
        error: { code: e.code, message: e.message },
      };
      exceptionsReport = { error: { code: e.code, message: e.message } };
    }
  } else {
    exceptions = { source: 'none', fromReleaseTree: false, entries: [] };
    exceptionsReport = { source: 'none' };
  }

  // 2. Release files.
  const filePaths = await expandWorkspaceGlobs(request.files, workspace);
  const files: ReleaseFile[] = [];
  const fileAbs = new Map<string, string>();
  for (const abs of filePaths) {
    const name = posix(relative(workspace, abs));
    if (name.endsWith('.sigstore.json') || name.endsWith('.intoto.jsonl')) continue;
    const stat = await fsp.stat(abs);
    files.push({ name, sha256: (await hashFile(abs)).toString('hex'), size: stat.size });
    fileAbs.set(name, abs);
  }
  logger.info(`release files: ${files.length}`);

  // 3. Bundles.
  const bundleDirs =
    request.bundleDirs.length > 0
      ? request.bundleDirs
      : [...new Set(files.map((f) => posix(dirname(f.name))))];
  const verificationReports: unknown[] = [];
  const remote = await fetchRemoteBundles(request, files, deps, verificationReports);
  const bundles = [
    ...(bundleDirs.length > 0 ? await findBundles(workspace, bundleDirs, deps) : []),
    ...remote.bundles,
  ];
  const byDigest = new Map(files.map((f) => [f.sha256, f]));
  const byBase = new Map(files.map((f) => [basename(f.name), f]));
  const signatures: SignatureEvidence[] = [];
  const attestations: AttestationEvidence[] = [];
  const statements = new Map<string, StatementClaims>();

  for (const b of bundles) {
    const remoteOf = b.remote ? { remote: b.remote } : {};
    if (b.claims.kind === 'message-signature') {
      // A release asset keeps its name (app.tgz.sigstore.json); other remote bundles have none.
      const asName = b.origin.source === 'release' ? basename(b.origin.url) : basename(b.rel);
      const base = asName.replace(/\.sigstore\.json$|\.sigstore$|\.bundle\.json$/, '');
      const named =
        base !== asName && (!b.remote || b.origin.source === 'release')
          ? byBase.get(base)
          : undefined;
      const target = (b.claims.digest ? byDigest.get(b.claims.digest) : undefined) ?? named;
      if (!target) {
        verificationReports.push({
          bundle: b.rel,
          origin: b.origin,
          kind: 'message-signature',
          skipped: 'signs no release file',
        });
        continue;
      }
      const outcome = await safeVerify(deps, {
        bundlePath: b.abs,
        bundle: b.doc,
        ...remoteOf,
        artifact: { path: fileAbs.get(target.name)!, sha256: target.sha256 },
        kind: 'message-signature',
        trust: request.trust,
        workspace,
      });
      verificationReports.push({
        bundle: b.rel,
        origin: b.origin,
        kind: 'message-signature',
        artifact: target.name,
        ...outcome,
      });
      signatures.push({
        bundle: b.rel,
        ok: outcome.ok,
        origin: b.origin,
        ...(b.claims.digest ? { digest: b.claims.digest } : {}),
        ...(named ? { namedFor: named.name } : {}),
        ...(outcome.code ? { code: outcome.code } : {}),
        ...(outcome.message ? { message: outcome.message } : {}),
        ...(outcome.signer ? { signer: outcome.signer } : {}),
      });
    } else if (b.claims.kind === 'dsse' && b.claims.statement) {
      const st = b.claims.statement;
      const subjectFiles = st.subjects.filter((s) => s.sha256 && byDigest.has(s.sha256));
      if (subjectFiles.length === 0) {
        verificationReports.push({
          bundle: b.rel,
          origin: b.origin,
          kind: 'dsse',
          predicateType: st.predicateType,
          skipped: 'names no release file',
        });
        continue;
      }
      const outcome = await safeVerify(deps, {
        bundlePath: b.abs,
        bundle: b.doc,
        ...remoteOf,
        subjectDigest: subjectFiles[0]!.sha256!,
        kind: 'dsse',
        trust: request.trust,
        workspace,
      });
      verificationReports.push({
        bundle: b.rel,
        origin: b.origin,
        kind: 'dsse',
        predicateType: st.predicateType,
        subjects: subjectFiles.map((s) => byDigest.get(s.sha256!)!.name),
        ...outcome,
      });
      statements.set(b.rel, st);
      const builderId = readBuilderId(st);
      const sbom = outcome.ok
        ? describeAttestedSbom(st, (doc) => deps.readSbom(doc, b.rel))
        : undefined;
      attestations.push({
        bundle: b.rel,
        ok: outcome.ok,
        origin: b.origin,
        predicateType: st.predicateType,
        subjects: st.subjects,
        ...(builderId ? { builderId } : {}),
        ...(sbom ? { sbom } : {}),
        ...(outcome.code ? { code: outcome.code } : {}),
        ...(outcome.message ? { message: outcome.message } : {}),
        ...(outcome.signer ? { signer: outcome.signer } : {}),
      });
    } else {
      const error = b.claims.kind === 'unknown' ? b.claims.error : (b.claims.error ?? 'unreadable');
      verificationReports.push({ bundle: b.rel, origin: b.origin, skipped: error });
    }
  }
  await deps.verifier.close?.();

  // 4. Policy over each attested SBOM (once per distinct SBOM).
  const policies: PolicyEvidence[] = [];
  const policyReports = new Map<string, unknown>();
  const sboms = new Map<string, { doc: unknown; bundle: string }>();
  for (const a of attestations) {
    if (a.ok && a.sbom && !a.sbom.error && !sboms.has(a.sbom.digest)) {
      sboms.set(a.sbom.digest, { doc: statements.get(a.bundle)!.predicate, bundle: a.bundle });
    }
  }
  for (const [digest, { doc, bundle }] of sboms) {
    const reportPath = `reports/policy-${digest.slice(0, 12)}.json`;
    try {
      const outcome = await deps.policy.evaluatePolicy({
        sbom: doc,
        sbomDigest: digest,
        policyPath: request.policy,
        advisories: request.advisories,
        ...(exceptionsFile ? { exceptions: exceptionsFile } : {}),
        exceptionsSource: exceptions.ref
          ? `${exceptions.ref}:${exceptions.path}`
          : (exceptions.path ?? 'none'),
        now,
        workspace,
      });
      policies.push({ ...outcome.evidence, report: reportPath });
      policyReports.set(reportPath, {
        sbom: { digest, attestation: bundle },
        ...(outcome.report as object),
      });
    } catch (error) {
      if (!isVouchError(error)) throw error;
      if (error.kind === 'user' && /POLICY_FILE|YAML|FILE_UNREADABLE|UNSAFE_KEY/.test(error.code))
        throw error;
      policies.push({
        sbomDigest: digest,
        passed: false,
        warnOnly: false,
        failing: [],
        waived: [],
        expired: [],
        report: reportPath,
        error: { code: error.code, message: error.message },
      });
      policyReports.set(reportPath, {
        sbom: { digest, attestation: bundle },
        error: { code: error.code, message: error.message },
      });
    }
  }

  // 5. Decide.
  const decision = decideGate({
    files,
    signatures,
    attestations,
    policies,
    exceptions,
    sources: remote.sources,
    requirements: {
      allowedBuilders: request.builderIds,
      allowedSigners: request.signers,
      now: now.toISOString(),
    },
  });

  // 6. Evidence.
  const evidence: EvidenceFile[] = [];
  const roles: ManifestEvidence[] = [];
  const add = (path: string, data: Buffer, role: ManifestEvidence['role'], file?: string): void => {
    evidence.push({ path, data });
    roles.push({
      path,
      role,
      sha256: sha256Hex(data),
      size: data.length,
      ...(file ? { file } : {}),
    });
  };
  const usedBundles = new Set([
    ...signatures.map((s) => s.bundle),
    ...attestations.map((a) => a.bundle),
  ]);
  const bundlePath = (rel: string): string => `bundles/${rel.replace(/^(\.\.\/)+/, '')}`;
  // Every bundle read is kept: those that matched no release file too, so the evidence shows
  // everything that was offered, not only what the decision used.
  const bundleRole = (b: FoundBundle): 'bundle' | 'bundle-unmatched' =>
    usedBundles.has(b.rel) ? 'bundle' : 'bundle-unmatched';
  for (const b of bundles) add(bundlePath(b.rel), b.bytes, bundleRole(b));
  const unmatched = bundles.filter((b) => !usedBundles.has(b.rel));
  if (unmatched.length > 0) {
    logger.info(
      `${unmatched.length} bundle(s) matched no release file (kept in the evidence): ${unmatched.map((b) => b.rel).join(', ')}`,
    );
  }
  add(
    'reports/verification.json',
    json({
      verifiedAt: now.toISOString(),
      trust: request.trust,
      ...(remote.sources.length > 0 ? { sources: remote.sources } : {}),
      bundles: verificationReports,
    }),
    'verification-report',
  );
  if (remote.sources.length > 0) {
    // Where each remote bundle came from, and what each source answered per file.
    add(
      'reports/sources.json',
      json({
        sources: remote.sources,
        bundles: bundles
          .filter((b) => b.remote)
          .map((b) => ({
            evidence: bundlePath(b.rel),
            ...b.origin,
            sha256: sha256Hex(b.bytes),
            matched: usedBundles.has(b.rel),
          })),
      }),
      'verification-report',
    );
  }
  add(
    'reports/exceptions.json',
    json({ evidence: exceptions, review: exceptionsReport }),
    'exceptions-report',
  );
  for (const [path, report] of [...policyReports].sort()) add(path, json(report), 'policy-report');

  const signer =
    request.signManifestKey && deps.openSigner
      ? await deps.openSigner(request.signManifestKey)
      : undefined;
  const policyInput = await digestInput(workspace, request.policy, 'policy');
  const vsaPaths = new Map<string, string>();
  try {
    const usedNames = new Set<string>();
    for (const f of decision.files) {
      let stem = basename(f.file.name);
      while (usedNames.has(stem)) stem = `_${stem}`;
      usedNames.add(stem);
      const proofs = f.checks.flatMap((c) => c.evidence).filter((e) => usedBundles.has(e));
      const vsa = buildVsa({
        name: f.file.name,
        digest: { sha256: f.file.sha256 },
        resourceUri: `file:${f.file.name}`,
        passed: f.verdict === 'pass',
        timeVerified: now,
        verifierId: 'https://github.com/vouch/vouch/gate',
        policy: {
          uri: `file:${posix(request.policy)}`,
          ...(policyInput[0] ? { digest: { sha256: policyInput[0].sha256 } } : {}),
        },
        inputAttestations: [...new Set(proofs)].sort().map((rel) => ({
          uri: bundlePath(rel),
          digest: { sha256: sha256Hex(bundles.find((b) => b.rel === rel)!.bytes) },
        })),
      });
      const path = `vsa/${stem}.intoto.json`;
      const bytes = json(vsa);
      add(path, bytes, 'vsa', f.file.name);
      vsaPaths.set(f.file.name, path);
      if (signer) {
        add(
          `vsa/${stem}.sigstore.json`,
          json(await signer.signStatement(Buffer.from(JSON.stringify(vsa)))),
          'vsa',
          f.file.name,
        );
      }
    }

    const inputs: ManifestInput[] = [
      ...files.map((f): ManifestInput => ({
        path: f.name,
        role: 'release-file',
        sha256: f.sha256,
        size: f.size,
      })),
      ...bundles.map((b): ManifestInput => ({
        path: b.rel,
        role: bundleRole(b),
        sha256: sha256Hex(b.bytes),
        size: b.bytes.length,
        ...(b.remote ? { origin: b.origin } : {}),
      })),
      ...policyInput,
      ...(
        await Promise.all(request.advisories.map((a) => digestInput(workspace, a, 'advisories')))
      ).flat(),
      ...(request.trust.key ? await digestInput(workspace, request.trust.key, 'public-key') : []),
      ...(request.trust.trustedKeys
        ? await digestInput(workspace, request.trust.trustedKeys, 'trusted-keys')
        : []),
      ...(request.trust.trustedRoot && !isShippedRoot(request.trust.trustedRoot)
        ? await digestInput(workspace, request.trust.trustedRoot, 'trusted-root')
        : []),
    ];
    if (exceptionsText !== undefined && exceptions.path) {
      const data = Buffer.from(exceptionsText);
      inputs.push({
        path: exceptions.ref ? `${exceptions.ref}:${exceptions.path}` : exceptions.path,
        role: 'exceptions',
        sha256: sha256Hex(data),
        size: data.length,
      });
    }
    const evidenceDir = resolveIn(workspace, request.evidenceDir);
    const text = renderVerdictText(decision, evidenceDir, exceptions);
    const markdown = renderVerdictMarkdown(
      decision,
      `${posix(relative(workspace, evidenceDir)) || '.'}`,
      exceptions,
    );
    add('summary.md', Buffer.from(markdown), 'summary');
    const manifest = buildEvidenceManifest({
      version: VERSION,
      decision,
      exceptions,
      inputs,
      evidence: roles,
      evidencePathOf: (p) => (usedBundles.has(p) ? bundlePath(p) : p),
      vsaOf: (name) => vsaPaths.get(name),
    });
    const manifestBytes = json(manifest);
    evidence.push({ path: 'manifest.json', data: manifestBytes });
    if (signer) {
      evidence.push({
        path: 'manifest.json.sigstore.json',
        data: json(await signer.signMessage(manifestBytes)),
      });
    }
    const written = await writeEvidence(evidenceDir, evidence);
    logger.info(`evidence: ${written.dir} (${written.archive})`);
    return {
      decision,
      manifest,
      evidenceDir: written.dir,
      archive: written.archive,
      archiveSha256: written.archiveSha256,
      text,
      markdown,
    };
  } finally {
    await signer?.close();
  }
}
