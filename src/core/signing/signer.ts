/**
 * The signing contract: one verb. Every custody mode (keyless via Fulcio, PEM file, PKCS#11 HSM,
 * cloud KMS) implements it; bundle building and witnesses (Rekor, TSA) sit on top of it.
 * Shapes match @sigstore/sign's Signer so implementations plug into its bundle builders.
 */

export type KeyMaterial =
  | { readonly $case: 'x509Certificate'; readonly certificate: string }
  | { readonly $case: 'publicKey'; readonly publicKey: string; readonly hint?: string };

export interface Signature {
  readonly signature: Buffer;
  readonly key: KeyMaterial;
}

export interface Signer {
  /** Signs `data` (the raw bytes; the signer hashes as its key type requires). */
  sign(data: Buffer): Promise<Signature>;
  /**
   * Optional: signs a precomputed SHA-256 digest (the same signature `sign` would give over the
   * bytes that digest came from). KMS and PKCS#11 signers, RSA and ECDSA file keys and the keyless
   * ephemeral key implement it, so files are signed as they stream; Ed25519 cannot (pure EdDSA
   * hashes the whole message itself), and does not sign files at all.
   */
  signDigest?(digest: Buffer, algorithm: 'sha256'): Promise<Signature>;
}

/** What a caller needs to describe a signer in reports, without secrets. */
export interface SignerDescription {
  readonly mode: 'keyless' | 'file' | 'pkcs11' | 'awskms' | 'gcpkms' | 'azurekms' | 'hashivault';
  /** Certificate identity (keyless) or key hint (key-based). */
  readonly identity: string;
}
