/**
 * Signs the VSAs `vouch verify --vsa DIR --vsa-key REF` writes: the key reference is resolved by
 * the same code as `vouch attest` (PEM file, pkcs11:, KMS), and each statement becomes a DSSE
 * Sigstore bundle. Signing is offline, through the same signer as the gate's VSAs: no
 * transparency log entry, no timestamp.
 */
import type { Logger } from '../../core/logger.ts';
import { openOfflineSigner } from '../sigstore/offline-signer.ts';

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
  const signer = await openOfflineSigner(
    keyRef,
    {
      env: options.env,
      logger: options.logger,
      cwd: options.cwd,
      ...(options.passphraseEnv ? { passphraseEnv: options.passphraseEnv } : {}),
      ...(options.passphrase ? { passphrase: options.passphrase } : {}),
    },
    {
      message: 'VSAs are signed with a key reference, not keyless',
      hint: 'Give --vsa-key (vsa-key) a PEM file, pkcs11: URI or KMS reference.',
    },
  );
  return {
    identity: signer.identity,
    signStatement: (statement) => signer.signStatement(Buffer.from(JSON.stringify(statement))),
    close: () => signer.close(),
  };
}
