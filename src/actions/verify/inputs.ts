import type { InputReader } from '../shared/inputs.ts';

export interface Inputs {
  readonly files: string[];
  readonly bundles: string[];
  readonly publicKey: string;
  readonly trustedKeys: string;
  readonly trustedRoot: string;
  readonly certificateIdentity: string;
  readonly certificateIdentityRegexp: string;
  readonly certificateOidcIssuer: string;
  readonly predicateType: string;
  readonly sourceRepository: string;
  readonly sourceRef: string;
  readonly sourceWorkflow: string;
  readonly builderIds: string[];
  readonly report: string;
  readonly vsaDir: string;
}

/** The only place this action reads its inputs (every one, before any validation). */
export function readInputs(reader: InputReader, _env: NodeJS.ProcessEnv): Inputs {
  return {
    files: reader.list('files'),
    bundles: reader.list('bundles'),
    publicKey: reader.string('public-key'),
    trustedKeys: reader.string('trusted-keys'),
    trustedRoot: reader.string('trusted-root'),
    certificateIdentity: reader.string('certificate-identity'),
    certificateIdentityRegexp: reader.string('certificate-identity-regexp'),
    certificateOidcIssuer: reader.string('certificate-oidc-issuer'),
    predicateType: reader.string('predicate-type'),
    sourceRepository: reader.string('source-repository'),
    sourceRef: reader.string('source-ref'),
    sourceWorkflow: reader.string('source-workflow'),
    builderIds: reader.list('builder-ids'),
    report: reader.string('report'),
    vsaDir: reader.string('vsa-dir'),
  };
}
