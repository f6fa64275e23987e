import { notImplemented, type CommandSpec } from '../command.ts';

const command: CommandSpec = {
  name: 'sign',
  summary: 'Sign release files into Sigstore bundles (keyless, KMS, PKCS#11 or a key file)',
  usage: 'vouch sign --key REF [--passphrase-env VAR] [--output-dir DIR] FILE...',
  description:
    'REF is a PEM private key path, a pkcs11: URI, awskms://, gcpkms://, azurekms:// or hashivault:// reference, or `keyless`.',
  examples: [
    'vouch sign --key release.key dist/app.tgz',
    'vouch sign --key "pkcs11:token=release;object=signing?module-path=/usr/lib/softhsm/libsofthsm2.so" dist/*',
  ],
  positionals: { name: 'FILE...', min: 1 },
  options: {
    key: {
      type: 'string',
      value: 'REF',
      required: true,
      description: 'Key reference or `keyless`.',
    },
    'passphrase-env': {
      type: 'string',
      value: 'VAR',
      description:
        'Environment variable holding the key passphrase (default: VOUCH_KEY_PASSPHRASE).',
    },
    'output-dir': {
      type: 'string',
      value: 'DIR',
      description: 'Write bundles here instead of beside each file.',
    },
    'signing-config': {
      type: 'string',
      value: 'FILE',
      description: 'Sigstore signing config naming Fulcio, Rekor and TSA URLs.',
    },
    offline: {
      type: 'boolean',
      description: 'Key-based signing with no transparency log or timestamp witness.',
    },
  },
  run: async () => notImplemented('sign'),
};
export default command;
