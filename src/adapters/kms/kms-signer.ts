/** What every cloud KMS signer offers: a remote key that signs SHA-256 digests. */
import { createHash } from 'node:crypto';
import type { Logger } from '../../core/logger.ts';
import { computeKeyHint, toSpkiPem } from '../../core/signing/key-signer.ts';
import type { Signature, Signer } from '../../core/signing/signer.ts';
import { VouchError } from '../../errors.ts';

export interface KmsSigner extends Signer {
  readonly publicKeyPem: string;
  readonly hint: string;
  signDigest(digest: Buffer, algorithm: 'sha256'): Promise<Signature>;
}

export interface KmsOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** Attempts after the first for throttling and 5xx answers (default 3). */
  readonly retry?: number;
  readonly fetch?: typeof fetch;
  /** Base delay between retries in ms (default 200; tests use 1). */
  readonly retryDelayMs?: number;
}

export type KeyFamily = 'ecdsa-p256' | 'rsa';

/** Builds the Signer from a public key and a remote digest-signing call. */
export function createRemoteSigner(
  publicKey: string | Buffer,
  signRemote: (digest: Buffer) => Promise<Buffer>,
): KmsSigner {
  const publicKeyPem = toSpkiPem(
    typeof publicKey === 'string'
      ? publicKey
      : `-----BEGIN PUBLIC KEY-----\n${publicKey.toString('base64')}\n-----END PUBLIC KEY-----\n`,
  );
  const hint = computeKeyHint(publicKeyPem);
  const material = { $case: 'publicKey', publicKey: publicKeyPem, hint } as const;
  const signDigest = async (digest: Buffer): Promise<Signature> => ({
    signature: await signRemote(digest),
    key: material,
  });
  return {
    publicKeyPem,
    hint,
    signDigest,
    sign: (data: Buffer) => signDigest(createHash('sha256').update(data).digest()),
  };
}

/** Refuses key types the Sigstore message digest (SHA-256) cannot carry. */
export function keyFamilyOf(spec: string, provider: string): KeyFamily {
  const s = spec.toUpperCase();
  if (/P256|P_256|P-256|NIST_P256|ECDSA-P256|EC_SIGN_P256/.test(s)) return 'ecdsa-p256';
  if (/RSA/.test(s) && !/PSS/.test(s)) return 'rsa';
  throw new VouchError('SIGN_KEY_INVALID', `${provider} key type ${spec} is not supported`, {
    hint: 'Use an ECDSA P-256 key (SHA-256) or an RSA PKCS#1 v1.5 SHA-256 key.',
  });
}

/** Sleeps `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * fetch with retries on 429 and 5xx (honouring Retry-After up to 10 s); returns the last response.
 */
export async function fetchWithRetry(
  doFetch: typeof fetch,
  url: string,
  init: RequestInit,
  options: { retry: number; delayMs: number },
): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await doFetch(url, init);
    } catch (error) {
      if (attempt >= options.retry) {
        throw new VouchError(
          'SIGN_KMS_FAILED',
          `cannot reach ${new URL(url).origin}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      await delay(options.delayMs * 2 ** attempt);
      continue;
    }
    if ((response.status === 429 || response.status >= 500) && attempt < options.retry) {
      await response.body?.cancel();
      const after = Number(response.headers.get('retry-after'));
      await delay(
        Number.isFinite(after) && after > 0
          ? Math.min(after * 1000, 10_000)
          : options.delayMs * 2 ** attempt,
      );
      continue;
    }
    return response;
  }
}
