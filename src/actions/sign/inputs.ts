import type { InputReader } from '../shared/inputs.ts';

export interface Inputs {
  readonly files: string[];
  readonly key: string;
  readonly passphrase: string;
  readonly pkcs11Pin: string;
  readonly outputDir: string;
  readonly signingConfig: string;
  readonly offline: boolean;
  readonly allowUntrustedTriggers: boolean;
}

/** The only place this action reads its inputs (every one, before any validation). */
export function readInputs(reader: InputReader, _env: NodeJS.ProcessEnv): Inputs {
  return {
    files: reader.list('files'),
    key: reader.string('key'),
    passphrase: reader.secret('passphrase'),
    pkcs11Pin: reader.secret('pkcs11-pin'),
    outputDir: reader.string('output-dir'),
    signingConfig: reader.string('signing-config'),
    offline: reader.boolean('offline'),
    allowUntrustedTriggers: reader.boolean('allow-untrusted-triggers'),
  };
}
