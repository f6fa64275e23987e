import { notImplemented, type CommandSpec } from '../command.ts';

const validate: CommandSpec = {
  name: 'exceptions validate',
  summary: 'Check an exceptions file against its schema and the remediation windows',
  usage: 'vouch exceptions validate FILE [--policy FILE]',
  examples: ['vouch exceptions validate .vouch/exceptions.yml --policy .vouch/policy.yml'],
  positionals: { name: 'FILE', min: 1, max: 1 },
  options: {
    policy: {
      type: 'string',
      value: 'FILE',
      description: 'Policy file (for the remediation windows).',
    },
  },
  run: async () => notImplemented('exceptions validate'),
};

const add: CommandSpec = {
  name: 'exceptions add',
  summary: 'Add a well-formed exception, expiry computed from the severity window',
  usage:
    'vouch exceptions add FILE --id ID --package PURL --reason TEXT --owner OWNER [--severity S] [--versions RANGE]',
  examples: [
    'vouch exceptions add .vouch/exceptions.yml --id GHSA-xvch-5gv4-984h --package pkg:npm/minimist --severity high --reason "build-time only" --owner @acme/web',
  ],
  positionals: { name: 'FILE', min: 1, max: 1 },
  options: {
    id: {
      type: 'string',
      value: 'ID',
      required: true,
      description: 'Advisory id, license:ID or ban:NAME.',
    },
    package: {
      type: 'string',
      value: 'PURL',
      required: true,
      description: 'Package URL without version.',
    },
    versions: {
      type: 'string',
      value: 'RANGE',
      description: 'Version range (default: every version).',
    },
    reason: {
      type: 'string',
      value: 'TEXT',
      required: true,
      description: 'Why the finding is acceptable.',
    },
    owner: {
      type: 'string',
      value: 'OWNER',
      required: true,
      description: 'Who owns the follow-up.',
    },
    severity: {
      type: 'string',
      value: 'S',
      description: 'critical|high|medium|low (sets the expiry window).',
    },
    policy: {
      type: 'string',
      value: 'FILE',
      description: 'Policy file (for the remediation windows).',
    },
    now: { type: 'string', value: 'ISO_DATE', description: 'Creation date (default: today, UTC).' },
  },
  run: async () => notImplemented('exceptions add'),
};

const list: CommandSpec = {
  name: 'exceptions list',
  summary: 'List exceptions, optionally only those expiring soon',
  usage: 'vouch exceptions list FILE [--expiring 14d] [--now ISO_DATE]',
  examples: ['vouch exceptions list .vouch/exceptions.yml --expiring 14d'],
  positionals: { name: 'FILE', min: 1, max: 1 },
  options: {
    expiring: {
      type: 'string',
      value: 'DURATION',
      description: 'Only exceptions expiring within this many days (e.g. 14d).',
    },
    now: { type: 'string', value: 'ISO_DATE', description: 'Evaluate as of this date.' },
  },
  run: async () => notImplemented('exceptions list'),
};

const command: CommandSpec = {
  name: 'exceptions',
  summary: 'Validate, add and list policy exceptions',
  usage: 'vouch exceptions <validate|add|list> [options]',
  examples: ['vouch exceptions list .vouch/exceptions.yml --expiring 14d'],
  options: {},
  subcommands: { validate, add, list },
};
export default command;
