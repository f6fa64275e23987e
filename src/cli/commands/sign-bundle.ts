import { resolve } from 'node:path';
import { stringValue, type CommandContext, type CommandSpec } from '../command.ts';

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
  run: runSignBundle,
};
export default command;

async function runSignBundle(ctx: CommandContext): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const { VouchError } = await import('../../errors.ts');
  const { signDsseBundle, signMessageBundle, resolveSigner } =
    await import('../../adapters/sigstore/bundler.ts');
  const { chooseInstance } = await import('../../adapters/sigstore/sign-files.ts');
  const { PUBLIC_GOOD_INSTANCE } = await import('../../core/signing/witness-config.ts');
  const { writeFileAtomic } = await import('../../adapters/fs/atomic-write.ts');
  const token = stringValue(ctx.values, 'identity-token') ?? '';
  ctx.logger.secret(token);
  const signingConfig = stringValue(ctx.values, 'signing-config');
  const instance = signingConfig
    ? await chooseInstance(
        { files: [], key: 'keyless', signingConfig: resolve(ctx.cwd, signingConfig) },
        { env: ctx.env, logger: ctx.logger, cwd: ctx.cwd },
        true,
      )
    : {
        ...PUBLIC_GOOD_INSTANCE,
        witnesses: {
          ...PUBLIC_GOOD_INSTANCE.witnesses,
          tsa: { url: 'https://timestamp.sigstore.dev/api/v1/timestamp' },
        },
      };
  const file = resolve(ctx.cwd, ctx.positionals[0] ?? '');
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    throw new VouchError('FILE_UNREADABLE', `cannot read ${file}`, { cause: error });
  }
  const resolved = await resolveSigner('keyless', {
    env: ctx.env,
    logger: ctx.logger,
    oidcToken: token,
    ...(instance.fulcioUrl ? { fulcioUrl: instance.fulcioUrl } : {}),
  });
  const bundle = ctx.values['in-toto']
    ? await signDsseBundle(
        resolved.signer,
        data,
        'application/vnd.in-toto+json',
        instance.witnesses,
      )
    : await signMessageBundle(resolved.signer, data, instance.witnesses);
  await writeFileAtomic(
    resolve(ctx.cwd, stringValue(ctx.values, 'bundle') ?? ''),
    `${JSON.stringify(bundle)}\n`,
  );
  return 0;
}
