import { VouchError } from '../../errors.ts';
import type { InputReader } from '../shared/inputs.ts';

export interface Inputs {
  readonly sbom: string;
  readonly policy: string;
  readonly exceptions: string;
  readonly advisories: string[];
  readonly warnOnly: boolean;
  readonly outputDir: string;
  readonly githubToken: string;
  readonly prComment: boolean;
  readonly now: string;
}

/** The only place this action reads its inputs: every input first, then validation. */
export function readInputs(reader: InputReader, _env: NodeJS.ProcessEnv): Inputs {
  const inputs: Inputs = {
    sbom: reader.string('sbom'),
    policy: reader.string('policy'),
    exceptions: reader.string('exceptions'),
    advisories: reader.list('advisories'),
    warnOnly: reader.boolean('warn-only'),
    outputDir: reader.string('output-dir'),
    githubToken: reader.secret('github-token'),
    prComment: reader.boolean('pr-comment'),
    now: reader.string('now'),
  };
  if (!inputs.sbom)
    throw new VouchError('INPUT_MISSING', 'input "sbom" is required: the SBOM to check');
  if (!inputs.policy)
    throw new VouchError('INPUT_MISSING', 'input "policy" is required: the policy file');
  return inputs;
}
