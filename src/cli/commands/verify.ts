import { listValue, stringValue, type CommandSpec } from '../command.ts';
import { bundleSourceOptions, githubToken } from '../shared-options.ts';

const command: CommandSpec = {
  name: 'verify',
  summary: 'Verify bundles and attestations against trust material and an identity policy',
  usage:
    'vouch verify --bundle FILE (--key PUBFILE | --trusted-keys FILE | --certificate-identity ID --certificate-oidc-issuer URL) [--trusted-root FILE|public-good|github] [--online] [--predicate-type URI] [--source-repository R] [--source-ref REF] [--builder-id ID]... [--report FILE] [--vsa DIR [--vsa-key REF [--passphrase-env VAR]]] ARTIFACT_OR_DIGEST...',
  examples: [
    'vouch verify --bundle app.tgz.sigstore.json --key release.pub app.tgz',
    'vouch verify --bundle prov.sigstore.json --certificate-identity https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0 --certificate-oidc-issuer https://token.actions.githubusercontent.com app.tgz',
    'vouch verify --from-github acme/app --certificate-identity https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0 --certificate-oidc-issuer https://token.actions.githubusercontent.com app.tgz',
    'vouch verify --from-oci ghcr.io/acme/app@sha256:HEX --key release.pub ghcr.io/acme/app@sha256:HEX',
  ],
  description:
    'Bundles come from files (--bundle, or NAME.sigstore.json beside each artifact) and from remote sources: --from-github asks the GitHub attestations API of a repository for each artifact sha256 digest (--from-github-org, of an organization), --from-oci reads the Sigstore bundle referrers of an image, --from-release reads the *.sigstore.json, *.sigstore and *.intoto.jsonl assets of a release. The GitHub token is read from GITHUB_TOKEN or GH_TOKEN (or the variable --github-token-env names) and is optional for public repositories; the API root from GITHUB_API_URL; registry credentials from VOUCH_REGISTRY_USERNAME / VOUCH_REGISTRY_PASSWORD. A source that holds nothing for the artifacts is a refusal (VERIFY_NO_ATTESTATIONS). Exit codes: 0 verified, 1 refused, 2 bad input.',
  positionals: { name: 'ARTIFACT_OR_DIGEST...', min: 1 },
  options: {
    bundle: {
      type: 'string',
      multiple: true,
      value: 'FILE',
      description: 'Bundle file (Sigstore v0.1–v0.3 or npm attestations).',
    },
    key: { type: 'string', value: 'PUBFILE', description: 'Public key for key-signed bundles.' },
    'trusted-keys': {
      type: 'string',
      value: 'FILE',
      description: 'Trusted-keys file with validity windows.',
    },
    'certificate-identity': {
      type: 'string',
      value: 'ID',
      description: 'Exact signer identity (SAN).',
    },
    'certificate-identity-regexp': {
      type: 'string',
      value: 'RE',
      description: 'Anchored pattern for the signer identity.',
    },
    'certificate-oidc-issuer': { type: 'string', value: 'URL', description: 'Exact OIDC issuer.' },
    'trusted-root': {
      type: 'string',
      value: 'FILE',
      description:
        'public-good or github (a shipped Sigstore instance root), or a trusted_root.json path (default: public-good).',
    },
    'predicate-type': {
      type: 'string',
      value: 'URI',
      description: 'Required predicate type for attestations.',
    },
    'source-repository': {
      type: 'string',
      value: 'R',
      description: 'Required source repository (owner/name).',
    },
    'source-ref': {
      type: 'string',
      value: 'REF',
      description: 'Required source ref (branch, tag, or semver range on tags).',
    },
    'builder-id': {
      type: 'string',
      multiple: true,
      value: 'ID',
      description: 'Allowed builder id.',
    },
    report: {
      type: 'string',
      value: 'FILE',
      description: 'Write the JSON verification report here.',
    },
    workflow: {
      type: 'string',
      value: 'PATH',
      description:
        'Required workflow path (provenance and certificate), e.g. .github/workflows/release.yml.',
    },
    'certificate-github-repository': {
      type: 'string',
      value: 'R',
      description: 'Required repository claim of the signing certificate (owner/name or URL).',
    },
    'certificate-github-ref': {
      type: 'string',
      value: 'REF',
      description: 'Required source ref claim of the signing certificate (exact).',
    },
    'certificate-github-trigger': {
      type: 'string',
      value: 'EVENT',
      description: 'Required trigger event claim (push, release, workflow_dispatch, …).',
    },
    'certificate-github-sha': {
      type: 'string',
      value: 'SHA',
      description: 'Required source commit claim.',
    },
    'certificate-github-signer-workflow': {
      type: 'string',
      value: 'URI',
      description: 'Required signer (reusable) workflow; without @ref any ref matches.',
    },
    'certificate-github-signer-digest': {
      type: 'string',
      value: 'SHA',
      description: 'Required digest of the signer workflow.',
    },
    'github-hosted': {
      type: 'boolean',
      description: 'Require a GitHub-hosted runner (certificate claim).',
    },
    'max-bundle-bytes': {
      type: 'string',
      value: 'N',
      description: 'Refuse bundles larger than N bytes (default 33554432).',
    },
    online: {
      type: 'boolean',
      description:
        'Update the shipped trusted root (public-good or github) through its TUF repository (falls back to the shipped copy).',
    },
    ...bundleSourceOptions('artifact digest'),
    vsa: {
      type: 'string',
      value: 'DIR',
      description:
        'Write an SLSA verification summary statement per artifact into DIR (ARTIFACT.vsa.json).',
    },
    'vsa-key': {
      type: 'string',
      value: 'REF',
      description:
        'Key reference (PEM file, pkcs11:, KMS) to sign each VSA with, offline: ARTIFACT.vsa.sigstore.json beside it.',
    },
    'passphrase-env': {
      type: 'string',
      value: 'VAR',
      description:
        'Environment variable holding the --vsa-key passphrase (default: VOUCH_KEY_PASSPHRASE).',
    },
  },
  run: async (ctx) => {
    const { runVerify } = await import('../../adapters/verify/run-verify.ts');
    const v = ctx.values;
    const identity = stringValue(v, 'certificate-identity');
    const pattern = stringValue(v, 'certificate-identity-regexp');
    const issuer = stringValue(v, 'certificate-oidc-issuer');
    const builderIds = listValue(v, 'builder-id');
    const token = githubToken(ctx);
    const { registryOptionsFromEnv } = await import('../../adapters/attest/store-oci.ts');
    const result = await runVerify(
      {
        artifacts: ctx.positionals,
        bundles: listValue(v, 'bundle'),
        key: stringValue(v, 'key'),
        trustedKeys: stringValue(v, 'trusted-keys'),
        trustedRoot: stringValue(v, 'trusted-root'),
        online: v['online'] === true,
        identity,
        identityPattern: pattern,
        issuer,
        claims: {
          repository: stringValue(v, 'certificate-github-repository'),
          ref: stringValue(v, 'certificate-github-ref'),
          trigger: stringValue(v, 'certificate-github-trigger'),
          commit: stringValue(v, 'certificate-github-sha'),
          signerWorkflow: stringValue(v, 'certificate-github-signer-workflow'),
          signerDigest: stringValue(v, 'certificate-github-signer-digest'),
          githubHostedOnly: v['github-hosted'] === true,
        },
        predicateType: stringValue(v, 'predicate-type'),
        sourceRepository: stringValue(v, 'source-repository'),
        sourceRef: stringValue(v, 'source-ref'),
        workflow: stringValue(v, 'workflow'),
        builderIds,
        maxBundleBytes: stringValue(v, 'max-bundle-bytes'),
        report: stringValue(v, 'report'),
        vsaDir: stringValue(v, 'vsa'),
        vsaKey: stringValue(v, 'vsa-key'),
        passphraseEnv: stringValue(v, 'passphrase-env'),
        fromGitHub: listValue(v, 'from-github'),
        fromGitHubOrg: listValue(v, 'from-github-org'),
        fromOci: listValue(v, 'from-oci'),
        fromRelease: listValue(v, 'from-release'),
      },
      {
        cwd: ctx.cwd,
        logger: ctx.logger,
        env: ctx.env,
        fetch: {
          ...(ctx.env['GITHUB_API_URL'] ? { apiUrl: ctx.env['GITHUB_API_URL'] } : {}),
          ...(token ? { token } : {}),
          registry: registryOptionsFromEnv(ctx.env, token),
        },
      },
    );
    if (ctx.json) ctx.stdout.write(`${JSON.stringify({ ok: result.passed, ...result })}\n`);
    else {
      for (const a of result.artifacts) {
        ctx.stdout.write(
          a.verdict === 'pass'
            ? `pass  ${a.artifact}  (${a.bundle})\n`
            : `FAIL  ${a.artifact}  [${a.error?.code}] ${a.error?.message}\n`,
        );
      }
      for (const f of result.vsaFiles ?? []) {
        ctx.stdout.write(
          f.bundle
            ? `vsa   ${f.bundle}  (${f.verificationResult}, signed offline by ${result.vsaSigner}: no transparency log entry or timestamp)\n`
            : `vsa   ${f.statement}  (${f.verificationResult}, unsigned)\n`,
        );
      }
    }
    if (!result.passed) {
      const { failureOf } = await import('../../adapters/verify/verify-artifacts.ts');
      throw failureOf(result)!;
    }
    return 0;
  },
};
export default command;
