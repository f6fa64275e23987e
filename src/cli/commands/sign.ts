import { lstat, realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { VouchError } from '../../errors.ts';
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

/**
 * The files to sign, as absolute paths: each must stay inside the workspace (the current
 * directory), as attest and provenance subjects and the sign action's files do. An absolute path
 * under it is fine; one elsewhere, a `..` that leaves it, or a symlink (the file or a directory on
 * the way) pointing outside is refused with PATH_OUTSIDE_WORKSPACE.
 */
async function confineFiles(paths: readonly string[], cwd: string): Promise<string[]> {
  const { confinedRealPath, isInside } = await import('../../adapters/fs/workspace-glob.ts');
  const workspace = resolve(cwd);
  const root = await realpath(workspace);
  const out: string[] = [];
  for (const path of paths) {
    const abs = resolve(workspace, path);
    if (!isInside(workspace, abs) && !isInside(root, abs)) {
      throw new VouchError(
        'PATH_OUTSIDE_WORKSPACE',
        `file "${path}" is outside the workspace ${workspace} (the current directory)`,
        {
          hint: 'Run vouch sign from a directory that contains the files (the key may be anywhere).',
        },
      );
    }
    if (!(await lstat(abs).catch(() => undefined))) {
      throw new VouchError('FILE_UNREADABLE', `cannot read ${path}: no such file`);
    }
    await confinedRealPath(root, abs, `file "${path}"`);
    out.push(abs);
  }
  return out;
}

async function runSign(ctx: CommandContext): Promise<number> {
  const { signFiles } = await import('../../adapters/sigstore/sign-files.ts');
  const outputDir = stringValue(ctx.values, 'output-dir');
  const signingConfig = stringValue(ctx.values, 'signing-config');
  const passphraseEnv = stringValue(ctx.values, 'passphrase-env');
  const files = await confineFiles(ctx.positionals, ctx.cwd);
  const result = await signFiles(
    {
      files,
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
