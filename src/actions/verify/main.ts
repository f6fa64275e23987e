import { isAbsolute, relative, resolve } from 'node:path';
import { VouchError } from '../../errors.ts';
import type { ActionDeps } from '../shared/run.ts';
import type { Inputs } from './inputs.ts';

export const OUTPUTS = ['verdict', 'report-path'] as const;

/** Expands workspace-relative globs; nothing may escape the workspace (THREATS 33). */
async function expand(
  patterns: readonly string[],
  workspace: string,
  what: string,
): Promise<string[]> {
  const { glob } = await import('tinyglobby');
  const out: string[] = [];
  for (const p of patterns) {
    if (isAbsolute(p) || p.split(/[\\/]/).includes('..')) {
      throw new VouchError('PATH_OUTSIDE_WORKSPACE', `${what} "${p}" leaves the workspace`);
    }
    const found = await glob(p, {
      cwd: workspace,
      onlyFiles: true,
      followSymbolicLinks: false,
      dot: true,
    });
    if (found.length === 0) throw new VouchError('INPUT_INVALID', `${what} "${p}" matched no file`);
    for (const f of found.sort()) {
      const abs = resolve(workspace, f);
      if (relative(workspace, abs).startsWith('..')) {
        throw new VouchError('PATH_OUTSIDE_WORKSPACE', `${what} "${f}" leaves the workspace`);
      }
      if (!out.includes(f)) out.push(f);
    }
  }
  return out;
}

export async function run(inputs: Inputs, deps: ActionDeps): Promise<void> {
  if (inputs.files.length === 0 && inputs.fromOci.length === 0) {
    throw new VouchError(
      'INPUT_MISSING',
      'input "files" is required: the release files to verify (or images in "from-oci")',
    );
  }
  const files = await expand(inputs.files, deps.workspace, 'files');
  const bundles = await expand(inputs.bundles, deps.workspace, 'bundles');
  const { runVerify } = await import('../../adapters/verify/run-verify.ts');
  const { failureOf } = await import('../../adapters/verify/verify-artifacts.ts');
  const { formatVerifySummary } = await import('../../adapters/verify/summary.ts');
  const { registryOptionsFromEnv } = await import('../../adapters/attest/store-oci.ts');
  const opt = (s: string): string | undefined => (s === '' ? undefined : s);
  const token = inputs.githubToken || deps.env['GITHUB_TOKEN'] || '';
  const report = inputs.report || 'vouch-verify-report.json';
  const result = await runVerify(
    {
      // An image whose referrers are read is an artifact to verify as well.
      artifacts: [...files, ...inputs.fromOci.filter((i) => !files.includes(i))],
      bundles,
      key: opt(inputs.publicKey),
      trustedKeys: opt(inputs.trustedKeys),
      trustedRoot: opt(inputs.trustedRoot),
      online: inputs.online,
      identity: opt(inputs.certificateIdentity),
      identityPattern: opt(inputs.certificateIdentityRegexp),
      issuer: opt(inputs.certificateOidcIssuer),
      claims: {
        repository: opt(inputs.certificateGithubRepository),
        ref: opt(inputs.certificateGithubRef),
        trigger: opt(inputs.certificateGithubTrigger),
        commit: opt(inputs.certificateGithubSha),
        signerWorkflow: opt(inputs.certificateGithubSignerWorkflow),
        signerDigest: opt(inputs.certificateGithubSignerDigest),
        githubHostedOnly: inputs.githubHosted,
      },
      predicateType: opt(inputs.predicateType),
      sourceRepository: opt(inputs.sourceRepository),
      sourceRef: opt(inputs.sourceRef),
      workflow: opt(inputs.sourceWorkflow),
      builderIds: inputs.builderIds,
      report,
      vsaDir: opt(inputs.vsaDir),
      vsaKey: opt(inputs.vsaKey),
      passphrase: opt(inputs.passphrase),
      fromGitHub: inputs.fromGithub,
      fromGitHubOrg: inputs.fromGithubOrg,
      fromOci: inputs.fromOci,
      fromRelease: inputs.fromRelease,
    },
    {
      cwd: deps.workspace,
      logger: deps.logger,
      env: deps.env,
      fetch: {
        ...(deps.env['GITHUB_API_URL'] ? { apiUrl: deps.env['GITHUB_API_URL'] } : {}),
        ...(token ? { token } : {}),
        registry: registryOptionsFromEnv(deps.env, token),
      },
    },
  );
  deps.setOutput('verdict', result.passed ? 'pass' : 'fail');
  deps.setOutput('report-path', resolve(deps.workspace, report));
  await deps.logger.summary(formatVerifySummary(result));
  const failure = failureOf(result);
  if (failure) throw failure;
}
