/**
 * Signs release files into one Sigstore bundle each: the flow the `sign` CLI command and the
 * `sign` action share. Picks witnesses (offline, a signing config, or the Sigstore instance
 * GitHub's attest action would pick), resolves the signer once, writes `<file>.sigstore.json`
 * (and `<file>.pub` for key-based modes) atomically.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '../../core/logger.ts';
import type { Signer } from '../../core/signing/signer.ts';
import { parseKeyReference } from '../../core/signing/key-ref.ts';
import { assertTrustedTrigger } from '../../core/signing/trigger.ts';
import {
  describeWitnesses,
  parseSigningConfig,
  type SigstoreInstance,
  type WitnessConfig,
} from '../../core/signing/witness-config.ts';
import { VouchError } from '../../errors.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { hashFile } from '../fs/hash-file.ts';
import { defaultSigstoreInstance } from './default-instance.ts';
import {
  assertMessageSigningKey,
  describeBundleEvidence,
  signMessageBundle,
  type SerializedBundle,
} from './bundler.ts';
import { resolveSigner, type ResolveSignerOptions } from './resolve-signer.ts';

/** Files signed at the same time. */
const SIGN_CONCURRENCY = 8;

export interface SignFilesOptions {
  /** Absolute paths of the files to sign. */
  readonly files: readonly string[];
  readonly key: string;
  /** Write bundles here instead of beside each file. */
  readonly outputDir?: string;
  /** No witnesses (key-based only). */
  readonly offline?: boolean;
  /** Path of a Sigstore signing_config.json. */
  readonly signingConfig?: string;
  readonly passphraseEnv?: string;
  readonly passphrase?: string;
  readonly pkcs11Pin?: string;
  readonly oidcToken?: string;
  readonly allowUntrustedTriggers?: boolean;
  /** Overrides for tests and private deployments. */
  readonly instance?: SigstoreInstance;
  readonly fetch?: typeof fetch;
  /**
   * Files up to this many bytes are read and signed in memory (native signing, fastest for many
   * small files); larger ones stream through the hash and are signed by digest. Default 16 MiB.
   */
  readonly inMemoryLimit?: number;
}

/** Default for SignFilesOptions.inMemoryLimit. */
export const IN_MEMORY_LIMIT = 16 * 1024 * 1024;

export interface SignFilesDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly cwd: string;
  /** Clock (signing-config validity). */
  readonly now?: () => Date;
}

export interface SignedFile {
  readonly file: string;
  readonly bundlePath: string;
  readonly publicKeyPath?: string;
  /** Hex SHA-256 of the file. */
  readonly sha256: string;
  /** Certificate identity (keyless) or key hint. */
  readonly signer: string;
  readonly mode: string;
  readonly logIndex?: string;
  /** When the log integrated the entry (ISO 8601; Rekor v1 entries). */
  readonly logTime?: string;
  readonly timestamped: boolean;
  /** The time the RFC 3161 timestamp states (ISO 8601). */
  readonly timestampTime?: string;
}

export interface SignFilesResult {
  readonly files: SignedFile[];
  /** One line: which witnesses were used, or that it was offline. */
  readonly witnesses: string;
}

/**
 * Chooses the Sigstore services for this run: none offline, the explicit instance or signing
 * config when given, else the instance the repository's visibility calls for (the same choice
 * attest makes; key-signed bundles of a private repository never go to the public log).
 */
