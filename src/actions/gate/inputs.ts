import type { InputReader } from '../shared/inputs.ts';

export interface Inputs {
  readonly files: string[];
  readonly policy: string;
  readonly exceptions: string;
}

/** The only place this action reads its inputs. */
export function readInputs(reader: InputReader, _env: NodeJS.ProcessEnv): Inputs {
  return {
    files: reader.list('files'),
    policy: reader.string('policy'),
    exceptions: reader.string('exceptions'),
  };
}
