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
    'trusted-root': {
      type: 'string',
      value: 'FILE',
      description:
        'trusted_root.json (or public-good, github) the bundle must verify against before it is written.',
    },
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
  // The trust material the protocol names is read (and refused if invalid) before any service
  // is asked for anything; the bundle is checked against it before it is written.
  const trustedRoot = stringValue(ctx.values, 'trusted-root');
  const trust = trustedRoot ? await loadSelfCheckTrust(trustedRoot, ctx) : undefined;
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
  if (trust) await selfCheck(bundle, data, file, trust);
  await writeFileAtomic(
    resolve(ctx.cwd, stringValue(ctx.values, 'bundle') ?? ''),
    `${JSON.stringify(bundle)}\n`,
  );
  return 0;
}

async function loadSelfCheckTrust(
  value: string,
  ctx: CommandContext,
): Promise<import('../../adapters/verify/engine.ts').LoadedTrust> {
  const { loadTrustDocument, trustSourceOf } = await import('../../adapters/verify/trust-root.ts');
  const { loadTrust } = await import('../../adapters/verify/engine.ts');
  const source = trustSourceOf(value, false);
  const doc = await loadTrustDocument(
    source.kind === 'file' ? { kind: 'file', path: resolve(ctx.cwd, source.path) } : source,
    { logger: ctx.logger, now: new Date() },
  );
  const trust = loadTrust(doc.doc, doc.source);
  trust.material(); // builds the verification material now: a root that cannot serve is refused here
  return trust;
}

/** The produced bundle must verify against the trusted root the caller named. */
async function selfCheck(
  bundle: unknown,
  data: Buffer,
  file: string,
  trust: import('../../adapters/verify/engine.ts').LoadedTrust,
): Promise<void> {
  const { createHash } = await import('node:crypto');
  const { parseBundle, verifyBundle } = await import('../../adapters/verify/engine.ts');
  const { VouchError } = await import('../../errors.ts');
  try {
    verifyBundle(
      parseBundle(JSON.parse(JSON.stringify(bundle)) as unknown, file),
      { digests: { sha256: createHash('sha256').update(data).digest('hex') }, bytes: data },
      file,
      { trust, keyPolicy: { type: 'certificate' }, now: new Date() },
    );
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'INTERNAL';
    throw new VouchError(
      'SIGN_SELF_CHECK_FAILED',
      `the bundle signed for ${file} does not verify against the trusted root ${trust.source} (${code}: ${(error as Error).message}); it was not written`,
      { cause: error },
    );
  }
}
