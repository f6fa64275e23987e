import type { InputReader } from '../shared/inputs.ts';

export interface Inputs {
  readonly path: string;
  readonly files: string[];
  readonly outputDir: string;
}

/** The only place this action reads its inputs. */
export function readInputs(reader: InputReader, _env: NodeJS.ProcessEnv): Inputs {
  return {
    path: reader.string('path'),
    files: reader.list('files'),
    outputDir: reader.string('output-dir'),
  };
}
