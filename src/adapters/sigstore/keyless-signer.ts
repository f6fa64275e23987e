/**
 * Keyless signing: an ephemeral P-256 key, certified by Fulcio for the OIDC identity. One
 * certificate per run: the first signature fetches it, later ones reuse it while it is fresh.
 * Files are signed by their streamed SHA-256 digest (signDigest), never read whole.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createKeySigner } from '../../core/signing/key-signer.ts';
import type { Signature, Signer } from '../../core/signing/signer.ts';
import { cjsExports } from '../module-interop.ts';

export interface KeylessSignerOptions {
  readonly fulcioUrl: string;
  /** Returns the OIDC identity token (audience sigstore). Called once per certificate. */
  readonly getToken: () => Promise<string>;
  readonly retry?: number;
  readonly timeout?: number;
  /** Clock for certificate reuse (default Date.now). */
  readonly now?: () => number;
}

/** Fulcio certificates live ten minutes; reuse one for at most this long. */
const CERT_REUSE_MS = 8 * 60 * 1000;

export interface KeylessSigner extends Signer {
  /** The PEM leaf certificate once the first signature has been made. */
  certificate(): string | undefined;
}

export async function createKeylessSigner(options: KeylessSignerOptions): Promise<KeylessSigner> {
  const { FulcioSigner } = cjsExports(await import('@sigstore/sign'));
  const now = options.now ?? Date.now;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyHolder = createKeySigner(privateKey);
  const fulcio = new FulcioSigner({
    fulcioBaseURL: options.fulcioUrl,
    identityProvider: { getToken: options.getToken },
    keyHolder,
    ...(options.retry !== undefined ? { retry: options.retry } : {}),
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
  });
  let cert: { pem: string; at: number } | undefined;
  let pending: Promise<string> | undefined;
  /** The leaf certificate, fetched once and reused while fresh; concurrent callers share one request. */
  const certificate = async (): Promise<string> => {
    if (cert && now() - cert.at < CERT_REUSE_MS) return cert.pem;
    if (!pending) {
      pending = (async () => {
        // Fulcio's proof of possession signs the token's subject; the empty message's signature
        // that comes back with the certificate is not used.
        const issued = await fulcio.sign(Buffer.alloc(0));
        if (issued.key.$case !== 'x509Certificate') {
          throw new Error('Fulcio returned no certificate');
        }
        cert = { pem: issued.key.certificate, at: now() };
        return cert.pem;
      })().finally(() => {
        pending = undefined;
      });
    }
    return pending;
  };
  const withCertificate = async (make: () => Promise<Signature>): Promise<Signature> => {
    const pem = await certificate();
    const { signature } = await make();
    return { signature, key: { $case: 'x509Certificate', certificate: pem } };
  };
  const signDigest = keyHolder.signDigest!.bind(keyHolder);
  const signer: KeylessSigner = {
    certificate: () => cert?.pem,
    sign: (data: Buffer) => withCertificate(() => keyHolder.sign(data)),
    /** The ephemeral P-256 key signs a streamed file's SHA-256 digest (prehashed ECDSA). */
    signDigest: (digest: Buffer) => withCertificate(() => signDigest(digest, 'sha256')),
  };
  return signer;
}
