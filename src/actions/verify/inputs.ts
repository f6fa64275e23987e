import type { InputReader } from '../shared/inputs.ts';

export interface Inputs {
  readonly files: string[];
}

/** The only place this action reads its inputs. */
export function readInputs(reader: InputReader, _env: NodeJS.ProcessEnv): Inputs {
  return {
    files: reader.list('files'),
  };
}
