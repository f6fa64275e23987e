/** Option sets more than one subcommand takes, spelled once so their flags cannot drift apart. */
import type { OptionSpec } from './command.ts';

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
