/**
 * Azure Key Vault keys through @azure/keyvault-keys: getKey for the public JWK, then
 * CryptographyClient.sign (ES256 or RS256) over a SHA-256 digest. Credentials come from
 * @azure/identity's DefaultAzureCredential (environment, workload identity, managed identity,
 * Azure CLI), or AZURE_ACCESS_TOKEN (a bearer token for https://vault.azure.net).
 */
import { createPublicKey } from 'node:crypto';
import { rawEcdsaToDer } from '../../core/signing/ecdsa-der.ts';
import { VouchError } from '../../errors.ts';
import { cjsExports } from '../module-interop.ts';
import { createRemoteSigner, delay, type KmsOptions, type KmsSigner } from './kms-signer.ts';

function azureError(error: unknown, what: string): VouchError {
  const status = (error as { statusCode?: number }).statusCode;
  const code = (error as { code?: string }).code ?? '';
  const message = ((error as Error).message ?? String(error)).split('\n')[0];
  if (
    status === 401 ||
    status === 403 ||
    /Forbidden|Unauthorized|CredentialUnavailable|AuthenticationRequired/.test(
      code + (error as Error).name,
    )
  ) {
    return new VouchError(
      'SIGN_KMS_PERMISSION_DENIED',
      `Azure Key Vault refused ${what}: ${message}`,
      { cause: error },
    );
  }
  if (status === 404)
    return new VouchError('SIGN_KMS_NOT_FOUND', `Azure Key Vault: ${what}: ${message}`, {
      cause: error,
    });
  return new VouchError('SIGN_KMS_FAILED', `Azure Key Vault ${what} failed: ${message}`, {
    cause: error,
  });
}

async function withRetry<T>(fn: () => Promise<T>, options: KmsOptions, what: string): Promise<T> {
  const retries = options.retry ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if ((status === 429 || (status !== undefined && status >= 500)) && attempt < retries) {
        await delay((options.retryDelayMs ?? 200) * 2 ** attempt);
        continue;
      }
      throw azureError(error, what);
    }
  }
}

export async function openAzureSigner(
  vaultUrl: string,
  keyName: string,
  version: string | undefined,
  options: KmsOptions,
): Promise<KmsSigner> {
  const { KeyClient, CryptographyClient } = cjsExports(await import('@azure/keyvault-keys'));
  const token = options.env['AZURE_ACCESS_TOKEN'];
  let credential;
  if (token) {
    options.logger.secret(token);
    credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
  } else {
    const secret = options.env['AZURE_CLIENT_SECRET'];
    if (secret) options.logger.secret(secret);
    const { DefaultAzureCredential } = cjsExports(await import('@azure/identity'));
    credential = new DefaultAzureCredential();
  }
  // SDK retries are ours (to classify errors once); challenge verification stays on for real vaults.
  const clientOptions = {
    retryOptions: { maxRetries: 0 },
    disableChallengeResourceVerification: /^https:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(
      vaultUrl,
    ),
  };
  const keys = new KeyClient(vaultUrl, credential, clientOptions);
  const key = await withRetry(
    () => keys.getKey(keyName, version ? { version } : {}),
    options,
    `reading key ${keyName}`,
  );
  const jwk = key.key;
  if (!jwk?.kty)
    throw new VouchError(
      'SIGN_KMS_FAILED',
      `Azure Key Vault returned no key material for ${keyName}`,
    );
  let algorithm: 'ES256' | 'RS256';
  let publicJwk: Record<string, string>;
  if (/^EC/.test(jwk.kty)) {
    if (jwk.crv !== 'P-256') {
      throw new VouchError(
        'SIGN_KEY_INVALID',
        `Azure key curve ${jwk.crv ?? '?'} is not supported`,
        { hint: 'Use a P-256 (ES256) or RSA key.' },
      );
    }
    algorithm = 'ES256';
    publicJwk = {
      kty: 'EC',
      crv: 'P-256',
      x: Buffer.from(jwk.x!).toString('base64url'),
      y: Buffer.from(jwk.y!).toString('base64url'),
    };
  } else if (/^RSA/.test(jwk.kty)) {
    algorithm = 'RS256';
    publicJwk = {
      kty: 'RSA',
      n: Buffer.from(jwk.n!).toString('base64url'),
      e: Buffer.from(jwk.e!).toString('base64url'),
    };
  } else {
    throw new VouchError('SIGN_KEY_INVALID', `Azure key type ${jwk.kty} is not supported`);
  }
  const pem = createPublicKey({ key: publicJwk, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
  const crypto = new CryptographyClient(key.id!, credential, clientOptions);
  return createRemoteSigner(pem, async (digest) => {
    const result = await withRetry(
      () => crypto.sign(algorithm, digest),
      options,
      `signing with ${keyName}`,
    );
    const raw = Buffer.from(result.result);
    // Key Vault returns ECDSA signatures as r||s; Sigstore expects DER.
    if (algorithm === 'ES256') {
      return rawEcdsaToDer(raw);
    }
    return raw;
  });
}
