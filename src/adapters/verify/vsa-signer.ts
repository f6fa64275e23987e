/**
 * Signs the VSAs `vouch verify --vsa DIR --vsa-key REF` writes: the key reference is resolved by
 * the same code as `vouch attest` (PEM file, pkcs11:, KMS), and each statement becomes a DSSE
 * Sigstore bundle. Signing is offline, as the gate signs its VSAs: no transparency log entry, no
 * timestamp.
 */
import type { Logger } from '../../core/logger.ts';
import { parseKeyReference } from '../../core/signing/key-ref.ts';
import { VouchError } from '../../errors.ts';

export const VSA_BUNDLE_SUFFIX = '.vsa.sigstore.json';

export interface VsaSigner {
  /** Who signs: the key hint (file, PKCS#11 or KMS key). */
  readonly identity: string;
  /** A Sigstore bundle (JSON) with a DSSE envelope over the in-toto statement. */
  signStatement(statement: unknown): Promise<unknown>;
  close(): Promise<void>;
}

export interface VsaSignerOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly cwd: string;
  /** Variable holding the PEM passphrase (default VOUCH_KEY_PASSPHRASE). */
  readonly passphraseEnv?: string;
  /** A passphrase given directly (the action's secret input). */
  readonly passphrase?: string;
}

/** Opens the signer before anything is verified or written: a bad key reference stops the run. */
export async function openVsaSigner(keyRef: string, options: VsaSignerOptions): Promise<VsaSigner> {
  if (parseKeyReference(keyRef).kind === 'keyless') {
    throw new VouchError('INPUT_INVALID', 'VSAs are signed with a key reference, not keyless', {
      hint: 'Give --vsa-key (vsa-key) a PEM file, pkcs11: URI or KMS reference.',
    });
  }
  const { resolveSigner, signDsseBundle, OFFLINE_WITNESSES } =
    await import('../sigstore/bundler.ts');
  const resolved = await resolveSigner(keyRef, {
    env: options.env,
    logger: options.logger,
    cwd: options.cwd,
    ...(options.passphraseEnv ? { passphraseEnv: options.passphraseEnv } : {}),
    ...(options.passphrase ? { passphrase: options.passphrase } : {}),
  });
  return {
    identity: resolved.description.identity,
    signStatement: (statement) =>
      signDsseBundle(
        resolved.signer,
        Buffer.from(JSON.stringify(statement)),
        'application/vnd.in-toto+json',
        OFFLINE_WITNESSES,
      ),
    close: () => resolved.close(),
  };
}
