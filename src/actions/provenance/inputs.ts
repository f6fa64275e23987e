import type { InputReader } from '../shared/inputs.ts';

export interface Inputs {
  readonly files: string[];
  readonly key: string;
  readonly passphrase: string;
  readonly allowUntrustedTriggers: boolean;
}

/** The only place this action reads its inputs. */
export function readInputs(reader: InputReader, _env: NodeJS.ProcessEnv): Inputs {
  return {
    files: reader.list('files'),
    key: reader.string('key'),
    passphrase: reader.secret('passphrase'),
    allowUntrustedTriggers: reader.boolean('allow-untrusted-triggers'),
  };
}
