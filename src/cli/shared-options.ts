/** Option sets more than one subcommand takes, spelled once so their flags cannot drift apart. */
import { VouchError } from '../errors.ts';
import { stringValue, type CommandContext, type OptionSpec } from './command.ts';

/**
 * Where bundles are fetched besides local files (`vouch verify`, `vouch gate`). `digestOf` names
 * what the API is asked about; `ociNote` says what the command does with an image's referrers.
 */
export function bundleSourceOptions(
  digestOf: string,
  ociNote = '',
): Readonly<Record<string, OptionSpec>> {
  return {
    'from-github': {
      type: 'string',
      multiple: true,
      value: 'OWNER/REPO',
      description: `Fetch bundles from the GitHub attestations API of this repository, by ${digestOf}.`,
    },
    'from-github-org': {
      type: 'string',
      multiple: true,
      value: 'ORG',
      description: `Fetch bundles from the GitHub attestations API of this organization, by ${digestOf}.`,
    },
    'from-oci': {
      type: 'string',
      multiple: true,
      value: 'IMAGE@DIGEST',
      description: `Fetch the Sigstore bundles attached to this image (REGISTRY/REPO@sha256:HEX) as referrers${ociNote}.`,
    },
    'from-release': {
      type: 'string',
      multiple: true,
      value: 'OWNER/REPO@TAG',
      description:
        'Fetch the *.sigstore.json, *.sigstore and *.intoto.jsonl assets of this GitHub release.',
    },
    'github-token-env': {
      type: 'string',
      value: 'VAR',
      description:
        'Environment variable holding the GitHub token (default: GITHUB_TOKEN, then GH_TOKEN; none for public repositories).',
    },
  };
}

/** Advisory data for the remediation windows (`vouch exceptions validate` and `add`). */
export const ADVISORY_WINDOW_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  advisories: {
    type: 'string',
    multiple: true,
    value: 'DIR_OR_ZIP',
    description:
      'Advisory source (repeatable, as for vouch policy): the severity of each advisory sets its remediation window.',
  },
  sbom: {
    type: 'string',
    value: 'FILE',
    description: 'SBOM whose package versions the osv-api and github-api sources are asked about.',
  },
};

/** Subjects, output, storage and signing options of `vouch attest` and `vouch provenance`. */
export const ATTESTATION_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  checksums: {
    type: 'string',
    multiple: true,
    value: 'FILE',
    description: 'Subjects from a sha256sum-format file.',
  },
  output: {
    type: 'string',
    short: 'o',
    value: 'FILE',
    description: 'Bundle path (default: attestation.sigstore.json).',
  },
  store: {
    type: 'string',
    multiple: true,
    value: 'STORE',
    description: 'Also store in github, release, oci (the image subjects), oci:REF or file.',
  },
  'per-subject': {
    type: 'boolean',
    description: 'One statement per subject instead of one for all.',
  },
  'passphrase-env': {
    type: 'string',
    value: 'VAR',
    description: 'Environment variable holding the key passphrase.',
  },
  offline: {
    type: 'boolean',
    description: 'Key-based signing with no transparency log or timestamp witness.',
  },
  'signing-config': {
    type: 'string',
    value: 'FILE',
    description: 'Sigstore signing config naming Fulcio, Rekor and TSA URLs.',
  },
  'allow-untrusted-triggers': {
    type: 'boolean',
    description: 'Sign even in pull_request_target and workflow_run runs.',
  },
  'release-tag': {
    type: 'string',
    value: 'TAG',
    description: 'Release to upload to with --store release (default: the tag of GITHUB_REF).',
  },
};

/**
 * The GitHub token the bundle-source options use: the variable --github-token-env names (which must
 * then be set), else GITHUB_TOKEN, then GH_TOKEN. Masked in every log line; undefined when none.
 */
export function githubToken(ctx: CommandContext): string | undefined {
  const tokenVar = stringValue(ctx.values, 'github-token-env');
  if (tokenVar !== undefined && !ctx.env[tokenVar]) {
    throw new VouchError(
      'USAGE_INVALID_VALUE',
      `--github-token-env ${tokenVar}: that environment variable is empty or not set`,
    );
  }
  const token =
    (tokenVar !== undefined ? ctx.env[tokenVar] : ctx.env['GITHUB_TOKEN'] || ctx.env['GH_TOKEN']) ||
    undefined;
  if (token) ctx.logger.secret(token);
  return token;
}
