/**
 * Key reference → Signer. The one place custody modes are chosen; an unknown scheme is an error.
 * Secrets (passphrases, PINs, tokens) are registered with logger.secret() before anything logs.
 */
import type { Logger } from '../../core/logger.ts';
import { parseKeyReference, type KeyReference } from '../../core/signing/key-ref.ts';
import type { Signer, SignerDescription } from '../../core/signing/signer.ts';
import { VouchError } from '../../errors.ts';
import { isAbsolute, resolve } from 'node:path';

export interface ResolveSignerOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** Base for relative key file paths (default process.cwd()). */
  readonly cwd?: string;
  /** Variable holding the PEM passphrase (default VOUCH_KEY_PASSPHRASE). */
  readonly passphraseEnv?: string;
  /** A passphrase given directly (the action's secret input); wins over the environment. */
  readonly passphrase?: string;
  /** A PKCS#11 PIN given directly (the action's secret input); wins over VOUCH_PKCS11_PIN. */
  readonly pkcs11Pin?: string;
  /** Keyless: an OIDC identity token given directly; otherwise GitHub Actions' token is fetched. */
  readonly oidcToken?: string;
  /** Keyless: the Fulcio URL (default: chosen by the caller's Sigstore instance). */
  readonly fulcioUrl?: string;
  /** Retries for network signers (KMS throttling, Fulcio). Default 3. */
  readonly retry?: number;
  readonly timeout?: number;
  /** Test seam for the OIDC token request and Vault transit. */
  readonly fetch?: typeof fetch;
}

export interface ResolvedSigner {
  readonly signer: Signer;
  readonly description: SignerDescription;
  /** SPKI PEM public key for key-based modes (absent for keyless). */
  readonly publicKeyPem?: string;
  /** Key hint recorded in bundles (key-based modes). */
  readonly hint?: string;
  /** Releases native or network resources (PKCS#11 sessions). Safe to call twice. */
  close(): Promise<void>;
}

function passphraseFrom(options: ResolveSignerOptions): string | undefined {
  const name = options.passphraseEnv ?? 'VOUCH_KEY_PASSPHRASE';
  const value = options.passphrase || options.env[name] || undefined;
  if (value) options.logger.secret(value);
  return value;
}

/** Resolves a key reference to a Signer. */
export async function resolveSigner(
  ref: string,
  options: ResolveSignerOptions,
): Promise<ResolvedSigner> {
  const parsed: KeyReference = parseKeyReference(ref);
  const noop = async (): Promise<void> => {};
  switch (parsed.kind) {
    case 'file': {
      const { loadFileSigner } = await import('./file-signer.ts');
      const path = isAbsolute(parsed.path)
        ? parsed.path
        : resolve(options.cwd ?? process.cwd(), parsed.path);
      const signer = await loadFileSigner(path, passphraseFrom(options));
      return {
        signer,
        description: { mode: 'file', identity: signer.hint },
        publicKeyPem: signer.publicKeyPem,
        hint: signer.hint,
        close: noop,
      };
    }
    case 'keyless': {
      const { createKeylessSigner } = await import('./keyless-signer.ts');
      if (!options.fulcioUrl)
        throw new VouchError('INTERNAL', 'keyless signing needs a Fulcio URL');
      let token = options.oidcToken;
      if (token) options.logger.secret(token);
      const getToken = async (): Promise<string> => {
        if (token) return token;
        const { fetchGithubOidcToken } = await import('../oidc/github-oidc.ts');
        token = await fetchGithubOidcToken({
          env: options.env,
          logger: options.logger,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        });
        return token;
      };
      // Fail early (before any file is read) when the permission is missing.
      await getToken();
      const signer = await createKeylessSigner({
        fulcioUrl: options.fulcioUrl,
        getToken,
        retry: options.retry ?? 3,
        ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      });
      return {
        signer,
        description: { mode: 'keyless', identity: identityFromToken(token ?? '') },
        close: noop,
      };
    }
    case 'pkcs11': {
      const { openPkcs11Signer } = await import('../pkcs11/pkcs11-signer.ts');
      const signer = await openPkcs11Signer(parsed.uri, {
        env: options.env,
        logger: options.logger,
        ...(options.pkcs11Pin ? { pin: options.pkcs11Pin } : {}),
      });
      return {
        signer,
        description: { mode: 'pkcs11', identity: signer.hint },
        publicKeyPem: signer.publicKeyPem,
        hint: signer.hint,
        close: () => signer.close(),
      };
    }
    case 'awskms':
    case 'gcpkms':
    case 'azurekms':
    case 'hashivault': {
      const { openKmsSigner } = await import('../kms/open-kms-signer.ts');
      const signer = await openKmsSigner(parsed, {
        env: options.env,
        logger: options.logger,
        retry: options.retry ?? 3,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
      return {
        signer,
        description: { mode: parsed.kind, identity: signer.hint },
        publicKeyPem: signer.publicKeyPem,
        hint: signer.hint,
        close: noop,
      };
    }
  }
}

/** The subject (email or workflow ref) of a JWT, for descriptions; never the token itself. */
function identityFromToken(token: string): string {
  try {
    const claims = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as Record<string, unknown>;
    const v = claims['job_workflow_ref'] ?? claims['email'] ?? claims['sub'];
    return typeof v === 'string' ? v : 'unknown identity';
  } catch {
    return 'unknown identity';
  }
}
