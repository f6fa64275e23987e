import type { InputReader } from '../shared/inputs.ts';

export interface Inputs {
  readonly files: string[];
  readonly bundleDirs: string[];
  readonly policy: string;
  readonly exceptions: string;
  readonly exceptionsRef: string;
  readonly advisories: string[];
  readonly publicKey: string;
  readonly trustedKeys: string;
  readonly certificateIdentity: string;
  readonly certificateOidcIssuer: string;
  readonly builderIds: string[];
  readonly evidenceDir: string;
  readonly signManifestKey: string;
  readonly passphrase: string;
}

/** The only place this action reads its inputs. */
export function readInputs(reader: InputReader, _env: NodeJS.ProcessEnv): Inputs {
  return {
    files: reader.list('files'),
    bundleDirs: reader.list('bundle-dirs'),
    policy: reader.string('policy'),
    exceptions: reader.string('exceptions'),
    exceptionsRef: reader.string('exceptions-ref'),
    advisories: reader.list('advisories'),
    publicKey: reader.string('public-key'),
    trustedKeys: reader.string('trusted-keys'),
    certificateIdentity: reader.string('certificate-identity'),
    certificateOidcIssuer: reader.string('certificate-oidc-issuer'),
    builderIds: reader.list('builder-ids'),
    evidenceDir: reader.string('evidence-dir'),
    signManifestKey: reader.string('sign-manifest-key'),
    passphrase: reader.secret('passphrase'),
  };
}
