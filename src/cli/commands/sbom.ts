import { notImplemented, type CommandSpec } from '../command.ts';

const command: CommandSpec = {
  name: 'sbom',
  summary: 'Generate a CycloneDX or SPDX SBOM from lockfiles (npm, pnpm, yarn, Cargo)',
  usage:
    'vouch sbom [DIR] [--format cyclonedx|spdx] [--spec-version 1.6|1.5] [--omit dev|optional]... [--file GLOB]... [--reproducible] [--output FILE]',
  examples: [
    'vouch sbom . --format cyclonedx --file "dist/*.tgz" --reproducible --output sbom.cdx.json',
  ],
  positionals: { name: 'DIR', min: 0, max: 1 },
  options: {
    format: {
      type: 'string',
      value: 'cyclonedx|spdx',
      description: 'Output format (default: cyclonedx).',
    },
    'spec-version': {
      type: 'string',
      value: '1.6|1.5',
      description: 'CycloneDX spec version (default: 1.6).',
    },
    lockfile: {
      type: 'string',
      value: 'FILE',
      description: 'Use this lockfile instead of detecting one.',
    },
    omit: {
      type: 'string',
      multiple: true,
      value: 'dev|optional',
      description: 'Leave out dev or optional dependencies.',
    },
    file: {
      type: 'string',
      multiple: true,
      value: 'GLOB',
      description: 'Add release files as components with hashes.',
    },
    reproducible: {
      type: 'boolean',
      description: 'Byte-identical output (also on with SOURCE_DATE_EPOCH).',
    },
    output: {
      type: 'string',
      short: 'o',
      value: 'FILE',
      description: 'Write here instead of standard output.',
    },
  },
  run: async () => notImplemented('sbom'),
};
export default command;
