/**
 * What `vouch attest` and `vouch provenance` do once their flags are parsed. Loaded only when one
 * of them runs (the Sigstore stack stays out of help).
 */
import {
  assertStored,
  createAttestation,
  createProvenance,
  type AttestResult,
  type PredicateSource,
} from '../../adapters/attest/attest.ts';
import { toReport } from '../../adapters/attest/report.ts';
import { openStatementSigner } from '../../adapters/attest/signing.ts';
import { githubTargetFromEnv } from '../../adapters/attest/store-github.ts';
import { registryOptionsFromEnv } from '../../adapters/attest/store-oci.ts';
import { VouchError } from '../../errors.ts';
import { listValue, stringValue, type CommandContext } from '../command.ts';

export async function runAttestCommand(
  ctx: CommandContext,
  name: 'attest' | 'provenance',
): Promise<number> {
  const { values, env, logger, cwd } = ctx;
  const key = stringValue(values, 'key')!;
  const subjects = ctx.positionals;
  const checksums = listValue(values, 'checksums');
  if (subjects.length === 0 && checksums.length === 0) {
    throw new VouchError(
      'SUBJECT_NONE',
      `\`vouch ${name}\` needs subjects: files, globs, NAME@sha256:HEX or --checksums FILE`,
    );
  }
  let predicate: PredicateSource | undefined;
  if (name === 'attest') {
    predicate = {
      kind: 'file',
      path: stringValue(values, 'predicate')!,
      type: stringValue(values, 'predicate-type')!,
    };
  }
  const token = env['GITHUB_TOKEN'] || env['GH_TOKEN'] || '';
  if (token) logger.secret(token);
  const releaseTag = stringValue(values, 'release-tag');
  const opened = await openStatementSigner({
    key,
    env,
    logger,
    cwd,
    offline: values['offline'] === true,
    ...(stringValue(values, 'signing-config')
      ? { signingConfig: stringValue(values, 'signing-config')! }
      : {}),
    ...(stringValue(values, 'passphrase-env')
      ? { passphraseEnv: stringValue(values, 'passphrase-env')! }
      : {}),
    allowUntrustedTriggers: values['allow-untrusted-triggers'] === true,
  });
  let result: AttestResult;
  try {
    const common = {
      workspace: cwd,
      subjects,
      checksums,
      perSubject: values['per-subject'] === true,
      ...(stringValue(values, 'output') ? { output: stringValue(values, 'output')! } : {}),
      stores: listValue(values, 'store'),
    };
    const deps = {
      signer: opened.signer,
      logger,
      env,
      ...(opened.claims ? { claims: opened.claims } : {}),
      github: githubTargetFromEnv(env, token, releaseTag),
      registry: registryOptionsFromEnv(env, token),
    };
    result =
      name === 'attest'
        ? await createAttestation({ ...common, predicate: predicate! }, deps)
        : await createProvenance(common, deps);
  } finally {
    await opened.close();
  }
  const report = toReport(result);
  if (ctx.json) {
    // On a failed store the error (which names what was stored) is the one JSON line printed.
    if (report.ok) ctx.stdout.write(`${JSON.stringify({ ok: true, result: report })}\n`);
  } else {
    logger.info(
      `${name === 'provenance' ? 'provenance' : 'attestation'} (${result.predicateType}) for ${result.subjects.length} subject(s), signed by ${opened.description.mode} ${opened.description.identity}`,
    );
    for (const o of report.stores) {
      if (o.ok) ctx.stdout.write(`${o.store}: ${o.location}\n`);
    }
  }
  assertStored(result);
  return 0;
}
