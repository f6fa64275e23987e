import { notImplemented, type CommandSpec } from '../command.ts';

const command: CommandSpec = {
  name: 'verify-bundle',
  summary: 'Sigstore conformance protocol: verify one bundle (exit 0 only when verified)',
  usage:
    'vouch verify-bundle --bundle FILE (--certificate-identity ID --certificate-oidc-issuer URL | --key PEMFILE) [--trusted-root FILE] ARTIFACT_PATH_OR_DIGEST',
  examples: ['vouch verify-bundle --bundle a.txt.sigstore.json --key key.pub a.txt'],
  positionals: { name: 'ARTIFACT_PATH_OR_DIGEST', min: 1, max: 1 },
  options: {
    bundle: { type: 'string', value: 'FILE', required: true, description: 'Bundle file.' },
    'certificate-identity': { type: 'string', value: 'ID', description: 'Exact signer identity.' },
    'certificate-oidc-issuer': { type: 'string', value: 'URL', description: 'Exact OIDC issuer.' },
    key: { type: 'string', value: 'PEMFILE', description: 'Public key for key-signed bundles.' },
    'trusted-root': { type: 'string', value: 'FILE', description: 'trusted_root.json.' },
  },
  run: async () => notImplemented('verify-bundle'),
};
export default command;
