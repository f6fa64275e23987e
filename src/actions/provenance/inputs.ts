import type { InputReader } from '../shared/inputs.ts';

export interface Inputs {
  readonly files: string[];
  readonly subjects: string[];
  readonly checksums: string[];
  readonly key: string;
  readonly passphrase: string;
  readonly pkcs11Pin: string;
  readonly signingConfig: string;
  readonly store: string[];
  readonly perSubject: boolean;
  readonly output: string;
  readonly githubToken: string;
  readonly releaseTag: string;
  readonly allowUntrustedTriggers: boolean;
}

/** The only place this action reads its inputs. */
export function readInputs(reader: InputReader, _env: NodeJS.ProcessEnv): Inputs {
  return {
    files: reader.list('files'),
    subjects: reader.list('subjects'),
    checksums: reader.list('checksums'),
    key: reader.string('key'),
    passphrase: reader.secret('passphrase'),
    pkcs11Pin: reader.secret('pkcs11-pin'),
    signingConfig: reader.string('signing-config'),
    store: reader.list('store'),
    perSubject: reader.boolean('per-subject'),
    output: reader.string('output'),
    githubToken: reader.secret('github-token'),
    releaseTag: reader.string('release-tag'),
    allowUntrustedTriggers: reader.boolean('allow-untrusted-triggers'),
  };
}
