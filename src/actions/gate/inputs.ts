import { VouchError } from '../../errors.ts';
import type { InputReader } from '../shared/inputs.ts';

export interface Inputs {
  readonly files: string[];
  readonly bundleDirs: string[];
  /** Remote attestation stores, as the verify action reads them. */
  readonly fromGithub: string[];
  readonly fromGithubOrg: string[];
  readonly fromOci: string[];
  readonly fromRelease: string[];
  readonly policy: string;
  readonly exceptions: string;
  readonly exceptionsRef: string;
  readonly advisories: string[];
  readonly publicKey: string;
  readonly trustedKeys: string;
  readonly trustedRoot: string;
  readonly online: boolean;
  readonly certificateIdentity: string;
  readonly certificateOidcIssuer: string;
  readonly builderIds: string[];
  readonly evidenceDir: string;
  readonly signManifestKey: string;
  readonly passphrase: string;
  /** With the repository from the runner: the exceptions are read through the GitHub API. */
  readonly githubToken: string;
  /** Confirm each exception's approval link through the API. */
  readonly verifyApprovals: boolean;
  /** `org/team` entries whose members may approve exceptions. */
  readonly approverTeams: string[];
  /** From the runner environment. */
  readonly repository: string;
  readonly apiUrl?: string;
  /** Host of GITHUB_SERVER_URL: approval links must point at it. */
  readonly serverHost?: string;
}

/** The only place this action reads its inputs. */
export function readInputs(reader: InputReader, env: NodeJS.ProcessEnv): Inputs {
  const inputs = {
    files: reader.list('files'),
    bundleDirs: reader.list('bundle-dirs'),
    fromGithub: reader.list('from-github'),
    fromGithubOrg: reader.list('from-github-org'),
    fromOci: reader.list('from-oci'),
    fromRelease: reader.list('from-release'),
    policy: reader.string('policy'),
    exceptions: reader.string('exceptions'),
    exceptionsRef: reader.string('exceptions-ref'),
    advisories: reader.list('advisories'),
    publicKey: reader.string('public-key'),
    trustedKeys: reader.string('trusted-keys'),
    trustedRoot: reader.string('trusted-root'),
    online: reader.boolean('online'),
    certificateIdentity: reader.string('certificate-identity'),
    certificateOidcIssuer: reader.string('certificate-oidc-issuer'),
    builderIds: reader.list('builder-ids'),
    evidenceDir: reader.string('evidence-dir'),
    signManifestKey: reader.string('sign-manifest-key'),
    passphrase: reader.secret('passphrase'),
    githubToken: reader.secret('github-token'),
    verifyApprovals: reader.boolean('verify-approvals'),
    approverTeams: reader.list('approver-teams'),
  };
  for (const team of inputs.approverTeams) {
    if (!/^@?[A-Za-z0-9-]+\/[A-Za-z0-9_.-]+$/.test(team)) {
      throw new VouchError(
        'INPUT_INVALID',
        `input "approver-teams": "${team}" is not of the form org/team`,
      );
    }
  }
  const server = env['GITHUB_SERVER_URL'];
  let serverHost: string | undefined;
  if (server) {
    try {
      serverHost = new URL(server).host;
    } catch {
      throw new VouchError('INPUT_INVALID', `GITHUB_SERVER_URL "${server}" is not a URL`);
    }
  }
  return {
    ...inputs,
    approverTeams: inputs.approverTeams.map((t) => t.replace(/^@/, '')),
    repository: env['GITHUB_REPOSITORY'] ?? '',
    ...(env['GITHUB_API_URL'] ? { apiUrl: env['GITHUB_API_URL'] } : {}),
    ...(serverHost ? { serverHost } : {}),
  };
}
