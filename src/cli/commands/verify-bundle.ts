import { stringValue, type CommandSpec } from '../command.ts';

const command: CommandSpec = {
  name: 'verify-bundle',
  summary: 'Sigstore conformance protocol: verify one bundle (exit 0 only when verified)',
  usage:
    'vouch verify-bundle --bundle FILE (--certificate-identity ID --certificate-oidc-issuer URL | --key PEMFILE) [--trusted-root FILE] ARTIFACT_PATH_OR_DIGEST',
  description:
    'ARTIFACT_PATH_OR_DIGEST is a digest only when it reads sha256: plus 64 hex digits and is not an existing path. The identity and the issuer are matched exactly. Without --trusted-root, the shipped Sigstore public-good root is used.',
  examples: ['vouch verify-bundle --bundle a.txt.sigstore.json --key key.pub a.txt'],
  positionals: { name: 'ARTIFACT_PATH_OR_DIGEST', min: 1, max: 1 },
  options: {
    bundle: { type: 'string', value: 'FILE', required: true, description: 'Bundle file.' },
    'certificate-identity': { type: 'string', value: 'ID', description: 'Exact signer identity.' },
    'certificate-oidc-issuer': { type: 'string', value: 'URL', description: 'Exact OIDC issuer.' },
    key: { type: 'string', value: 'PEMFILE', description: 'Public key for key-signed bundles.' },
    'trusted-root': { type: 'string', value: 'FILE', description: 'trusted_root.json.' },
  },
  run: async (ctx) => {
    const { verifyBundleProtocol } = await import('../../adapters/verify/protocol.ts');
    await verifyBundleProtocol(
      {
        bundle: stringValue(ctx.values, 'bundle')!,
        artifact: ctx.positionals[0]!,
        identity: stringValue(ctx.values, 'certificate-identity'),
        issuer: stringValue(ctx.values, 'certificate-oidc-issuer'),
        key: stringValue(ctx.values, 'key'),
        trustedRoot: stringValue(ctx.values, 'trusted-root'),
      },
      { cwd: ctx.cwd, logger: ctx.logger },
    );
    if (!ctx.json) ctx.stdout.write('verified\n');
    return 0;
  },
};
export default command;
