/**
 * ECDSA over a digest computed elsewhere (a file hashed as it streams). Node's crypto signs only
 * bytes it hashes itself, so a large file would have to be held in memory; @noble/curves
 * (audited, constant-time arithmetic) signs the digest with the key's private scalar instead.
 * The signature is the same kind Node would give over the bytes: DER, verifiable with
 * `openssl dgst -sha256 -verify` over the file and by every Sigstore client.
 */
import { p256, p384 } from '@noble/curves/nist.js';

export type PrehashCurve = 'P-256' | 'P-384';

/**
 * Signs `digest` (SHA-256 of the message) with the private scalar `d` (big-endian bytes, as a
 * JWK's `d`). Nonces are RFC 6979 deterministic with extra randomness mixed in (hedged).
 */
export function signEcdsaPrehashed(curve: PrehashCurve, d: Uint8Array, digest: Uint8Array): Buffer {
  const ecdsa = curve === 'P-256' ? p256 : p384;
  return Buffer.from(ecdsa.sign(digest, d, { prehash: false, format: 'der', extraEntropy: true }));
}
