import { listValue, stringValue, type CommandSpec } from '../command.ts';
import { bundleSourceOptions, githubToken } from '../shared-options.ts';
import { VouchError } from '../../errors.ts';

const command: CommandSpec = {
  name: 'gate',
  summary: 'Decide whether a release may ship, and write the evidence bundle',
  usage:
    'vouch gate --files GLOB... --policy FILE [--exceptions FILE [--exceptions-ref BRANCH] [--repository OWNER/NAME [--verify-approvals --approver-team ORG/TEAM...]]] [--key PUBFILE | --trusted-keys FILE | identity flags] --builder-id ID... [--advisories DIR]... [--bundle-dir DIR]... [--from-github OWNER/REPO]... [--from-github-org ORG]... [--from-oci IMAGE@DIGEST]... [--from-release OWNER/REPO@TAG]... [--github-token-env VAR] [--evidence DIR] [--sign-manifest-key REF]',
  description:
    "Refuses the release unless every release file has a valid signature from an allowed signer, SLSA provenance from a trusted builder, and an SBOM attestation bound to it, and the policy passes over that SBOM with only approved, unexpired exceptions read from the default branch, never from the tree being released. With a token in GITHUB_TOKEN (or GH_TOKEN) and a repository (--repository or GITHUB_REPOSITORY), the exceptions file is read through the GitHub API from the repository's default branch, which must be protected, and --verify-approvals confirms each exception's approval pull request; otherwise it is read from the local repository's default branch (refs/remotes/origin/HEAD, else init.defaultBranch, else --exceptions-ref), recorded as a local ref whose protection is not confirmed. Bundles come from the bundle directories and from remote attestation stores, as for vouch verify: --from-github asks the GitHub attestations API of a repository for each release file's sha256 digest (--from-github-org, of an organization), --from-oci reads the Sigstore bundle referrers of an image (attestations stored there count for the release files they name; the image itself is not a release file), --from-release reads the *.sigstore.json, *.sigstore and *.intoto.jsonl assets of a release; the token is the same one (GITHUB_TOKEN, GH_TOKEN, or the variable --github-token-env names), registry credentials come from VOUCH_REGISTRY_USERNAME / VOUCH_REGISTRY_PASSWORD. A source that cannot be read (rate limited, refused, failing after retries) refuses every piece it could have held (GATE_ATTESTATION_SOURCE_FAILED); the evidence records where each bundle was read. Every input path is checked first. Writes the evidence directory and a .tar.gz of it. Exit 0: the release may ship; 1: refused; 2: bad input (nothing written).",
  examples: [
    'vouch gate --files "dist/*.tgz" --bundle-dir dist --from-github acme/widget --certificate-identity-regexp "^https://github.com/acme/widget/" --certificate-oidc-issuer https://token.actions.githubusercontent.com --builder-id https://github.com/acme/widget/.github/workflows/release-integrity.yml@refs/heads/main --policy .vouch/policy.yml',
    'vouch gate --files "dist/*.tgz" --key release.pub --builder-id https://github.com/acme/widget/.github/workflows/release-integrity.yml@refs/heads/main --policy .vouch/policy.yml --exceptions .vouch/exceptions.yml --exceptions-ref origin/main --advisories osv/',
  ],
  options: {
    files: {
      type: 'string',
      multiple: true,
      value: 'GLOB',
      required: true,
      description: 'Release files.',
    },
    policy: { type: 'string', value: 'FILE', required: true, description: 'Policy file (YAML).' },
    exceptions: { type: 'string', value: 'FILE', description: 'Exceptions file (YAML).' },
    'exceptions-ref': {
      type: 'string',
      value: 'BRANCH',
      description:
        "Branch to read the exceptions file from (e.g. origin/main); it must be the default branch (default: the repository's default branch; when git knows none and no branch is given, the release tree's copy is read and any exception in it refused).",
    },
    repository: {
      type: 'string',
      value: 'OWNER/NAME',
      description:
        'Repository whose default branch holds the exceptions, read through the GitHub API with the token in GITHUB_TOKEN or GH_TOKEN (default: GITHUB_REPOSITORY).',
    },
    'verify-approvals': {
      type: 'boolean',
      description:
        "Confirm each exception's approval link through the GitHub API: a merged pull request that changed the exceptions file, approved by a member of an --approver-team other than its author.",
    },
    'approver-team': {
      type: 'string',
      multiple: true,
      value: 'ORG/TEAM',
      description:
        'Team whose members may approve exceptions (repeatable; for --verify-approvals).',
    },
    key: { type: 'string', value: 'PUBFILE', description: 'Public key for key-signed bundles.' },
    'trusted-keys': {
      type: 'string',
      value: 'FILE',
      description: 'Trusted-keys file (keys with validity windows) for key-signed bundles.',
    },
    'trusted-root': {
      type: 'string',
      value: 'FILE',
      description:
        'public-good or github (a shipped Sigstore instance root), or a trusted_root.json path (default: public-good).',
    },
    online: {
      type: 'boolean',
      description:
        'Update the shipped trusted root (public-good or github) through its TUF repository (falls back to the shipped copy).',
    },
    'certificate-identity': {
      type: 'string',
      value: 'ID',
      description: 'Exact signer identity of keyless bundles.',
    },
    'certificate-identity-regexp': {
      type: 'string',
      value: 'PATTERN',
      description: 'Anchored pattern for the signer identity of keyless bundles.',
    },
    'certificate-oidc-issuer': {
      type: 'string',
      value: 'URL',
      description: 'Exact OIDC issuer of keyless bundles.',
    },
    'source-repository': {
      type: 'string',
      value: 'OWNER/REPO',
      description: 'Source repository the keyless signer must come from.',
    },
    'source-ref': {
      type: 'string',
      value: 'REF',
      description: 'Source ref the keyless signer must come from.',
    },
    'builder-id': {
      type: 'string',
      multiple: true,
      value: 'ID',
      description: 'Builder id trusted for provenance (none given: every provenance is refused).',
    },
    signer: {
      type: 'string',
      multiple: true,
      value: 'ID',
      description: 'Allowed signer identity or key hint (default: any the trust material accepts).',
    },
    advisories: {
      type: 'string',
      multiple: true,
      value: 'DIR',
      description: 'Directory of OSV advisory records (offline).',
    },
    'bundle-dir': {
      type: 'string',
      multiple: true,
      value: 'DIR',
      description: 'Directory holding the bundles (default: the release files directories).',
    },
    ...bundleSourceOptions('release file digest', ' (they count for the release files they name)'),
    evidence: {
      type: 'string',
      value: 'DIR',
      description: 'Evidence directory (default: evidence/); DIR.tar.gz is written beside it.',
    },
    'sign-manifest-key': {
      type: 'string',
      value: 'REF',
      description: 'Key reference to sign the evidence manifest and the VSAs with.',
    },
    now: {
      type: 'string',
      value: 'ISO_DATE',
      description: 'Clock for expiry checks (default: now).',
    },
  },
  run: async (ctx) => {
    const { runGate } = await import('../../adapters/gate/run-gate.ts');
    const { createGateDeps } = await import('../../adapters/gate/default-deps.ts');
    const nowText = stringValue(ctx.values, 'now');
    const now = nowText ? new Date(nowText) : new Date();
    if (Number.isNaN(now.getTime())) {
      throw new VouchError('USAGE_INVALID_VALUE', `--now "${nowText}" is not an ISO 8601 date`);
    }
    const opt = (name: string): string | undefined => stringValue(ctx.values, name);
    const exceptions = opt('exceptions');
    const exceptionsRef = opt('exceptions-ref');
    const signManifestKey = opt('sign-manifest-key');
    if (exceptionsRef && !exceptions) {
      throw new VouchError(
        'USAGE_MISSING_ARGUMENT',
        '--exceptions-ref needs --exceptions FILE (the path in the repository)',
      );
    }
    const approverTeams = listValue(ctx.values, 'approver-team');
    for (const team of approverTeams) {
      if (!/^@?[A-Za-z0-9-]+\/[A-Za-z0-9_.-]+$/.test(team)) {
        throw new VouchError(
          'USAGE_INVALID_VALUE',
          `--approver-team "${team}" is not of the form org/team`,
        );
      }
    }
    const verifyApprovals = ctx.values['verify-approvals'] === true;
    const token = githubToken(ctx) ?? '';
    const { parseBundleSources } = await import('../../adapters/verify/fetch-bundles.ts');
    const sources = parseBundleSources({
      github: listValue(ctx.values, 'from-github'),
      githubOrg: listValue(ctx.values, 'from-github-org'),
      oci: listValue(ctx.values, 'from-oci'),
      release: listValue(ctx.values, 'from-release'),
    });
    const repository = opt('repository') ?? ctx.env['GITHUB_REPOSITORY'] ?? '';
    if (opt('repository') && !token) {
      throw new VouchError(
        'USAGE_MISSING_ARGUMENT',
        '--repository reads the exceptions through the GitHub API, which needs a token in GITHUB_TOKEN or GH_TOKEN',
      );
    }
    const github = token && repository && exceptions ? repository : undefined;
    if (!github && (verifyApprovals || approverTeams.length > 0)) {
      throw new VouchError(
        'USAGE_MISSING_ARGUMENT',
        '--verify-approvals and --approver-team need --exceptions and the GitHub API: a token in GITHUB_TOKEN or GH_TOKEN and --repository (or GITHUB_REPOSITORY)',
      );
    }
    if (verifyApprovals && approverTeams.length === 0) {
      throw new VouchError(
        'USAGE_MISSING_ARGUMENT',
        '--verify-approvals needs at least one --approver-team ORG/TEAM',
      );
    }
    const serverUrl = ctx.env['GITHUB_SERVER_URL'];
    let serverHost: string | undefined;
    if (serverUrl) {
      try {
        serverHost = new URL(serverUrl).host;
      } catch {
        throw new VouchError(
          'USAGE_INVALID_VALUE',
          `GITHUB_SERVER_URL "${serverUrl}" is not a URL`,
        );
      }
    }
    const apiUrl = ctx.env['GITHUB_API_URL'];
    const { registryOptionsFromEnv } = await import('../../adapters/attest/store-oci.ts');
    const trust = {
      ...(opt('key') ? { key: opt('key')! } : {}),
      ...(opt('trusted-keys') ? { trustedKeys: opt('trusted-keys')! } : {}),
      ...(opt('trusted-root') ? { trustedRoot: opt('trusted-root')! } : {}),
      ...(ctx.values['online'] === true ? { online: true } : {}),
      ...(opt('certificate-identity') ? { certificateIdentity: opt('certificate-identity')! } : {}),
      ...(opt('certificate-identity-regexp')
        ? { certificateIdentityRegexp: opt('certificate-identity-regexp')! }
        : {}),
      ...(opt('certificate-oidc-issuer')
        ? { certificateOidcIssuer: opt('certificate-oidc-issuer')! }
        : {}),
      ...(opt('source-repository') ? { sourceRepository: opt('source-repository')! } : {}),
      ...(opt('source-ref') ? { sourceRef: opt('source-ref')! } : {}),
    };
    const result = await runGate(
      {
        workspace: ctx.cwd,
        files: listValue(ctx.values, 'files'),
        bundleDirs: listValue(ctx.values, 'bundle-dir'),
        ...(sources.length > 0 ? { sources } : {}),
        trust,
        builderIds: listValue(ctx.values, 'builder-id'),
        signers: listValue(ctx.values, 'signer'),
        policy: opt('policy')!,
        advisories: listValue(ctx.values, 'advisories'),
        ...(exceptions ? { exceptions } : {}),
        ...(exceptionsRef ? { exceptionsRef } : {}),
        ...(github
          ? {
              github: {
                repository: github,
                verifyApprovals,
                approverTeams: approverTeams.map((t) => t.replace(/^@/, '')),
                ...(serverHost ? { serverHost } : {}),
              },
            }
          : {}),
        evidenceDir: opt('evidence') ?? 'evidence',
        ...(signManifestKey ? { signManifestKey } : {}),
        now,
      },
      createGateDeps({
        logger: ctx.logger,
        now,
        env: ctx.env,
        cwd: ctx.cwd,
        ...(github ? { github: { token, ...(apiUrl ? { baseUrl: apiUrl } : {}) } } : {}),
        fetch: {
          ...(apiUrl ? { apiUrl } : {}),
          ...(token ? { token } : {}),
          registry: registryOptionsFromEnv(ctx.env, token || undefined),
        },
      }),
    );
    if (ctx.json) {
      ctx.stdout.write(
        `${JSON.stringify({
          ok: result.decision.verdict === 'pass',
          verdict: result.decision.verdict,
          evidence: result.evidenceDir,
          archive: result.archive,
          archiveSha256: result.archiveSha256,
          files: result.manifest.files,
          refusals: result.decision.refusals,
        })}\n`,
      );
    } else {
      ctx.stdout.write(result.text);
    }
    return result.decision.verdict === 'pass' ? 0 : 1;
  },
};
export default command;
