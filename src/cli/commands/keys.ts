import { resolve } from 'node:path';
import { VouchError } from '../../errors.ts';
import { stringValue, type CommandContext, type CommandSpec } from '../command.ts';

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
  run: runGenerate,
};

const publicKey: CommandSpec = {
  name: 'keys public',
  summary: 'Print the public key for a key reference of any kind',
  usage: 'vouch keys public REF',
  examples: ['vouch keys public release.key'],
  positionals: { name: 'REF', min: 1, max: 1 },
  options: {
    'passphrase-env': {
      type: 'string',
      value: 'VAR',
      description:
        'Environment variable holding the key passphrase (default: VOUCH_KEY_PASSPHRASE).',
    },
  },
  run: runPublic,
};

const trust: CommandSpec = {
  name: 'keys trust',
  summary: 'Emit the public key as a trusted-keys entry with a validity window',
  usage: 'vouch keys trust REF [--valid-from T] [--valid-until T] [--comment TEXT] [--output FILE]',
  description:
    'Without --output, prints the entry; --output FILE writes a complete trusted-keys file for --trusted-keys (creating it, or appending to it).',
  examples: [
    'vouch keys trust release.pub --valid-from 2026-01-01T00:00:00Z --output trusted-keys.json',
    'vouch verify --trusted-keys trusted-keys.json --bundle app.tgz.sigstore.json app.tgz',
  ],
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
    comment: { type: 'string', value: 'TEXT', description: 'A note kept with the entry.' },
    output: {
      type: 'string',
      value: 'FILE',
      description:
        'Add the entry to this trusted-keys file (created when missing; a key it lists already is refused).',
    },
    'passphrase-env': {
      type: 'string',
      value: 'VAR',
      description:
        'Environment variable holding the key passphrase (default: VOUCH_KEY_PASSPHRASE).',
    },
  },
  run: runTrust,
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

async function runGenerate(ctx: CommandContext): Promise<number> {
  const { generateKeyFiles } = await import('../../adapters/sigstore/key-tools.ts');
  const unencrypted = ctx.values['unencrypted'] === true;
  const envName = stringValue(ctx.values, 'passphrase-env') ?? 'VOUCH_KEY_PASSPHRASE';
  const passphrase = unencrypted ? undefined : ctx.env[envName];
  if (!unencrypted && !passphrase) {
    throw new VouchError(
      'SIGN_PASSPHRASE_MISSING',
      `no passphrase in ${envName} to encrypt the private key with`,
      {
        hint: `Set ${envName} (or pass --passphrase-env VAR); --unencrypted writes the key without one.`,
      },
    );
  }
  if (passphrase) ctx.logger.secret(passphrase);
  const privatePath = resolve(ctx.cwd, stringValue(ctx.values, 'private') ?? '');
  const publicPath = resolve(ctx.cwd, stringValue(ctx.values, 'public') ?? '');
  const { hint } = await generateKeyFiles({
    privatePath,
    publicPath,
    algorithm: stringValue(ctx.values, 'algorithm') ?? 'ecdsa-p256',
    ...(passphrase ? { passphrase } : {}),
  });
  if (unencrypted) ctx.logger.warn(`${privatePath} is not encrypted: keep it in a secret store`);
  if (ctx.json) {
    ctx.stdout.write(
      `${JSON.stringify({ ok: true, private: privatePath, public: publicPath, keyId: hint, encrypted: !unencrypted })}\n`,
    );
  } else {
    ctx.logger.info(
      `wrote ${privatePath} (${unencrypted ? 'unencrypted' : 'encrypted'}) and ${publicPath}`,
    );
    ctx.stdout.write(`${hint}\n`);
  }
  return 0;
}

function keyOptions(ctx: CommandContext) {
  const passphraseEnv = stringValue(ctx.values, 'passphrase-env');
  return {
    env: ctx.env,
    logger: ctx.logger,
    cwd: ctx.cwd,
    ...(passphraseEnv ? { passphraseEnv } : {}),
  };
}

async function runPublic(ctx: CommandContext): Promise<number> {
  const { readPublicKey } = await import('../../adapters/sigstore/key-tools.ts');
  const pem = await readPublicKey(ctx.positionals[0] ?? '', keyOptions(ctx));
  if (ctx.json) {
    const { computeKeyHint } = await import('../../core/signing/key-signer.ts');
    ctx.stdout.write(
      `${JSON.stringify({ ok: true, keyId: computeKeyHint(pem), publicKey: pem })}\n`,
    );
  } else {
    ctx.stdout.write(pem);
  }
  return 0;
}

function timeFlag(ctx: CommandContext, name: string): Date | undefined {
  const value = stringValue(ctx.values, name);
  if (value === undefined) return undefined;
  const t = new Date(value);
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
    Number.isNaN(t.getTime())
  ) {
    throw new VouchError('USAGE_INVALID_VALUE', `--${name} "${value}" is not an RFC 3339 time`, {
      hint: 'Example: 2026-01-31T00:00:00Z',
    });
  }
  return t;
}

async function runTrust(ctx: CommandContext): Promise<number> {
  const { readPublicKey } = await import('../../adapters/sigstore/key-tools.ts');
  const { buildTrustedKeyEntry } = await import('../../core/signing/trusted-keys.ts');
  const pem = await readPublicKey(ctx.positionals[0] ?? '', keyOptions(ctx));
  const validFrom = timeFlag(ctx, 'valid-from') ?? new Date(Math.floor(Date.now() / 1000) * 1000);
  const validUntil = timeFlag(ctx, 'valid-until');
  const comment = stringValue(ctx.values, 'comment');
  const entry = buildTrustedKeyEntry(pem, {
    validFrom,
    ...(validUntil ? { validUntil } : {}),
    ...(comment ? { comment } : {}),
  });
  const output = stringValue(ctx.values, 'output');
  if (output === undefined) {
    ctx.stdout.write(`${JSON.stringify(entry, null, 2)}\n`);
    return 0;
  }
  const path = resolve(ctx.cwd, output);
  const created = await addToTrustedKeysFile(path, output, entry);
  if (ctx.json) {
    ctx.stdout.write(
      `${JSON.stringify({ ok: true, keyId: entry['keyId'], output: path, created })}\n`,
    );
  } else {
    ctx.logger.info(`${created ? 'created' : 'added the key to'} ${path}`);
    ctx.stdout.write(`${entry['keyId']}\n`);
  }
  return 0;
}

/** Adds the entry to the trusted-keys file at `path` (atomically: temp file, then rename). */
async function addToTrustedKeysFile(
  path: string,
  source: string,
  entry: Record<string, string>,
): Promise<boolean> {
  const { readFile } = await import('node:fs/promises');
  const { addTrustedKeyEntry } = await import('../../core/signing/trusted-keys.ts');
  const { writeFileAtomic } = await import('../../adapters/fs/atomic-write.ts');
  const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new VouchError('FILE_UNREADABLE', `cannot read ${source}: ${error.message}`, {
      cause: error,
    });
  });
  await writeFileAtomic(path, addTrustedKeyEntry(existing, entry, source));
  return existing === undefined;
}
