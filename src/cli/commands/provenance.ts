import type { CommandContext, CommandSpec } from '../command.ts';

const command: CommandSpec = {
  name: 'provenance',
  summary: 'Make signed SLSA v1 provenance for subjects',
  usage:
    'vouch provenance --key REF [--output FILE] [--store github|release|oci:REF|file]... SUBJECT...',
  description:
    'Outside GitHub Actions a local build context (git repository, commit, dirty flag) is recorded and marked as local.',
  examples: ['vouch provenance --key release.key --output provenance.sigstore.json dist/app.tgz'],
  positionals: { name: 'SUBJECT...', min: 0 },
  options: {
    key: {
      type: 'string',
      value: 'REF',
      required: true,
      description: 'Key reference or `keyless`.',
    },
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
  },
  run: (ctx) => runProvenance(ctx),
};
export default command;

async function runProvenance(ctx: CommandContext): Promise<number> {
  const { runAttestCommand } = await import('./attest-run.ts');
  return runAttestCommand(ctx, 'provenance');
}
