import { notImplemented, type CommandSpec } from '../command.ts';

const command: CommandSpec = {
  name: 'sign-bundle',
  summary: 'Sigstore conformance protocol: sign one file into a bundle',
  usage:
    'vouch sign-bundle [--in-toto] --identity-token TOKEN --bundle OUT [--trusted-root FILE] [--signing-config FILE] FILE',
  examples: [
    'vouch sign-bundle --identity-token "$TOKEN" --bundle out.sigstore.json --signing-config signing_config.json a.txt',
  ],
  positionals: { name: 'FILE', min: 1, max: 1 },
  options: {
    'in-toto': { type: 'boolean', description: 'FILE is an in-toto statement to sign as DSSE.' },
    'identity-token': {
      type: 'string',
      value: 'TOKEN',
      required: true,
      description: 'OIDC identity token.',
    },
    bundle: {
      type: 'string',
      value: 'OUT',
      required: true,
      description: 'Where to write the bundle.',
    },
    'trusted-root': { type: 'string', value: 'FILE', description: 'trusted_root.json.' },
    'signing-config': { type: 'string', value: 'FILE', description: 'Sigstore signing config.' },
  },
  run: async () => notImplemented('sign-bundle'),
};
export default command;
