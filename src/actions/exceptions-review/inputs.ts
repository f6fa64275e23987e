import type { InputReader } from '../shared/inputs.ts';

export interface Inputs {
  readonly exceptions: string;
  readonly policy: string;
  readonly githubToken: string;
}

/** The only place this action reads its inputs. */
export function readInputs(reader: InputReader, _env: NodeJS.ProcessEnv): Inputs {
  return {
    exceptions: reader.string('exceptions'),
    policy: reader.string('policy'),
    githubToken: reader.secret('github-token'),
  };
}
