/**
 * Keyless signing: an ephemeral P-256 key, certified by Fulcio for the OIDC identity. One
 * certificate per run: the first signature fetches it, later ones reuse it while it is fresh.
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
  let pending: Promise<Signature> | undefined;
  const signer: KeylessSigner = {
    certificate: () => cert?.pem,
    async sign(data: Buffer): Promise<Signature> {
      if (cert && now() - cert.at < CERT_REUSE_MS) {
        const { signature } = await keyHolder.sign(data);
        return { signature, key: { $case: 'x509Certificate', certificate: cert.pem } };
      }
      if (pending) {
        await pending.catch(() => {});
        return signer.sign(data);
      }
      pending = fulcio.sign(data);
      try {
        const result = await pending;
        if (result.key.$case === 'x509Certificate')
          cert = { pem: result.key.certificate, at: now() };
        return result;
      } finally {
        pending = undefined;
      }
    },
  };
  return signer;
}
