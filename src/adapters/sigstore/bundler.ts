/**
 * Sigstore bundles (v0.3) from any Signer: message signatures over release files, and DSSE
 * envelopes (in-toto statements) for attestations. Built on @sigstore/sign's bundle builders and
 * witnesses (Rekor v1/v2, RFC 3161 TSA); with no witnesses the bundle is an offline key-based one.
 *
 * Exported contract (stable; attest/provenance build on it):
 * - signMessageBundle(signer, artifact, witnesses) → SerializedBundle
 * - signDsseBundle(signer, payload, payloadType, witnesses) → SerializedBundle
 * - resolveSigner(ref, options) → { signer, description, publicKeyPem? }
 */
import type { SerializedBundle } from '@sigstore/bundle';
import type { Signature, Signer } from '../../core/signing/signer.ts';
import type { WitnessConfig } from '../../core/signing/witness-config.ts';
import { VouchError, isVouchError } from '../../errors.ts';
import { cjsExports } from '../module-interop.ts';

export type { SerializedBundle } from '@sigstore/bundle';
export type { WitnessConfig } from '../../core/signing/witness-config.ts';
export { OFFLINE_WITNESSES, describeWitnesses } from '../../core/signing/witness-config.ts';
export { resolveSigner } from './resolve-signer.ts';
export type { ResolveSignerOptions, ResolvedSigner } from './resolve-signer.ts';

export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** A file's bytes, or only its SHA-256 digest (the signer must then implement signDigest). */
export type MessageArtifact = Buffer | { readonly digest: Buffer; readonly algorithm?: 'sha256' };

type SigstoreWitness = import('@sigstore/sign').Witness;

async function buildWitnesses(config: WitnessConfig, dsse = false): Promise<SigstoreWitness[]> {
  const { RekorWitness, TSAWitness } = cjsExports(await import('@sigstore/sign'));
  const fetchOptions = {
    retry: config.retry ?? 3,
    timeout: config.timeout ?? 30_000,
  };
  const witnesses: SigstoreWitness[] = [];
  if (config.rekor) {
    witnesses.push(
      new RekorWitness({
        rekorBaseURL: config.rekor.url,
        majorApiVersion: config.rekor.majorApiVersion,
        fetchOnConflict: true,
        ...(dsse ? { entryType: config.rekor.dsseEntryType ?? 'dsse' } : {}),
        ...fetchOptions,
      }),
    );
  }
  if (config.tsa) witnesses.push(new TSAWitness({ tsaBaseURL: config.tsa.url, ...fetchOptions }));
  return witnesses;
}

function pemToDer(pem: string): Buffer {
  return Buffer.from(
    pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, ''),
    'base64',
  );
}

/** Maps failures of @sigstore/sign to coded errors, without echoing tokens. */
function toSigningError(error: unknown): VouchError {
  if (isVouchError(error)) return error;
  const code = (error as { code?: string }).code ?? '';
  const cause = (error as { cause?: unknown }).cause;
  if (isVouchError(cause)) return cause;
  const detail =
    (error as Error).message?.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '***') ?? String(error);
  if (code.startsWith('CA_') || code.startsWith('IDENTITY_TOKEN')) {
    return new VouchError('SIGN_OIDC_FAILED', `Fulcio did not issue a certificate: ${detail}`, {
      cause: error,
    });
  }
  if (code.startsWith('TLOG_') || code.startsWith('TSA_')) {
    return new VouchError(
      'SIGN_WITNESS_FAILED',
      `${code.startsWith('TSA_') ? 'timestamp authority' : 'transparency log'}: ${detail}`,
      {
        cause: error,
      },
    );
  }
  return new VouchError('INTERNAL', `signing failed: ${detail}`, { cause: error });
}

/**
 * Refuses an EdDSA key (Ed25519, Ed448) for message-signature bundles. Sigstore verifies a
 * message signature against the message digest's algorithm (`@sigstore/verify` passes `sha256`
 * to crypto.verify, which EdDSA refuses), and Rekor's hashedrekord entries reject Ed25519, so such
 * a bundle would verify nowhere. DSSE bundles (attestations) sign the PAE bytes and stay open to
 * Ed25519.
 */
export async function assertMessageSigningKey(
  publicKeyPem: string | undefined,
  what: string,
): Promise<void> {
  if (!publicKeyPem) return;
  const { createPublicKey } = await import('node:crypto');
  const type = createPublicKey(publicKeyPem).asymmetricKeyType;
  if (type === 'ed25519' || type === 'ed448') {
    throw new VouchError(
      'SIGN_ED25519_MESSAGE_UNSUPPORTED',
      `${what} is an ${type === 'ed25519' ? 'Ed25519' : 'Ed448'} key, which cannot sign files into Sigstore bundles that other clients verify`,
    );
  }
}

