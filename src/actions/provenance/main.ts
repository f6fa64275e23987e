import type { ActionDeps } from '../shared/run.ts';
import type { Inputs } from './inputs.ts';

export const OUTPUTS = [
  'bundle-path',
  'attestation-id',
  'attestation-url',
  'subject-count',
] as const;

export async function run(inputs: Inputs, deps: ActionDeps): Promise<void> {
  const { runAttestJob } = await import('../../adapters/attest/run-job.ts');
  await runAttestJob(
    {
      kind: 'provenance',
      files: inputs.files,
      subjects: inputs.subjects,
      checksums: inputs.checksums,
      key: inputs.key,
      passphrase: inputs.passphrase,
      pkcs11Pin: inputs.pkcs11Pin,
      signingConfig: inputs.signingConfig,
      stores: inputs.store,
      perSubject: inputs.perSubject,
      output: inputs.output,
      githubToken: inputs.githubToken,
      releaseTag: inputs.releaseTag,
      allowUntrustedTriggers: inputs.allowUntrustedTriggers,
    },
    deps,
  );
}
