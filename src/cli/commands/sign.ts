import { resolve } from 'node:path';
import { stringValue, type CommandContext, type CommandSpec } from '../command.ts';

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
    'allow-untrusted-triggers': {
      type: 'boolean',
      description: 'Allow signing in pull_request_target and workflow_run runs.',
    },
  },
  run: runSign,
};
export default command;

async function runSign(ctx: CommandContext): Promise<number> {
  const { signFiles } = await import('../../adapters/sigstore/sign-files.ts');
  const outputDir = stringValue(ctx.values, 'output-dir');
  const signingConfig = stringValue(ctx.values, 'signing-config');
  const passphraseEnv = stringValue(ctx.values, 'passphrase-env');
  const result = await signFiles(
    {
      files: ctx.positionals.map((f) => resolve(ctx.cwd, f)),
      key: stringValue(ctx.values, 'key') ?? '',
      ...(outputDir ? { outputDir: resolve(ctx.cwd, outputDir) } : {}),
      ...(signingConfig ? { signingConfig: resolve(ctx.cwd, signingConfig) } : {}),
      ...(passphraseEnv ? { passphraseEnv } : {}),
      offline: ctx.values['offline'] === true,
      allowUntrustedTriggers: ctx.values['allow-untrusted-triggers'] === true,
    },
    { env: ctx.env, logger: ctx.logger, cwd: ctx.cwd },
  );
  if (ctx.json) {
    ctx.stdout.write(
      `${JSON.stringify({ ok: true, witnesses: result.witnesses, files: result.files })}\n`,
    );
  } else {
    ctx.logger.info(result.witnesses);
    for (const f of result.files) ctx.stdout.write(`${f.bundlePath}\n`);
  }
  return 0;
}
