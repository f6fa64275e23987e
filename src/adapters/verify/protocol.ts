/**
 * The Sigstore conformance CLI protocol (`verify-bundle`): one bundle, one artifact path or
 * digest, an exact identity and issuer or a key, an optional trusted root. Resolves on success,
 * throws the coded error otherwise.
 */
import type { Logger } from '../../core/logger.ts';
import { VouchError } from '../../errors.ts';
import type { LoadedTrust } from './engine.ts';
import { failureOf, verifyArtifacts, type VerifyResult } from './verify-artifacts.ts';

export interface VerifyBundleArgs {
  readonly bundle: string;
  readonly artifact: string;
  readonly identity?: string | undefined;
  readonly issuer?: string | undefined;
  readonly key?: string | undefined;
  readonly trustedRoot?: string | undefined;
  /** Skip the fast path (the careful path alone; same verdicts). */
  readonly careful?: boolean;
}

export async function verifyBundleProtocol(
  args: VerifyBundleArgs,
  deps: {
    readonly cwd: string;
    readonly logger: Logger;
    readonly trust?: LoadedTrust;
    readonly now?: Date;
  },
): Promise<VerifyResult> {
  const identityGiven = args.identity !== undefined || args.issuer !== undefined;
  if (identityGiven && (args.identity === undefined || args.issuer === undefined)) {
    throw new VouchError(
      'VERIFY_POLICY_CONFLICT',
      '--certificate-identity and --certificate-oidc-issuer go together',
      {
        hint: `Add ${args.identity === undefined ? '--certificate-identity ID' : '--certificate-oidc-issuer URL'}: an identity is matched with its issuer.`,
      },
    );
  }
  const result = await verifyArtifacts(
    {
      artifacts: [args.artifact],
      // The conformance protocol verifies the bundle, not what a provenance inside it claims.
      sigstoreOnly: true,
      ...(args.careful ? { careful: true } : {}),
      bundles: [args.bundle],
      ...(args.trustedRoot ? { trust: { kind: 'file', path: args.trustedRoot } } : {}),
      ...(args.key ? { key: args.key } : {}),
      ...(identityGiven ? { identity: { identity: args.identity!, issuer: args.issuer! } } : {}),
    },
    deps,
  );
  const failure = failureOf(result);
  if (failure) throw failure;
  return result;
}
