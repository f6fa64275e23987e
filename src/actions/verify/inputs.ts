import type { InputReader } from '../shared/inputs.ts';

export interface Inputs {
  readonly files: string[];
  readonly bundles: string[];
  readonly publicKey: string;
  readonly trustedKeys: string;
  readonly trustedRoot: string;
  readonly online: boolean;
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
  readonly vsaKey: string;
  readonly passphrase: string;
  readonly certificateGithubRepository: string;
  readonly certificateGithubRef: string;
  readonly certificateGithubTrigger: string;
  readonly certificateGithubSha: string;
  readonly certificateGithubSignerWorkflow: string;
  readonly certificateGithubSignerDigest: string;
  readonly githubHosted: boolean;
  readonly fromGithub: string[];
  readonly fromGithubOrg: string[];
  readonly fromOci: string[];
  readonly fromRelease: string[];
  readonly githubToken: string;
}

/** The only place this action reads its inputs (every one, before any validation). */
export function readInputs(reader: InputReader, _env: NodeJS.ProcessEnv): Inputs {
  return {
    files: reader.list('files'),
    bundles: reader.list('bundles'),
    publicKey: reader.string('public-key'),
    trustedKeys: reader.string('trusted-keys'),
    trustedRoot: reader.string('trusted-root'),
    online: reader.boolean('online'),
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
    vsaKey: reader.string('vsa-key'),
    passphrase: reader.secret('passphrase'),
    certificateGithubRepository: reader.string('certificate-github-repository'),
    certificateGithubRef: reader.string('certificate-github-ref'),
    certificateGithubTrigger: reader.string('certificate-github-trigger'),
    certificateGithubSha: reader.string('certificate-github-sha'),
    certificateGithubSignerWorkflow: reader.string('certificate-github-signer-workflow'),
    certificateGithubSignerDigest: reader.string('certificate-github-signer-digest'),
    githubHosted: reader.boolean('github-hosted'),
    fromGithub: reader.list('from-github'),
    fromGithubOrg: reader.list('from-github-org'),
    fromOci: reader.list('from-oci'),
    fromRelease: reader.list('from-release'),
    githubToken: reader.secret('github-token'),
  };
}
