/** `vouch keys`: generate a key pair, read the public key of any reference, emit trust entries. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { computeKeyHint, toSpkiPem, type KeyAlgorithm } from '../../core/signing/key-signer.ts';
import { parseKeyReference } from '../../core/signing/key-ref.ts';
import { VouchError } from '../../errors.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { readPublicKeyFromFile } from './file-signer.ts';
import { resolveSigner, type ResolveSignerOptions } from './resolve-signer.ts';

export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = [
  'ecdsa-p256',
  'ecdsa-p384',
  'ed25519',
  'rsa',
];

export interface GenerateKeyOptions {
  readonly privatePath: string;
  readonly publicPath: string;
  readonly algorithm: string;
  /** Absent: write the private key unencrypted (only with --unencrypted). */
  readonly passphrase?: string;
}

function generate(algorithm: KeyAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (algorithm) {
    case 'ecdsa-p256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'ecdsa-p384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' });
    case 'ed25519':
      return generateKeyPairSync('ed25519');
    case 'rsa':
      return generateKeyPairSync('rsa', { modulusLength: 3072 });
  }
}

/** Writes a new key pair: the private key 0600 (PKCS#8, AES-256-CBC when a passphrase is given). */
export async function generateKeyFiles(
  options: GenerateKeyOptions,
): Promise<{ hint: string; publicKeyPem: string }> {
  const algorithm = options.algorithm as KeyAlgorithm;
  if (!KEY_ALGORITHMS.includes(algorithm)) {
    throw new VouchError('USAGE_INVALID_VALUE', `unknown algorithm "${options.algorithm}"`, {
      hint: `Use one of: ${KEY_ALGORITHMS.join(', ')}.`,
    });
  }
  const { privateKey, publicKey } = generate(algorithm);
  const privatePem = privateKey.export(
    options.passphrase
      ? { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: options.passphrase }
      : { type: 'pkcs8', format: 'pem' },
  );
  const publicKeyPem = toSpkiPem(publicKey);
  await writeFileAtomic(options.privatePath, privatePem, { mode: 0o600, exclusive: true });
  await writeFileAtomic(options.publicPath, publicKeyPem, { mode: 0o644 });
  return { hint: computeKeyHint(publicKeyPem), publicKeyPem };
}

/** The SPKI PEM public key of any key reference (file, PKCS#11, KMS). Keyless has none. */
export async function readPublicKey(ref: string, options: ResolveSignerOptions): Promise<string> {
  const parsed = parseKeyReference(ref);
  if (parsed.kind === 'keyless') {
    throw new VouchError('SIGN_KEY_REF_INVALID', 'keyless signing has no long-lived public key', {
      hint: 'Keyless bundles are verified by identity (--certificate-identity), not by key.',
    });
  }
  if (parsed.kind === 'file') {
    const path = isAbsolute(parsed.path)
      ? parsed.path
      : resolve(options.cwd ?? process.cwd(), parsed.path);
    const name = options.passphraseEnv ?? 'VOUCH_KEY_PASSPHRASE';
    const passphrase = options.passphrase || options.env[name] || undefined;
    if (passphrase) options.logger.secret(passphrase);
    return readPublicKeyFromFile(path, passphrase);
  }
  const resolved = await resolveSigner(ref, options);
  try {
    if (!resolved.publicKeyPem) throw new VouchError('INTERNAL', 'the signer has no public key');
    return resolved.publicKeyPem;
  } finally {
    await resolved.close();
  }
}
