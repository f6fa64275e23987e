import { createGateDeps } from '../../adapters/gate/default-deps.ts';
import { runGate } from '../../adapters/gate/run-gate.ts';
import { VouchError } from '../../errors.ts';
import type { ActionDeps } from '../shared/run.ts';
import type { Inputs } from './inputs.ts';

export const OUTPUTS = ['verdict', 'evidence-path', 'archive-path', 'refusals'] as const;

export async function run(inputs: Inputs, deps: ActionDeps): Promise<void> {
  if (inputs.files.length === 0) {
    throw new VouchError('INPUT_MISSING', 'input "files" is required: the release files to gate');
  }
  if (!inputs.policy) throw new VouchError('INPUT_MISSING', 'input "policy" is required');
  if (inputs.exceptionsRef && !inputs.exceptions) {
    throw new VouchError(
      'INPUT_MISSING',
      'input "exceptions-ref" needs input "exceptions" (the path in the repository)',
    );
  }
  // With a token and the repository (on a runner, by default), the exceptions come from the
  // repository's default branch through the API; otherwise from the local repository's.
  const github = inputs.githubToken && inputs.repository ? inputs.repository : undefined;
  if (!github && (inputs.verifyApprovals || inputs.approverTeams.length > 0)) {
    throw new VouchError(
      'INPUT_MISSING',
      'inputs "verify-approvals" and "approver-teams" need the GitHub API: input "github-token" and GITHUB_REPOSITORY',
    );
  }
  const { parseBundleSources } = await import('../../adapters/verify/fetch-bundles.ts');
  const sources = parseBundleSources({
    github: inputs.fromGithub,
    githubOrg: inputs.fromGithubOrg,
    oci: inputs.fromOci,
    release: inputs.fromRelease,
  });
  const { registryOptionsFromEnv } = await import('../../adapters/attest/store-oci.ts');
  const token = inputs.githubToken;
  const now = new Date();
  const env = inputs.passphrase
    ? { ...deps.env, VOUCH_KEY_PASSPHRASE: inputs.passphrase }
    : deps.env;
  const result = await runGate(
    {
      workspace: deps.workspace,
      files: inputs.files,
      bundleDirs: inputs.bundleDirs,
      ...(sources.length > 0 ? { sources } : {}),
      trust: {
        ...(inputs.publicKey ? { key: inputs.publicKey } : {}),
        ...(inputs.trustedKeys ? { trustedKeys: inputs.trustedKeys } : {}),
        ...(inputs.trustedRoot ? { trustedRoot: inputs.trustedRoot } : {}),
        ...(inputs.online ? { online: true } : {}),
        ...(inputs.certificateIdentity ? { certificateIdentity: inputs.certificateIdentity } : {}),
        ...(inputs.certificateOidcIssuer
          ? { certificateOidcIssuer: inputs.certificateOidcIssuer }
          : {}),
      },
      builderIds: inputs.builderIds,
      signers: [],
      policy: inputs.policy,
      advisories: inputs.advisories,
      ...(inputs.exceptions ? { exceptions: inputs.exceptions } : {}),
      ...(inputs.exceptionsRef ? { exceptionsRef: inputs.exceptionsRef } : {}),
      ...(github
        ? {
            github: {
              repository: github,
              verifyApprovals: inputs.verifyApprovals,
              approverTeams: inputs.approverTeams,
              ...(inputs.serverHost ? { serverHost: inputs.serverHost } : {}),
            },
          }
        : {}),
      evidenceDir: inputs.evidenceDir || 'evidence',
      ...(inputs.signManifestKey ? { signManifestKey: inputs.signManifestKey } : {}),
      now,
    },
    createGateDeps({
      logger: deps.logger,
      now,
      env,
      cwd: deps.workspace,
      ...(github
        ? {
            github: {
              token: inputs.githubToken,
              ...(inputs.apiUrl ? { baseUrl: inputs.apiUrl } : {}),
            },
          }
        : {}),
      // The same token reads the attestations API and release assets.
      fetch: {
        ...(inputs.apiUrl ? { apiUrl: inputs.apiUrl } : {}),
        ...(token ? { token } : {}),
        registry: registryOptionsFromEnv(deps.env, token || undefined),
      },
    }),
  );
  deps.setOutput('verdict', result.decision.verdict);
  deps.setOutput('evidence-path', result.evidenceDir);
  deps.setOutput('archive-path', result.archive);
  deps.setOutput('refusals', result.decision.refusals.length);
  await deps.logger.summary(result.markdown);
  if (result.decision.verdict !== 'pass') {
    const first = result.decision.refusals[0]!;
    throw new VouchError(
      first.code,
      `the release is refused (${result.decision.refusals.length} refusal${result.decision.refusals.length === 1 ? '' : 's'}): ${first.file ? `${first.file}: ` : ''}${first.check}: ${first.message}`,
    );
  }
  deps.logger.info(`the release may ship; evidence: ${result.evidenceDir}`);
}