export async function chooseInstance(
  options: SignFilesOptions,
  deps: SignFilesDeps,
  keyless: boolean,
): Promise<SigstoreInstance> {
  if (options.offline) {
    if (keyless) {
      throw new VouchError(
        'SIGN_WITNESS_REQUIRED',
        'keyless signing cannot be offline: its certificate needs a log entry or timestamp',
      );
    }
    return { name: 'custom', witnesses: {} };
  }
  if (options.instance) return options.instance;
  if (options.signingConfig) {
    let text: string;
    try {
      text = await fsp.readFile(options.signingConfig, 'utf8');
    } catch (error) {
      throw new VouchError(
        'FILE_UNREADABLE',
        `cannot read signing config ${options.signingConfig}`,
        { cause: error },
      );
    }
    const instance = parseSigningConfig(
      text,
      options.signingConfig,
      (deps.now ?? (() => new Date()))(),
    );
    if (keyless && !instance.fulcioUrl)
      throw new VouchError(
        'SIGN_SIGNING_CONFIG_INVALID',
        'the signing config names no CA (Fulcio) for keyless signing',
      );
    if (!instance.witnesses.rekor && !instance.witnesses.tsa) {
      throw new VouchError(
        'SIGN_SIGNING_CONFIG_INVALID',
        'the signing config names no transparency log or timestamp authority valid now',
      );
    }
    return instance;
  }
  return defaultSigstoreInstance(deps.env);
}

function bundlePathFor(file: string, outputDir: string | undefined): string {
  return join(outputDir ?? dirname(file), `${basename(file)}.sigstore.json`);
}

/**
 * Signs one file into a message-signature bundle: read and signed in memory up to
 * `inMemoryLimit` bytes; above it hashed as it streams and signed by digest, or refused with
 * FILE_TOO_LARGE (naming the file) when the signer cannot sign a digest.
 */
