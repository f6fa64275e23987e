import { notImplemented, type CommandSpec } from '../command.ts';

const generate: CommandSpec = {
  name: 'keys generate',
  summary: 'Generate a local key pair, encrypted at rest by default',
  usage:
    'vouch keys generate --private FILE --public FILE [--passphrase-env VAR] [--algorithm ecdsa-p256|ecdsa-p384|ed25519|rsa]',
  examples: [
    'VOUCH_KEY_PASSPHRASE=… vouch keys generate --private release.key --public release.pub',
  ],
  options: {
    private: {
      type: 'string',
      value: 'FILE',
      required: true,
      description: 'Where to write the private key (PEM).',
    },
    public: {
      type: 'string',
      value: 'FILE',
      required: true,
      description: 'Where to write the public key (PEM).',
    },
    'passphrase-env': {
      type: 'string',
      value: 'VAR',
      description: 'Environment variable holding the passphrase (default: VOUCH_KEY_PASSPHRASE).',
    },
    algorithm: {
      type: 'string',
      value: 'ALG',
      description: 'Key algorithm (default: ecdsa-p256).',
    },
    unencrypted: { type: 'boolean', description: 'Write the private key without a passphrase.' },
  },
  run: async () => notImplemented('keys generate'),
};

const publicKey: CommandSpec = {
  name: 'keys public',
  summary: 'Print the public key for a key reference of any kind',
  usage: 'vouch keys public REF',
  examples: ['vouch keys public release.key'],
  positionals: { name: 'REF', min: 1, max: 1 },
  options: {},
  run: async () => notImplemented('keys public'),
};

const trust: CommandSpec = {
  name: 'keys trust',
  summary: 'Emit the public key as a trusted-keys entry with a validity window',
  usage: 'vouch keys trust REF [--valid-from T] [--valid-until T]',
  examples: ['vouch keys trust release.pub --valid-from 2026-01-01T00:00:00Z'],
  positionals: { name: 'REF', min: 1, max: 1 },
  options: {
    'valid-from': {
      type: 'string',
      value: 'T',
      description: 'Start of the validity window (RFC 3339; default: now).',
    },
    'valid-until': {
      type: 'string',
      value: 'T',
      description: 'End of the validity window (RFC 3339; inclusive).',
    },
  },
  run: async () => notImplemented('keys trust'),
};

const command: CommandSpec = {
  name: 'keys',
  summary: 'Generate keys, print public keys, and emit trusted-keys entries',
  usage: 'vouch keys <generate|public|trust> [options]',
  examples: ['vouch keys generate --private release.key --public release.pub'],
  options: {},
  subcommands: { generate, public: publicKey, trust },
};
export default command;
