/**
 * Signing with a private key held in this process (a PEM file, or an ephemeral keyless key).
 * Pure: the key arrives as a KeyObject; nothing here reads files or the environment.
 */
import {
  createHash,
  createPublicKey,
  privateEncrypt,
  sign,
  constants,
  type KeyObject,
} from 'node:crypto';
import { VouchError } from '../../errors.ts';
import type { Signature, Signer } from './signer.ts';

export type KeyAlgorithm = 'ecdsa-p256' | 'ecdsa-p384' | 'ed25519' | 'rsa';

/** A signer whose public key is known locally. */
export interface LocalKeySigner extends Signer {
  readonly publicKeyPem: string;
  readonly hint: string;
  readonly algorithm: KeyAlgorithm;
}

/** Names the algorithm of a key, or refuses keys vouch does not sign with. */
export function describeKeyAlgorithm(key: KeyObject): KeyAlgorithm {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return 'ed25519';
  if (type === 'rsa') return 'rsa';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1' || curve === 'P-256') return 'ecdsa-p256';
    if (curve === 'secp384r1' || curve === 'P-384') return 'ecdsa-p384';
    throw new VouchError('SIGN_KEY_INVALID', `unsupported elliptic curve ${curve ?? 'unknown'}`, {
      hint: 'Use ECDSA P-256 or P-384, Ed25519 or RSA.',
    });
  }
  throw new VouchError('SIGN_KEY_INVALID', `unsupported key type ${type ?? 'unknown'}`, {
    hint: 'Use ECDSA P-256 or P-384, Ed25519 or RSA.',
  });
}

/** The key hint: lowercase hex SHA-256 of the DER SubjectPublicKeyInfo. */
export function computeKeyHint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

/** Normalises any public key PEM (SPKI or PKCS#1) to SPKI PEM. */
export function toSpkiPem(publicKey: string | KeyObject): string {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

// DER DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1).
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * A signer over a private KeyObject. ECDSA (P-256 and P-384) and RSA (PKCS#1 v1.5) sign SHA-256
 * of the data, which is what Sigstore records as the message digest algorithm; Ed25519 signs the
 * data itself. ECDSA and RSA also sign a precomputed SHA-256 digest (signDigest), so a file of
 * any size is signed as it streams through the hash; Ed25519 (pure EdDSA) cannot.
 */
export function createKeySigner(privateKey: KeyObject, hint?: string): LocalKeySigner {
  const algorithm = describeKeyAlgorithm(privateKey);
  const publicKeyPem = toSpkiPem(createPublicKey(privateKey));
  const keyHint = hint ?? computeKeyHint(publicKeyPem);
  const material = { $case: 'publicKey', publicKey: publicKeyPem, hint: keyHint } as const;
  const signer: LocalKeySigner = {
    publicKeyPem,
    hint: keyHint,
    algorithm,
    async sign(data: Buffer): Promise<Signature> {
      const signature =
        algorithm === 'ed25519' ? sign(null, data, privateKey) : sign('sha256', data, privateKey);
      return { signature, key: material };
    },
  };
  if (algorithm === 'ecdsa-p256' || algorithm === 'ecdsa-p384') {
    let scalar: Buffer | undefined;
    return {
      ...signer,
      async signDigest(digest: Buffer): Promise<Signature> {
        if (digest.length !== 32) {
          throw new VouchError('INTERNAL', 'a message digest must be 32 bytes of SHA-256');
        }
        scalar ??= Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
        const { signEcdsaPrehashed } = await import('./ecdsa-prehash.ts');
        const curve = algorithm === 'ecdsa-p256' ? 'P-256' : 'P-384';
        return { signature: signEcdsaPrehashed(curve, scalar, digest), key: material };
      },
    };
  }
  if (algorithm === 'rsa') {
    return {
      ...signer,
      async signDigest(digest: Buffer): Promise<Signature> {
        const signature = privateEncrypt(
          { key: privateKey, padding: constants.RSA_PKCS1_PADDING },
          Buffer.concat([SHA256_DIGEST_INFO, digest]),
        );
        return { signature, key: material };
      },
    };
  }
  return signer;
}
