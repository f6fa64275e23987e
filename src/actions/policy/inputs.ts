import type { InputReader } from '../shared/inputs.ts';

export interface Inputs {
  readonly sbom: string;
  readonly policy: string;
  readonly exceptions: string;
  readonly advisories: string[];
}

/** The only place this action reads its inputs. */
export function readInputs(reader: InputReader, _env: NodeJS.ProcessEnv): Inputs {
  return {
    sbom: reader.string('sbom'),
    policy: reader.string('policy'),
    exceptions: reader.string('exceptions'),
    advisories: reader.list('advisories'),
  };
}
