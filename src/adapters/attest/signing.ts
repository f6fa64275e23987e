/**
 * Opens the signer for attestations: a key reference through the sign part's resolveSigner, the
 * witnesses (Rekor, TSA) chosen as GitHub's attest action chooses them or from a signing config,
 * and DSSE bundles through signDsseBundle. Nothing here signs by itself.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Logger } from '../../core/logger.ts';
import { assertTrustedTrigger } from '../../core/signing/trigger.ts';
import {
  OFFLINE_WITNESSES,
  parseSigningConfig,
  type SigstoreInstance,
  type WitnessConfig,
} from '../../core/signing/witness-config.ts';
import type { SignerDescription } from '../../core/signing/signer.ts';
import { VouchError } from '../../errors.ts';
import { decodeJwtClaims, type IdTokenClaims } from '../build-context/read-build-context.ts';
import { defaultSigstoreInstance } from '../sigstore/default-instance.ts';
import type { BundleJson, StatementSigner } from './types.ts';

export interface SignerSetup {
  /** `keyless`, a PEM path, `pkcs11:…`, `awskms://…` and so on. */
  readonly key: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly cwd: string;
  /** Key-based with no transparency log or timestamp. */
  readonly offline?: boolean;
  /** Path of a Sigstore signing config (Fulcio, Rekor, TSA URLs). */
  readonly signingConfig?: string;
  readonly passphrase?: string;
  readonly passphraseEnv?: string;
  readonly pkcs11Pin?: string;
  /** An OIDC token given directly (keyless); otherwise GitHub Actions' token is fetched. */
  readonly oidcToken?: string;
  /** Explicit services (tests, private instances); wins over the signing config. */
  readonly instance?: SigstoreInstance;
  readonly allowUntrustedTriggers?: boolean;
  readonly now?: () => Date;
}

export interface OpenedSigner {
  readonly signer: StatementSigner;
  readonly description: SignerDescription;
  readonly publicKeyPem?: string;
  readonly witnesses: WitnessConfig;
  /** Claims of the OIDC token used for keyless signing (the builder id comes from them). */
  readonly claims?: IdTokenClaims;
  close(): Promise<void>;
}

export async function openStatementSigner(setup: SignerSetup): Promise<OpenedSigner> {
  assertTrustedTrigger(setup.env['GITHUB_EVENT_NAME'], setup.allowUntrustedTriggers === true);
  const keyless = setup.key.trim() === 'keyless';
  if (keyless && setup.offline) {
    throw new VouchError(
      'USAGE_INVALID_VALUE',
      '--offline is for key-based signing; keyless signing needs Fulcio',
    );
  }
  let instance: SigstoreInstance;
  if (setup.instance) instance = setup.instance;
  else if (setup.signingConfig) {
    const path = resolve(setup.cwd, setup.signingConfig);
    const text = await readFile(path, 'utf8').catch(() => {
      throw new VouchError(
        'FILE_UNREADABLE',
        `signing config ${setup.signingConfig} cannot be read`,
      );
    });
    instance = parseSigningConfig(text, setup.signingConfig, (setup.now ?? (() => new Date()))());
  } else {
    instance = await defaultSigstoreInstance(setup.env);
  }
  const witnesses = setup.offline ? OFFLINE_WITNESSES : instance.witnesses;
  let oidcToken = setup.oidcToken;
  if (keyless && !oidcToken) {
    const { fetchGithubOidcToken } = await import('../oidc/github-oidc.ts');
    oidcToken = await fetchGithubOidcToken({ env: setup.env, logger: setup.logger });
  }
  if (oidcToken) setup.logger.secret(oidcToken);
  const { resolveSigner, signDsseBundle } = await import('../sigstore/bundler.ts');
  const resolved = await resolveSigner(setup.key, {
    env: setup.env,
    logger: setup.logger,
    cwd: setup.cwd,
    ...(setup.passphraseEnv ? { passphraseEnv: setup.passphraseEnv } : {}),
    ...(setup.passphrase ? { passphrase: setup.passphrase } : {}),
    ...(setup.pkcs11Pin ? { pkcs11Pin: setup.pkcs11Pin } : {}),
    ...(oidcToken ? { oidcToken } : {}),
    ...(instance.fulcioUrl ? { fulcioUrl: instance.fulcioUrl } : {}),
  });
  const claims = oidcToken ? decodeJwtClaims(oidcToken) : undefined;
  return {
    signer: {
      async signDsse(payload: Buffer, payloadType: string): Promise<BundleJson> {
        return (await signDsseBundle(
          resolved.signer,
          payload,
          payloadType,
          witnesses,
        )) as unknown as BundleJson;
      },
    },
    description: resolved.description,
    ...(resolved.publicKeyPem ? { publicKeyPem: resolved.publicKeyPem } : {}),
    witnesses,
    ...(claims ? { claims } : {}),
    close: () => resolved.close(),
  };
}
