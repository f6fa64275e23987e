import { notImplemented, type CommandSpec } from '../command.ts';

const command: CommandSpec = {
  name: 'gate',
  summary: 'Decide whether a release may ship, and write the evidence bundle',
  usage:
    'vouch gate --files GLOB... --policy FILE [--exceptions FILE] [--key PUBFILE | identity flags] [--evidence DIR]',
  examples: [
    'vouch gate --files "dist/*.tgz" --key release.pub --policy .vouch/policy.yml --exceptions .vouch/exceptions.yml',
  ],
  options: {
    files: {
      type: 'string',
      multiple: true,
      value: 'GLOB',
      required: true,
      description: 'Release files.',
    },
    policy: { type: 'string', value: 'FILE', required: true, description: 'Policy file (YAML).' },
    exceptions: { type: 'string', value: 'FILE', description: 'Exceptions file (YAML).' },
    key: { type: 'string', value: 'PUBFILE', description: 'Public key for key-signed bundles.' },
    evidence: {
      type: 'string',
      value: 'DIR',
      description: 'Evidence directory (default: evidence/).',
    },
  },
  run: async () => notImplemented('gate'),
};
export default command;
