/**
 * Wires the gate's ports to the real stages: verify (verifyArtifacts), the SBOM reader
 * (readSbomObject), exceptions from a git ref (loadExceptionsFromGitRef) or a file, the policy
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
import { VouchError } from '../../errors.ts';
import { evaluateGatePolicy } from './policy-port.ts';
import type {
  ExceptionsOutcome,
  ExceptionsRequest,
  GateDeps,
  GateExceptionsSource,
  GateSigner,
  GateTrust,
  GateVerifier,
  VerifyOutcome,
  VerifyRequest,
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
      const { loadTrustDocument } = await import('../verify/trust-root.ts');
      const { loadTrust } = await import('../verify/engine.ts');
      const t = request.trust;
      const abs = (p: string): string => (isAbsolute(p) ? p : resolve(request.workspace, p));
      trust ??= (async () => {
        if (!t.trustedRoot && !identityOf(t) && (t.key || t.trustedKeys)) {
          // Key-based trust only: no certificate authority or log is trusted, so a keyless bundle
          // cannot pass, and no public-good root needs loading.
          return loadTrust(EMPTY_TRUSTED_ROOT, 'no keyless trust (key-based bundles only)');
        }
        const doc = await loadTrustDocument(
          t.trustedRoot ? { kind: 'file', path: abs(t.trustedRoot) } : { kind: 'public-good' },
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
          bundles: [request.bundlePath],
          ...(t.key ? { key: abs(t.key) } : {}),
          ...(t.trustedKeys ? { trustedKeys: abs(t.trustedKeys) } : {}),
          ...(identity ? { identity } : {}),
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
        report: { ...report, bundle: relative(request.workspace, request.bundlePath) },
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

/**
 * Exceptions from a git ref of the workspace repository (the protected branch), or, when no ref is
 * given, from the file in the tree being released: read, and marked as such so the gate refuses it.
 */
export function createGateExceptionsSource(): GateExceptionsSource {
  return {
    async loadExceptions(request: ExceptionsRequest): Promise<ExceptionsOutcome> {
      const path = request.path!;
      if (request.ref) {
        if (request.ref === 'HEAD' || /^[0-9a-f]{7,40}$/i.test(request.ref)) {
          throw new VouchError(
            'INPUT_INVALID',
            `exceptions ref "${request.ref}" names the tree being released, not a protected branch`,
            { hint: 'Give the protected branch, e.g. --exceptions-ref origin/main.' },
          );
        }
        const { loadExceptionsFromGitRef } = await import('../github/git-ref.ts');
        const top = (
          await run('git', ['rev-parse', '--show-toplevel'], {
            cwd: request.workspace,
            encoding: 'utf8',
          }).catch((error: unknown) => {
            throw new VouchError(
              'GIT_REF_UNREADABLE',
              `${request.workspace} is not in a git repository`,
              {
                cause: error,
              },
            );
          })
        ).stdout.trim();
        const repoPath = relative(top, resolve(request.workspace, path)).split('\\').join('/');
        const loaded = await loadExceptionsFromGitRef(top, request.ref, repoPath);
        const { stdout: text } = await run('git', ['show', `${loaded.commit}:${repoPath}`], {
          cwd: top,
          encoding: 'utf8',
          maxBuffer: 16 * 1024 * 1024,
        });
        return {
          evidence: {
            source: 'git-ref',
            path: repoPath,
            ref: request.ref,
            commit: loaded.commit,
            fromReleaseTree: false,
            entries: entriesOf(loaded.file),
          },
          file: loaded.file,
          text,
          report: {
            source: 'git-ref',
            ref: request.ref,
            commit: loaded.commit,
            path: repoPath,
            exceptions: loaded.file.exceptions,
          },
        };
      }
      const { parseExceptions } = await import('../../core/exceptions/parse.ts');
      const abs = resolve(request.workspace, path);
      const stat = await fsp.lstat(abs).catch((error: unknown) => {
        throw new VouchError('FILE_UNREADABLE', `cannot read ${path}`, { cause: error });
      });
      if (stat.isSymbolicLink())
        throw new VouchError('PATH_IS_SYMLINK', `${path} is a symbolic link`);
      const text = await fsp.readFile(abs, 'utf8');
      const file = parseExceptions(text, path);
      return {
        evidence: { source: 'file', path, fromReleaseTree: true, entries: entriesOf(file) },
        file,
        text,
        report: {
          source: 'file',
          path,
          warning: 'read from the tree being released, not from the protected branch',
          exceptions: file.exceptions,
        },
      };
    },
  };
}

/** Signs with a key reference (manifest and VSAs). Key-based signing needs no network. */
export async function openGateSigner(
  keyRef: string,
  logger: Logger,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<GateSigner> {
  const { resolveSigner, signMessageBundle, signDsseBundle, OFFLINE_WITNESSES } =
    await import('../sigstore/bundler.ts');
  const resolved = await resolveSigner(keyRef, { env, logger, cwd });
  if (resolved.description.mode === 'keyless') {
    await resolved.close();
    throw new VouchError(
      'INPUT_INVALID',
      'the evidence manifest is signed with a key reference, not keyless',
      {
        hint: 'Give --sign-manifest-key a PEM file, pkcs11: URI or KMS reference.',
      },
    );
  }
  const witnesses = OFFLINE_WITNESSES;
  return {
    identity: resolved.description.identity,
    signMessage: (bytes) => signMessageBundle(resolved.signer, bytes, witnesses),
    signStatement: (statement) =>
      signDsseBundle(resolved.signer, statement, 'application/vnd.in-toto+json', witnesses),
    close: () => resolved.close(),
  };
}

export interface DefaultGateDepsOptions {
  readonly logger: Logger;
  readonly now: Date;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export function createGateDeps(options: DefaultGateDepsOptions): GateDeps {
  return {
    logger: options.logger,
    verifier: createGateVerifier(options.logger, options.now),
    exceptions: createGateExceptionsSource(),
    policy: { evaluatePolicy: (request) => evaluateGatePolicy(request, options.logger) },
    readSbom: readSbomObject,
    openSigner: (keyRef) => openGateSigner(keyRef, options.logger, options.env, options.cwd),
  };
}