/**
 * Signs a message (a release file) into a v0.3 bundle. With `{ digest }` only, the signer's
 * signDigest is used (KMS, PKCS#11, RSA keys); otherwise the bytes are signed.
 */
export async function signMessageBundle(
  signer: Signer,
  artifact: MessageArtifact,
  witnesses: WitnessConfig,
): Promise<SerializedBundle> {
  const { MessageSignatureBundleBuilder } = cjsExports(await import('@sigstore/sign'));
  const { toMessageSignatureBundle, bundleToJSON } = cjsExports(await import('@sigstore/bundle'));
  const { createHash } = await import('node:crypto');
  const isBytes = Buffer.isBuffer(artifact);
  const digest = isBytes ? createHash('sha256').update(artifact).digest() : artifact.digest;
  if (!isBytes && (digest.length !== 32 || (artifact.algorithm ?? 'sha256') !== 'sha256')) {
    throw new VouchError('INTERNAL', 'a message digest must be 32 bytes of SHA-256');
  }
  let effective: Signer = {
    async sign(data: Buffer): Promise<Signature> {
      const signature = await signer.sign(data);
      if (signature.key.$case === 'publicKey') {
        await assertMessageSigningKey(signature.key.publicKey, 'the signing key');
      }
      return signature;
    },
  };
  if (!isBytes) {
    const signDigest = signer.signDigest?.bind(signer);
    if (!signDigest) {
      throw new VouchError('SIGN_KEY_INVALID', 'this signer cannot sign a precomputed digest', {
        hint: 'Sign the file bytes instead, or use an ECDSA, RSA, KMS or PKCS#11 key.',
      });
    }
    effective = {
      async sign(): Promise<Signature> {
        const signature = await signDigest(digest, 'sha256');
        if (signature.key.$case === 'publicKey') {
          await assertMessageSigningKey(signature.key.publicKey, 'the signing key');
        }
        return signature;
      },
    };
  }
  class V03MessageBundleBuilder extends MessageSignatureBundleBuilder {
    protected override async package(_artifact: { data: Buffer }, signature: Signature) {
      return toMessageSignatureBundle({
        digest,
        signature: signature.signature,
        ...(signature.key.$case === 'x509Certificate'
          ? { certificate: pemToDer(signature.key.certificate) }
          : { keyHint: signature.key.hint ?? '' }),
        certificateChain: false,
      });
    }
  }
  const builder = new V03MessageBundleBuilder({
    signer: effective,
    witnesses: await buildWitnesses(witnesses),
  });
  try {
    const bundle = await builder.create({ data: isBytes ? artifact : digest });
    return bundleToJSON(bundle);
  } catch (error) {
    throw toSigningError(error);
  }
}

/** Signs `payload` as a DSSE envelope of `payloadType` into a v0.3 bundle (one signature). */
export async function signDsseBundle(
  signer: Signer,
  payload: Buffer,
  payloadType: string,
  witnesses: WitnessConfig,
): Promise<SerializedBundle> {
  const { DSSEBundleBuilder } = cjsExports(await import('@sigstore/sign'));
  const { bundleToJSON } = cjsExports(await import('@sigstore/bundle'));
  const builder = new DSSEBundleBuilder({
    signer,
    witnesses: await buildWitnesses(witnesses, true),
    certificateChain: false,
  });
  try {
    const bundle = await builder.create({ data: payload, type: payloadType });
    return bundleToJSON(bundle);
  } catch (error) {
    throw toSigningError(error);
  }
}

/** What witnessed a bundle, for summaries: its log entry and/or its RFC 3161 timestamp. */
export interface BundleEvidence {
  readonly logIndex?: string;
  /** The log's integration time (ISO 8601), when the entry has one (Rekor v1). */
  readonly integratedTime?: string;
  readonly timestamped: boolean;
  /** The signing time the first RFC 3161 timestamp states (ISO 8601). */
  readonly timestampTime?: string;
}

/** Log index and time, and timestamp time, of a bundle, for summaries. */
export async function describeBundleEvidence(bundle: SerializedBundle): Promise<BundleEvidence> {
  const entry = bundle.verificationMaterial.tlogEntries?.[0];
  const ts = bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? [];
  const seconds = Number(entry?.integratedTime ?? 0);
  let timestampTime: string | undefined;
  if (ts[0]) {
    const { RFC3161Timestamp } = cjsExports(await import('@sigstore/core'));
    try {
      timestampTime = RFC3161Timestamp.parse(
        Buffer.from(ts[0].signedTimestamp, 'base64'),
      ).signingTime.toISOString();
    } catch {
      // The bundle was just built from the TSA's answer; a summary line is not the place to fail.
    }
  }
  return {
    ...(entry ? { logIndex: entry.logIndex } : {}),
    ...(seconds > 0 ? { integratedTime: new Date(seconds * 1000).toISOString() } : {}),
    timestamped: ts.length > 0,
    ...(timestampTime ? { timestampTime } : {}),
  };
}
