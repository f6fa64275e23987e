/**
 * Google Cloud KMS through @google-cloud/kms in its REST (HTTP/1.1 JSON) fallback mode, which
 * bundles without gRPC native parts: GetPublicKey, then AsymmetricSign with a SHA-256 digest.
 * Credentials: Application Default Credentials, or GOOGLE_OAUTH_ACCESS_TOKEN (an access token,
 * e.g. from `gcloud auth print-access-token` or workload identity federation).
 * VOUCH_GCPKMS_ENDPOINT=HOST[:PORT] overrides the API endpoint (private endpoints, testing).
 */
import { VouchError } from '../../errors.ts';
import { cjsExports } from '../module-interop.ts';
import {
  createRemoteSigner,
  delay,
  keyFamilyOf,
  type KmsOptions,
  type KmsSigner,
} from './kms-signer.ts';

const RETRYABLE = new Set([8, 14, 4]); // RESOURCE_EXHAUSTED, UNAVAILABLE, DEADLINE_EXCEEDED

function gcpError(error: unknown, what: string): VouchError {
  const code = (error as { code?: number }).code;
  const message = ((error as Error).message ?? String(error)).split('\n')[0];
  if (code === 7 || code === 16) {
    return new VouchError('SIGN_KMS_PERMISSION_DENIED', `Cloud KMS refused ${what}: ${message}`, {
      cause: error,
    });
  }
  if (code === 5)
    return new VouchError('SIGN_KMS_NOT_FOUND', `Cloud KMS: ${what}: ${message}`, { cause: error });
  return new VouchError('SIGN_KMS_FAILED', `Cloud KMS ${what} failed: ${message}`, {
    cause: error,
  });
}

async function withRetry<T>(fn: () => Promise<T>, options: KmsOptions, what: string): Promise<T> {
  const retries = options.retry ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code !== undefined && RETRYABLE.has(code) && attempt < retries) {
        await delay((options.retryDelayMs ?? 200) * 2 ** attempt);
        continue;
      }
      throw gcpError(error, what);
    }
  }
}

export async function openGcpSigner(name: string, options: KmsOptions): Promise<KmsSigner> {
  const { KeyManagementServiceClient } = cjsExports(await import('@google-cloud/kms'));
  const endpoint = options.env['VOUCH_GCPKMS_ENDPOINT'];
  const token = options.env['GOOGLE_OAUTH_ACCESS_TOKEN'];
  const clientOptions: Record<string, unknown> = { fallback: true };
  if (endpoint) {
    const [host, port] = endpoint.split(':');
    clientOptions['apiEndpoint'] = host;
    if (port) clientOptions['port'] = Number(port);
    if (/^(localhost|127\.0\.0\.1)$/.test(host ?? '')) clientOptions['protocol'] = 'http';
  }
  if (token) {
    options.logger.secret(token);
    const { OAuth2Client } = cjsExports(await import('google-auth-library'));
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: token, expiry_date: Date.now() + 3600_000 });
    clientOptions['authClient'] = auth;
  }
  const client = new KeyManagementServiceClient(
    clientOptions as ConstructorParameters<typeof KeyManagementServiceClient>[0],
  );
  const [publicKey] = await withRetry(
    () => client.getPublicKey({ name }),
    options,
    `reading the public key of ${name}`,
  );
  if (!publicKey.pem || !publicKey.algorithm)
    throw new VouchError('SIGN_KMS_FAILED', `Cloud KMS returned no public key for ${name}`);
  const algorithm = String(publicKey.algorithm);
  if (!/SHA256$/.test(algorithm) || /PSS/.test(algorithm)) {
    throw new VouchError(
      'SIGN_KEY_INVALID',
      `Cloud KMS key algorithm ${algorithm} is not supported`,
      {
        hint: 'Use EC_SIGN_P256_SHA256 or RSA_SIGN_PKCS1_*_SHA256.',
      },
    );
  }
  keyFamilyOf(algorithm, 'Cloud KMS');
  return createRemoteSigner(publicKey.pem, async (digest) => {
    const [response] = await withRetry(
      () => client.asymmetricSign({ name, digest: { sha256: digest } }),
      options,
      `signing with ${name}`,
    );
    if (!response.signature)
      throw new VouchError('SIGN_KMS_FAILED', 'Cloud KMS returned no signature');
    return Buffer.from(response.signature as Uint8Array);
  });
}
