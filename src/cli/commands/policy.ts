import { notImplemented, type CommandSpec } from '../command.ts';

const command: CommandSpec = {
  name: 'policy',
  summary: 'Check an SBOM against license, vulnerability and ban rules, minus approved exceptions',
  usage:
    'vouch policy --sbom FILE --policy FILE [--exceptions FILE] [--advisories DIR_OR_ZIP]... [--format text|json|sarif|markdown] [--output FILE] [--now ISO_DATE]',
  examples: [
    'vouch policy --sbom sbom.cdx.json --policy .vouch/policy.yml --exceptions .vouch/exceptions.yml --advisories osv/',
  ],
  options: {
    sbom: {
      type: 'string',
      value: 'FILE',
      required: true,
      description: 'SBOM (CycloneDX 1.4–1.6 or SPDX 2.2/2.3 JSON).',
    },
    policy: { type: 'string', value: 'FILE', required: true, description: 'Policy file (YAML).' },
    exceptions: { type: 'string', value: 'FILE', description: 'Exceptions file (YAML).' },
    advisories: {
      type: 'string',
      multiple: true,
      value: 'DIR_OR_ZIP',
      description: 'OSV advisories: a directory or zip of OSV JSON.',
    },
    format: {
      type: 'string',
      value: 'text|json|sarif|markdown',
      description: 'Report format (default: text).',
    },
    output: {
      type: 'string',
      short: 'o',
      value: 'FILE',
      description: 'Write the report here instead of standard output.',
    },
    now: { type: 'string', value: 'ISO_DATE', description: 'Evaluate expiry as of this date.' },
  },
  run: async () => notImplemented('policy'),
};
export default command;
