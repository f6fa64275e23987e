/**
 * Wires the gate's ports to the real stages: verify (verifyArtifacts), the SBOM reader
 * (readSbomObject), exceptions from the default branch (loadReleaseExceptions through the GitHub
 * API, or loadExceptionsFromGitRef locally) or a file, the policy
 * engine, and the signer (resolveSigner + signMessageBundle / signDsseBundle). Heavy modules are
 * imported when first used.
 */
import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { ExceptionsFile } from '../../core/exceptions/model.ts';
import type { ExceptionsEvidence } from '../../core/gate/model.ts';
import type { Logger } from '../../core/logger.ts';
import type { IdentityPolicy } from '../../core/verify/identity-policy.ts';
import { readSbomObject } from '../../core/sbom/parse.ts';
import { VouchError, isVouchError } from '../../errors.ts';
import type { GitHubClientOptions } from '../github/client.ts';
import type { BundleSource, FetchBundlesOptions } from '../verify/fetch-bundles.ts';
import type { LoadedBundle } from '../verify/load-bundles.ts';
import { openOfflineSigner } from '../sigstore/offline-signer.ts';
import { evaluateGatePolicy } from './policy-port.ts';
import {
  EXCEPTIONS_INPUT_ERROR_CODES,
  type ExceptionsOutcome,
  type ExceptionsRequest,
  type GateBundleFetcher,
  type GateDeps,
  type GateExceptionsSource,
  type GateSigner,
  type GateTrust,
  type GateVerifier,
  type VerifyOutcome,
  type VerifyRequest,
} from './ports.ts';

const run = promisify(execFile);

function identityOf(trust: GateTrust): IdentityPolicy | undefined {
  if (
    !trust.certificateIdentity &&
    !trust.certificateIdentityRegexp &&
    !trust.certificateOidcIssuer
  ) {
    return undefined;
  }
  return {
    issuer: trust.certificateOidcIssuer ?? '',
    ...(trust.certificateIdentity ? { identity: trust.certificateIdentity } : {}),
    ...(trust.certificateIdentityRegexp
      ? { identityPattern: trust.certificateIdentityRegexp }
      : {}),
    ...(trust.sourceRepository ? { repository: trust.sourceRepository } : {}),
    ...(trust.sourceRef ? { ref: trust.sourceRef } : {}),
  };
}

const EMPTY_TRUSTED_ROOT = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
};

/** The verify stage, with trust material loaded once per gate run. */
export function createGateVerifier(logger: Logger, now: Date): GateVerifier {
  let trust: Promise<unknown> | undefined;
  return {
    async verifyBundle(request: VerifyRequest): Promise<VerifyOutcome> {
      const { verifyArtifacts } = await import('../verify/verify-artifacts.ts');
      const { loadTrustDocument, trustSourceOf } = await import('../verify/trust-root.ts');
      const { loadTrust } = await import('../verify/engine.ts');
      const t = request.trust;
      const abs = (p: string): string => (isAbsolute(p) ? p : resolve(request.workspace, p));
      trust ??= (async () => {
        if (!t.trustedRoot && !identityOf(t) && (t.key || t.trustedKeys)) {
          // Key-based trust only: no certificate authority or log is trusted, so a keyless bundle
          // cannot pass, and no public-good root needs loading.
          return loadTrust(EMPTY_TRUSTED_ROOT, 'no keyless trust (key-based bundles only)');
        }
        const source = trustSourceOf(t.trustedRoot, t.online === true);
        const doc = await loadTrustDocument(
          source.kind === 'file' ? { kind: 'file', path: abs(source.path) } : source,
          { logger, now },
        );
        return loadTrust(doc.doc, doc.source);
      })();
      const identity = identityOf(t);
      const result = await verifyArtifacts(
        {
          artifacts: [
            request.kind === 'message-signature'
              ? request.artifact!.path
              : `sha256:${request.subjectDigest}`,
          ],
          bundles: request.remote ? [] : [request.bundlePath],
          ...(request.remote
            ? {
                fetchedBundles: [
                  {
                    source: request.remote.source,
                    json: request.bundle,
                    sha256: request.remote.sha256,
                  },
                ],
              }
            : {}),
          ...(t.key ? { key: abs(t.key) } : {}),
          ...(t.trustedKeys ? { trustedKeys: abs(t.trustedKeys) } : {}),
          ...(identity ? { identity } : {}),
          // The release key the gate was given vouches for its own offline provenance (the
          // local dry run); keyless provenance still needs its log entry or timestamp.
          ...(t.key || t.trustedKeys ? { allowUnwitnessedKeyProvenance: true } : {}),
        },
        {
          cwd: request.workspace,
          logger,
          now,
          trust: (await trust) as never,
        },
      );
      const report = result.artifacts[0]!;
      const signer = report.signer
        ? report.signer.type === 'certificate'
          ? report.signer.identity
          : report.signer.hint
        : undefined;
      return {
        ok: report.verdict === 'pass',
        ...(report.error ? { code: report.error.code, message: report.error.message } : {}),
        ...(signer ? { signer } : {}),
        report: {
          ...report,
          bundle: request.remote
            ? request.remote.source
            : relative(request.workspace, request.bundlePath),
        },
      };
    },
  };
}