export async function signFileMessage(
  signer: Signer,
  file: string,
  witnesses: WitnessConfig,
  inMemoryLimit: number = IN_MEMORY_LIMIT,
): Promise<{ bundle: SerializedBundle; sha256: string }> {
  let bundle: SerializedBundle;
  let sha256: string;
  let size: number;
  try {
    size = (await fsp.stat(file)).size;
  } catch (error) {
    throw new VouchError('FILE_UNREADABLE', `cannot read ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (size > inMemoryLimit && signer.signDigest) {
    // Streamed: the file is hashed in large reads and the signer signs the digest, so its
    // size is not bounded by memory (or by Node's 2 GiB limit on one read).
    const digest = await hashFile(file);
    sha256 = digest.toString('hex');
    bundle = await signMessageBundle(signer, { digest }, witnesses);
  } else if (size > inMemoryLimit) {
    throw new VouchError(
      'FILE_TOO_LARGE',
      `${file} is ${size} bytes; a signer that cannot sign a digest signs files of at most ${inMemoryLimit} bytes`,
      {
        hint: 'Sign large files with an ECDSA, RSA, KMS, PKCS#11 or keyless signer: they sign as the file streams.',
      },
    );
  } else {
    let data: Buffer;
    try {
      data = await fsp.readFile(file);
    } catch (error) {
      throw new VouchError('FILE_UNREADABLE', `cannot read ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    bundle = await signMessageBundle(signer, data, witnesses);
    sha256 = createHash('sha256').update(data).digest('hex');
  }
  return { bundle, sha256 };
}

/** Signs every file; one signer (one certificate) for the whole run. */
export async function signFiles(
  options: SignFilesOptions,
  deps: SignFilesDeps,
): Promise<SignFilesResult> {
  assertTrustedTrigger(deps.env['GITHUB_EVENT_NAME'], options.allowUntrustedTriggers ?? false);
  if (options.files.length === 0) throw new VouchError('SIGN_NO_FILES', 'no files to sign');
  const keyless = parseKeyReference(options.key).kind === 'keyless';
  const instance = await chooseInstance(options, deps, keyless);
  const witnesses: WitnessConfig = instance.witnesses;
  const resolveOptions: ResolveSignerOptions = {
    env: deps.env,
    logger: deps.logger,
    cwd: deps.cwd,
    ...(options.passphraseEnv ? { passphraseEnv: options.passphraseEnv } : {}),
    ...(options.passphrase ? { passphrase: options.passphrase } : {}),
    ...(options.pkcs11Pin ? { pkcs11Pin: options.pkcs11Pin } : {}),
    ...(options.oidcToken ? { oidcToken: options.oidcToken } : {}),
    ...(instance.fulcioUrl ? { fulcioUrl: instance.fulcioUrl } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const targets = new Set<string>();
  for (const file of options.files) {
    const target = bundlePathFor(file, options.outputDir);
    if (targets.has(target)) {
      throw new VouchError('INPUT_INVALID', `two files would write the same bundle ${target}`, {
        hint: 'Files with the same name in different directories cannot share one output directory.',
      });
    }
    targets.add(target);
  }
  const resolved = await resolveSigner(options.key, resolveOptions);
  try {
    await assertMessageSigningKey(resolved.publicKeyPem, options.key);
    if (options.outputDir) await fsp.mkdir(options.outputDir, { recursive: true });
  } catch (error) {
    await resolved.close();
    throw error;
  }
  const witnessLine = describeWitnesses(witnesses);
  deps.logger.info(
    `signing ${options.files.length} file(s) with ${resolved.description.mode} key ${resolved.description.identity}; ${witnessLine}`,
  );
  const inMemoryLimit = options.inMemoryLimit ?? IN_MEMORY_LIMIT;
  const results: SignedFile[] = [];
  const progress = deps.logger.progress('signing', options.files.length);
  try {
    const signOne = async (file: string): Promise<SignedFile> => {
      const { bundle, sha256 } = await signFileMessage(
        resolved.signer,
        file,
        witnesses,
        inMemoryLimit,
      );
      const bundlePath = bundlePathFor(file, options.outputDir);
      await writeFileAtomic(bundlePath, `${JSON.stringify(bundle)}\n`);
      let publicKeyPath: string | undefined;
      if (resolved.publicKeyPem) {
        publicKeyPath = bundlePath.replace(/\.sigstore\.json$/, '.pub');
        await writeFileAtomic(publicKeyPath, resolved.publicKeyPem);
      }
      const certificate = bundle.verificationMaterial.certificate?.rawBytes;
      const evidence = await describeBundleEvidence(bundle);
      const signed: SignedFile = {
        file,
        bundlePath,
        ...(publicKeyPath ? { publicKeyPath } : {}),
        sha256,
        signer: certificate
          ? resolved.description.identity
          : (resolved.hint ?? resolved.description.identity),
        mode: resolved.description.mode,
        ...(evidence.logIndex !== undefined ? { logIndex: evidence.logIndex } : {}),
        ...(evidence.integratedTime ? { logTime: evidence.integratedTime } : {}),
        timestamped: evidence.timestamped,
        ...(evidence.timestampTime ? { timestampTime: evidence.timestampTime } : {}),
      };
      progress.tick();
      return signed;
    };
    // A few files at a time: file I/O overlaps with signing; results keep the input order.
    const slots = new Array<SignedFile | undefined>(options.files.length);
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (!failed && next < options.files.length) {
        const index = next++;
        try {
          slots[index] = await signOne(options.files[index]!);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    const settled = await Promise.allSettled(
      Array.from({ length: Math.min(SIGN_CONCURRENCY, options.files.length) }, worker),
    );
    const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) throw rejected.reason;
    for (const r of slots) if (r) results.push(r);
  } finally {
    progress.done();
    await resolved.close();
  }
  return { files: results, witnesses: witnessLine };
}

/** The job summary / report table. */
export function formatSignSummary(result: SignFilesResult, workspace: string): string {
  const rel = (p: string): string =>
    (p.startsWith(`${workspace}/`) ? p.slice(workspace.length + 1) : p).replace(/[`|\r\n]/g, '_');
  const rows = result.files.map((f) => {
    const evidence = [
      f.logIndex !== undefined
        ? `log index ${f.logIndex}${f.logTime ? ` (integrated ${f.logTime})` : ''}`
        : '',
      f.timestamped ? `timestamp ${f.timestampTime ?? '(time unreadable)'}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return `| \`${rel(f.file)}\` | \`sha256:${f.sha256}\` | ${f.mode}: \`${f.signer}\` | ${evidence || 'offline (no log entry, no timestamp)'} |`;
  });
  return [
    '### Signed files',
    '',
    `Witnesses: ${result.witnesses}.`,
    '',
    '| file | digest | signer | evidence |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
