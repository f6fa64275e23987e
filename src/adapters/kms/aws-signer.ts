/**
 * AWS KMS through @aws-sdk/client-kms: GetPublicKey, then Sign with MessageType DIGEST. The SDK's
 * standard retry mode retries throttling; credentials and region come from the usual AWS chain.
 * `awskms://HOST:PORT/KEY` points the client at that endpoint (VPC endpoints, local testing).
 */
import { VouchError } from '../../errors.ts';
import { cjsExports } from '../module-interop.ts';
import { createRemoteSigner, keyFamilyOf, type KmsOptions, type KmsSigner } from './kms-signer.ts';

function awsError(error: unknown, what: string): VouchError {
  const name = (error as { name?: string }).name ?? '';
  const message = (error as Error).message ?? String(error);
  if (
    /AccessDenied|UnrecognizedClient|InvalidSignature|ExpiredToken|NotAuthorized|KMSInvalidStateException|DisabledException/.test(
      name,
    )
  ) {
    return new VouchError(
      'SIGN_KMS_PERMISSION_DENIED',
      `AWS KMS refused ${what}: ${name}: ${message}`,
      { cause: error },
    );
  }
  if (/NotFound/.test(name))
    return new VouchError('SIGN_KMS_NOT_FOUND', `AWS KMS: ${what}: ${message}`, { cause: error });
  return new VouchError('SIGN_KMS_FAILED', `AWS KMS ${what} failed: ${name}: ${message}`, {
    cause: error,
  });
}

function regionOf(keyId: string, env: NodeJS.ProcessEnv): string {
  const arn = /^arn:aws[\w-]*:kms:([a-z0-9-]+):/.exec(keyId);
  return arn?.[1] ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? 'us-east-1';
}

export async function openAwsSigner(
  keyId: string,
  endpoint: string | undefined,
  options: KmsOptions,
): Promise<KmsSigner> {
  const { KMSClient, GetPublicKeyCommand, SignCommand } = cjsExports(
    await import('@aws-sdk/client-kms'),
  );
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    const v = options.env[name];
    if (v) options.logger.secret(v);
  }
  const scheme =
    endpoint && /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(endpoint) ? 'http' : 'https';
  const accessKeyId = options.env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = options.env['AWS_SECRET_ACCESS_KEY'];
  const sessionToken = options.env['AWS_SESSION_TOKEN'];
  const client = new KMSClient({
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
    region: regionOf(keyId, options.env),
    maxAttempts: (options.retry ?? 3) + 1,
    retryMode: 'standard',
    ...(endpoint ? { endpoint: `${scheme}://${endpoint}` } : {}),
  });
  let info;
  try {
    info = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
  } catch (error) {
    throw awsError(error, `reading the public key of ${keyId}`);
  }
  if (!info.PublicKey || !info.KeySpec)
    throw new VouchError('SIGN_KMS_FAILED', `AWS KMS returned no public key for ${keyId}`);
  if (info.KeyUsage && info.KeyUsage !== 'SIGN_VERIFY') {
    throw new VouchError(
      'SIGN_KEY_INVALID',
      `AWS KMS key ${keyId} is not a signing key (KeyUsage ${info.KeyUsage})`,
    );
  }
  const family = keyFamilyOf(info.KeySpec, 'AWS KMS');
  const algorithm = family === 'rsa' ? 'RSASSA_PKCS1_V1_5_SHA_256' : 'ECDSA_SHA_256';
  return createRemoteSigner(Buffer.from(info.PublicKey), async (digest) => {
    try {
      const out = await client.send(
        new SignCommand({
          KeyId: keyId,
          Message: digest,
          MessageType: 'DIGEST',
          SigningAlgorithm: algorithm,
        }),
      );
      if (!out.Signature) throw new VouchError('SIGN_KMS_FAILED', 'AWS KMS returned no signature');
      return Buffer.from(out.Signature);
    } catch (error) {
      if (error instanceof VouchError) throw error;
      throw awsError(error, `signing with ${keyId}`);
    }
  });
}
