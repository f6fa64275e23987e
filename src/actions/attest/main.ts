import type { PredicateSource } from '../../adapters/attest/attest.ts';
import { VouchError } from '../../errors.ts';
import type { ActionDeps } from '../shared/run.ts';
import type { Inputs } from './inputs.ts';

export const OUTPUTS = [
  'bundle-path',
  'attestation-id',
  'attestation-url',
  'subject-count',
] as const;

/** Which predicate the inputs ask for: an SBOM (`sbom`) or a custom one (`predicate` + `predicate-type`). */
export function predicateFrom(inputs: Inputs): PredicateSource {
  if (inputs.sbom && inputs.predicate) {
    throw new VouchError('INPUT_INVALID', 'set either `sbom` or `predicate`, not both');
  }
  if (inputs.sbom) {
    return inputs.predicateType
      ? { kind: 'file', path: inputs.sbom, type: inputs.predicateType }
      : { kind: 'sbom', path: inputs.sbom };
  }
  if (inputs.predicate) {
    if (!inputs.predicateType) {
      throw new VouchError('INPUT_MISSING', '`predicate` needs `predicate-type` (a URI)');
    }
    return { kind: 'file', path: inputs.predicate, type: inputs.predicateType };
  }
  throw new VouchError(
    'INPUT_MISSING',
    'set `sbom` (an SBOM file), or `predicate` with `predicate-type`',
  );
}

export async function run(inputs: Inputs, deps: ActionDeps): Promise<void> {
  const predicate = predicateFrom(inputs);
  const { runAttestJob } = await import('../../adapters/attest/run-job.ts');
  await runAttestJob(
    {
      kind: 'attest',
      files: inputs.files,
      subjects: inputs.subjects,
      checksums: inputs.checksums,
      predicate,
      sbomInput: inputs.sbom !== '',
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
