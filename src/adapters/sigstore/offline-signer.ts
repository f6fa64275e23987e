/**
 * A signer for what vouch signs about its own results (the gate's evidence manifest and VSAs,
 * `vouch verify`'s VSAs): a key reference of any kind but keyless (PEM file, pkcs11:, KMS), opened
 * before any work, signing with no transparency log entry and no timestamp. The Sigstore stack is
 * loaded only when a signer is opened.
 */
import { parseKeyReference } from '../../core/signing/key-ref.ts';
import { VouchError } from '../../errors.ts';
import type { ResolveSignerOptions } from './resolve-signer.ts';

export interface OfflineSigner {
  /** Who signs: the key hint (file, PKCS#11 or KMS key). */
  readonly identity: string;
  /** A Sigstore bundle (JSON) with a message signature over `bytes`. */
  signMessage(bytes: Buffer): Promise<unknown>;
  /** A Sigstore bundle (JSON) with a DSSE envelope over the in-toto statement `bytes`. */
  signStatement(bytes: Buffer): Promise<unknown>;
  close(): Promise<void>;
}

/** What a keyless reference is told: the refusal and the hint naming the flag that took it. */
export interface KeylessRefusal {
  readonly message: string;
  readonly hint: string;
}

/** Opens the key-based signer for `keyRef`; `keyless` is refused with `refusal` (INPUT_INVALID). */
export async function openOfflineSigner(
  keyRef: string,
  options: ResolveSignerOptions,
  refusal: KeylessRefusal,
): Promise<OfflineSigner> {
  if (parseKeyReference(keyRef).kind === 'keyless') {
    throw new VouchError('INPUT_INVALID', refusal.message, { hint: refusal.hint });
  }
  const { resolveSigner, signMessageBundle, signDsseBundle, OFFLINE_WITNESSES } =
    await import('./bundler.ts');
  const resolved = await resolveSigner(keyRef, options);
  return {
    identity: resolved.description.identity,
    signMessage: (bytes) => signMessageBundle(resolved.signer, bytes, OFFLINE_WITNESSES),
    signStatement: (bytes) =>
      signDsseBundle(resolved.signer, bytes, 'application/vnd.in-toto+json', OFFLINE_WITNESSES),
    close: () => resolved.close(),
  };
}
