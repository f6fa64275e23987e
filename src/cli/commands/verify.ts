import { notImplemented, type CommandSpec } from '../command.ts';

const command: CommandSpec = {
  name: 'verify',
  summary: 'Verify bundles and attestations against trust material and an identity policy',
  usage:
    'vouch verify --bundle FILE (--key PUBFILE | --trusted-keys FILE | --certificate-identity ID --certificate-oidc-issuer URL) [--trusted-root FILE] [--predicate-type URI] [--source-repository R] [--source-ref REF] [--builder-id ID]... [--report FILE] ARTIFACT_OR_DIGEST...',
  examples: [
    'vouch verify --bundle app.tgz.sigstore.json --key release.pub app.tgz',
    'vouch verify --bundle prov.sigstore.json --certificate-identity https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0 --certificate-oidc-issuer https://token.actions.githubusercontent.com app.tgz',
  ],
  positionals: { name: 'ARTIFACT_OR_DIGEST...', min: 1 },
  options: {
    bundle: {
      type: 'string',
      multiple: true,
      value: 'FILE',
      description: 'Bundle file (Sigstore v0.1–v0.3 or npm attestations).',
    },
    key: { type: 'string', value: 'PUBFILE', description: 'Public key for key-signed bundles.' },
    'trusted-keys': {
      type: 'string',
      value: 'FILE',
      description: 'Trusted-keys file with validity windows.',
    },
    'certificate-identity': {
      type: 'string',
      value: 'ID',
      description: 'Exact signer identity (SAN).',
    },
    'certificate-identity-regexp': {
      type: 'string',
      value: 'RE',
      description: 'Anchored pattern for the signer identity.',
    },
    'certificate-oidc-issuer': { type: 'string', value: 'URL', description: 'Exact OIDC issuer.' },
    'trusted-root': {
      type: 'string',
      value: 'FILE',
      description: 'trusted_root.json (default: the shipped Sigstore public-good root).',
    },
    'predicate-type': {
      type: 'string',
      value: 'URI',
      description: 'Required predicate type for attestations.',
    },
    'source-repository': {
      type: 'string',
      value: 'R',
      description: 'Required source repository (owner/name).',
    },
    'source-ref': {
      type: 'string',
      value: 'REF',
      description: 'Required source ref (branch, tag, or semver range on tags).',
    },
    'builder-id': {
      type: 'string',
      multiple: true,
      value: 'ID',
      description: 'Allowed builder id.',
    },
    report: {
      type: 'string',
      value: 'FILE',
      description: 'Write the JSON verification report here.',
    },
  },
  run: async () => notImplemented('verify'),
};
export default command;
