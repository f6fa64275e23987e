/**
 * HashiCorp Vault transit signing over its HTTP API: `GET /v1/<mount>/keys/<name>` for the public
 * key and `POST /v1/<mount>/sign/<name>/sha2-256` with a prehashed input.
 * Address, token and namespace come from VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE; the mount from
 * VAULT_TRANSIT_MOUNT (default `transit`).
 */
import { VouchError } from '../../errors.ts';
import {
  createRemoteSigner,
  fetchWithRetry,
  keyFamilyOf,
  type KmsOptions,
  type KmsSigner,
} from './kms-signer.ts';

async function vaultError(response: Response, what: string): Promise<VouchError> {
  const body = (await response.json().catch(() => ({}))) as { errors?: unknown };
  const detail = Array.isArray(body.errors) ? body.errors.join('; ') : `HTTP ${response.status}`;
  if (response.status === 403 || response.status === 401) {
    return new VouchError('SIGN_KMS_PERMISSION_DENIED', `Vault refused ${what}: ${detail}`);
  }
  if (response.status === 404)
    return new VouchError('SIGN_KMS_NOT_FOUND', `Vault has no transit key for ${what}: ${detail}`);
  return new VouchError('SIGN_KMS_FAILED', `Vault ${what} failed: ${detail}`);
}

export async function openVaultSigner(keyName: string, options: KmsOptions): Promise<KmsSigner> {
  const address = options.env['VAULT_ADDR'];
  const token = options.env['VAULT_TOKEN'];
  if (!address)
    throw new VouchError('SIGN_KMS_FAILED', 'VAULT_ADDR is not set', {
      hint: 'Set VAULT_ADDR and VAULT_TOKEN for hashivault:// keys.',
    });
  if (!token)
    throw new VouchError('SIGN_KMS_PERMISSION_DENIED', 'VAULT_TOKEN is not set', {
      hint: 'Set VAULT_TOKEN for hashivault:// keys.',
    });
  options.logger.secret(token);
  const mount = (options.env['VAULT_TRANSIT_MOUNT'] || 'transit').replace(/^\/+|\/+$/g, '');
  const base = `${address.replace(/\/+$/, '')}/v1/${mount}`;
  const headers: Record<string, string> = {
    'x-vault-token': token,
    'content-type': 'application/json',
  };
  if (options.env['VAULT_NAMESPACE']) headers['x-vault-namespace'] = options.env['VAULT_NAMESPACE'];
  const retry = { retry: options.retry ?? 3, delayMs: options.retryDelayMs ?? 200 };
  const doFetch = options.fetch ?? fetch;
  const keyResponse = await fetchWithRetry(
    doFetch,
    `${base}/keys/${encodeURIComponent(keyName)}`,
    { headers },
    retry,
  );
  if (!keyResponse.ok) throw await vaultError(keyResponse, `reading key ${keyName}`);
  const keyInfo = (await keyResponse.json()) as {
    data?: {
      type?: string;
      latest_version?: number;
      keys?: Record<string, { public_key?: string }>;
    };
  };
  const data = keyInfo.data;
  const version = data?.latest_version;
  const publicKey = version !== undefined ? data?.keys?.[String(version)]?.public_key : undefined;
  if (!data?.type || !publicKey)
    throw new VouchError(
      'SIGN_KMS_FAILED',
      `Vault key ${keyName} has no public key (is it a signing key?)`,
    );
  const family = keyFamilyOf(data.type, 'Vault');
  return createRemoteSigner(publicKey, async (digest) => {
    const response = await fetchWithRetry(
      doFetch,
      `${base}/sign/${encodeURIComponent(keyName)}/sha2-256`,
      {
        method: 'POST',
        headers,
        body: JSON.stringify({
          input: digest.toString('base64'),
          prehashed: true,
          key_version: version,
          marshaling_algorithm: 'asn1',
          ...(family === 'rsa' ? { signature_algorithm: 'pkcs1v15' } : {}),
        }),
      },
      retry,
    );
    if (!response.ok) throw await vaultError(response, `signing with ${keyName}`);
    const body = (await response.json()) as { data?: { signature?: string } };
    const match = /^vault:v\d+:(.+)$/.exec(body.data?.signature ?? '');
    if (!match) throw new VouchError('SIGN_KMS_FAILED', 'Vault returned no signature');
    return Buffer.from(match[1]!, 'base64');
  });
}