function entriesOf(file: ExceptionsFile | undefined): ExceptionsEvidence['entries'] {
  return (file?.exceptions ?? []).map((e) => ({
    id: e.id,
    package: e.package,
    expires: e.expires,
  }));
}

/** A repository path: relative, inside the repository, `/`-separated. */
function repositoryPath(path: string): string {
  const clean = path
    .split('\\')
    .join('/')
    .replace(/^(\.\/)+/, '');
  if (clean === '' || isAbsolute(path) || clean.split('/').includes('..')) {
    throw new VouchError(
      'PATH_OUTSIDE_WORKSPACE',
      `the exceptions file "${path}" is not a path inside the repository`,
    );
  }
  return clean;
}

/** Leading `refs/heads/`, `refs/remotes/origin/` or `origin/` removed: the branch name. */
function branchOf(ref: string): string {
  return ref.replace(/^refs\/heads\//, '').replace(/^(refs\/remotes\/)?origin\//, '');
}

type ExceptionsPlace = Omit<ExceptionsEvidence, 'entries' | 'error' | 'approvals'>;

/**
 * Runs `read`; a failure that is not bad input (a file on the branch that does not parse, a
 * symbolic link, an API that keeps failing) becomes evidence that says where the gate read and
 * why it could not, which the decision refuses.
 */
async function readAt(
  place: ExceptionsPlace,
  read: () => Promise<ExceptionsOutcome>,
): Promise<ExceptionsOutcome> {
  try {
    return await read();
  } catch (error) {
    if (!isVouchError(error) || EXCEPTIONS_INPUT_ERROR_CODES.has(error.code)) throw error;
    const reason = { code: error.code, message: error.message };
    return {
      evidence: { ...place, entries: [], error: reason },
      report: { ...place, error: reason },
    };
  }
}

export interface GateExceptionsSourceOptions {
  /** The GitHub API client's options (token, API URL); needed for GitHub mode. */
  readonly github?: GitHubClientOptions;
  readonly logger?: Logger;
}

async function loadFromGitHub(
  request: ExceptionsRequest,
  github: NonNullable<ExceptionsRequest['github']>,
  options: GateExceptionsSourceOptions,
): Promise<ExceptionsOutcome> {
  if (!options.github?.token) {
    throw new VouchError(
      'INPUT_MISSING',
      'reading exceptions from the default branch through the GitHub API needs a token',
    );
  }
  const { createGitHubClient, splitRepo } = await import('../github/client.ts');
  const { getDefaultBranch } = await import('../github/repository.ts');
  const { loadReleaseExceptions } = await import('../github/release-exceptions.ts');
  const client = createGitHubClient({
    ...options.github,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const { owner, repo } = splitRepo(github.repository);
  const path = repositoryPath(request.path!);
  const branch = await getDefaultBranch(client, owner, repo);
  if (request.ref !== undefined && branchOf(request.ref) !== branch) {
    throw new VouchError(
      'EXCEPTIONS_REF_NOT_DEFAULT',
      `exceptions ref "${request.ref}" is not ${github.repository}'s default branch (${branch})`,
    );
  }
  const place: ExceptionsPlace = {
    source: 'protected-branch',
    repository: github.repository,
    path,
    ref: branch,
    branchFrom: 'github-api',
    fromReleaseTree: false,
  };
  return readAt(place, async () => {
    const loaded = await loadReleaseExceptions({
      repo: github.repository,
      defaultBranch: branch,
      path,
      github: client,
      verifyApprovals: github.verifyApprovals,
      allowedApprovers: github.approverTeams.map((t) => (t.startsWith('@') ? t : `@${t}`)),
      requireProtectedBranch: false,
      ...(github.serverHost ? { serverHost: github.serverHost } : {}),
    });
    if (loaded.text === undefined) {
      throw new VouchError(
        'GATE_INPUT_UNREADABLE',
        `the exceptions file ${path} does not exist on ${github.repository}@${branch} (${loaded.commit.slice(0, 12)})`,
      );
    }
    const protection = loaded.protected ? 'confirmed' : 'unprotected';
    return {
      evidence: {
        source: 'protected-branch',
        repository: github.repository,
        path,
        ref: branch,
        commit: loaded.commit,
        branchFrom: 'github-api',
        protection,
        ...(github.verifyApprovals ? {} : { note: 'approval links not checked' }),
        fromReleaseTree: false,
        entries: entriesOf(loaded.read),
        approvals: loaded.approvals,
      },
      // Every exception as read: a waiver by one whose approval is not confirmed is refused by
      // the decision, naming the exception.
      file: loaded.read,
      text: loaded.text,
      report: {
        source: 'protected-branch',
        repository: github.repository,
        branch,
        commit: loaded.commit,
        protected: loaded.protected,
        path,
        approvalsChecked: github.verifyApprovals,
        approvals: loaded.approvals,
        exceptions: loaded.read.exceptions,
      },
    };
  });
}

async function repositoryTop(workspace: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['rev-parse', '--show-toplevel'], {
      cwd: workspace,
      encoding: 'utf8',
    });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

const LOCAL_NOTE = 'local ref, protection not confirmed';

/**
 * Exceptions from the repository's default branch: in GitHub mode through the API (protection
 * confirmed, approvals confirmed when asked); otherwise from the default branch as the local
 * repository knows it (or the branch given, which must be that branch), recorded as a local ref
 * whose protection is not confirmed. Only when no branch is given and git knows no default branch
 * is the release tree's copy read, and marked so that the gate refuses it.
 */
export function createGateExceptionsSource(
  options: GateExceptionsSourceOptions = {},
): GateExceptionsSource {
  return {
    async loadExceptions(request: ExceptionsRequest): Promise<ExceptionsOutcome> {
      if (request.github) return loadFromGitHub(request, request.github, options);
      const path = request.path!;
      const top = await repositoryTop(request.workspace);
      if (!top && request.ref !== undefined) {
        throw new VouchError(
          'GIT_REF_UNREADABLE',
          `${request.workspace} is not in a git repository, so exceptions ref "${request.ref}" cannot be read`,
        );
      }
      const { resolveLocalExceptionsRef, loadExceptionsFromGitRef } =
        await import('../github/git-ref.ts');
      const chosen = top ? await resolveLocalExceptionsRef(top, request.ref) : undefined;
      if (top && chosen) {
        const repoPath = repositoryPath(relative(top, resolve(request.workspace, path)));
        const listed = await run(
          'git',
          ['ls-tree', '--name-only', chosen.fullRef, '--', repoPath],
          {
            cwd: top,
            encoding: 'utf8',
          },
        ).catch(() => ({ stdout: '' }));
        if (listed.stdout.trim() === '') {
          throw new VouchError(
            'GATE_INPUT_UNREADABLE',
            `the exceptions file ${repoPath} does not exist at ${chosen.ref}`,
          );
        }
        const place: ExceptionsPlace = {
          source: 'git-ref',
          path: repoPath,
          ref: chosen.ref,
          branchFrom: chosen.branchFrom,
          protection: 'not-confirmed',
          note: LOCAL_NOTE,
          fromReleaseTree: false,
        };
        return readAt(place, async () => {
          const loaded = await loadExceptionsFromGitRef(top, chosen.fullRef, repoPath);
          return {
            evidence: {
              source: 'git-ref',
              path: repoPath,
              ref: chosen.ref,
              commit: loaded.commit,
              branchFrom: chosen.branchFrom,
              protection: 'not-confirmed',
              note: LOCAL_NOTE,
              fromReleaseTree: false,
              entries: entriesOf(loaded.file),
            },
            file: loaded.file,
            text: loaded.text,
            report: {
              source: 'git-ref',
              ref: chosen.ref,
              fullRef: chosen.fullRef,
              branchFrom: chosen.branchFrom,
              commit: loaded.commit,
              path: repoPath,
              note: LOCAL_NOTE,
              exceptions: loaded.file.exceptions,
            },
          };
        });
      }
      const { parseExceptions } = await import('../../core/exceptions/parse.ts');
      const abs = resolve(request.workspace, path);
      const stat = await fsp.lstat(abs).catch(() => undefined);
      if (!stat) {
        throw new VouchError('GATE_INPUT_UNREADABLE', `the exceptions file ${path} does not exist`);
      }
      const why = top
        ? 'no exceptions ref was given and git knows no default branch (no refs/remotes/origin/HEAD, no init.defaultBranch)'
        : 'the workspace is not in a git repository';
      const place: ExceptionsPlace = {
        source: 'file',
        path,
        note: `read from the tree being released: ${why}`,
        fromReleaseTree: true,
      };
      return readAt(place, async () => {
        if (stat.isSymbolicLink())
          throw new VouchError('PATH_IS_SYMLINK', `${path} is a symbolic link`);
        const text = await fsp.readFile(abs, 'utf8');
        const file = parseExceptions(text, path);
        return {
          evidence: {
            source: 'file',
            path,
            note: `read from the tree being released: ${why}`,
            fromReleaseTree: true,
            entries: entriesOf(file),
          },
          file,
          text,
          report: {
            source: 'file',
            path,
            warning: `read from the tree being released, not from the protected branch: ${why}`,
            exceptions: file.exceptions,
          },
        };
      });
    },
  };
}

/** Signs with a key reference (manifest and VSAs). Key-based signing needs no network. */
export function openGateSigner(
  keyRef: string,
  logger: Logger,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<GateSigner> {
  return openOfflineSigner(
    keyRef,
    { env, logger, cwd },
    {
      message: 'the evidence manifest is signed with a key reference, not keyless',
      hint: 'Give --sign-manifest-key a PEM file, pkcs11: URI or KMS reference.',
    },
  );
}

/**
 * The remote readers of the verify side (fetch-bundles.ts), one source and one digest at a time,
 * with the API root, token, registry options and retries given.
 */
export function createGateBundleFetcher(
  options: Omit<FetchBundlesOptions, 'digests'> = {},
): GateBundleFetcher {
  return {
    async fetch(source: BundleSource, digest: string | undefined): Promise<LoadedBundle[]> {
      const remote = await import('../verify/fetch-bundles.ts');
      switch (source.kind) {
        case 'github':
          return remote.fetchGitHubAttestations(source.repository, digest!, options);
        case 'github-org':
          return remote.fetchGitHubOrgAttestations(source.org, digest!, options);
        case 'oci':
          return remote.fetchOciBundles(source.image, options);
        case 'release':
          return remote.fetchReleaseBundles(source.repository, source.tag, options);
      }
    },
  };
}

export interface DefaultGateDepsOptions {
  readonly logger: Logger;
  readonly now: Date;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** GitHub API client options (token, API URL), for exceptions read through the API. */
  readonly github?: GitHubClientOptions;
  /** API root, token, registry options and retries for remote attestation sources. */
  readonly fetch?: Omit<FetchBundlesOptions, 'digests' | 'logger'>;
}

export function createGateDeps(options: DefaultGateDepsOptions): GateDeps {
  return {
    logger: options.logger,
    verifier: createGateVerifier(options.logger, options.now),
    exceptions: createGateExceptionsSource({
      logger: options.logger,
      ...(options.github ? { github: options.github } : {}),
    }),
    policy: { evaluatePolicy: (request) => evaluateGatePolicy(request, options.logger) },
    readSbom: readSbomObject,
    fetchBundles: createGateBundleFetcher({ ...(options.fetch ?? {}), logger: options.logger }),
    openSigner: (keyRef) => openGateSigner(keyRef, options.logger, options.env, options.cwd),
  };
}
