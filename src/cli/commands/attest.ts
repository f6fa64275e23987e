import type { CommandContext, CommandSpec } from '../command.ts';

const command: CommandSpec = {
  name: 'attest',
  summary: 'Attest subjects with an SBOM or custom predicate (in-toto, DSSE, Sigstore bundle)',
  usage:
    'vouch attest --key REF --predicate FILE --predicate-type URI [--output FILE] [--store github|release|oci:REF|file]... SUBJECT...',
  description:
    'SUBJECT is a path, a glob, NAME@sha256:HEX, or an OCI reference with a digest; --checksums FILE adds a sha256sum file.',
  examples: [
    'vouch attest --key release.key --predicate sbom.cdx.json --predicate-type https://cyclonedx.org/bom dist/app.tgz',
  ],
  positionals: { name: 'SUBJECT...', min: 0 },
  options: {
    key: {
      type: 'string',
      value: 'REF',
      required: true,
      description: 'Key reference or `keyless`.',
    },
    predicate: {
      type: 'string',
      value: 'FILE',
      required: true,
      description: 'Predicate JSON file (an SBOM or a custom predicate).',
    },
    'predicate-type': {
      type: 'string',
      value: 'URI',
      required: true,
      description: 'Predicate type URI.',
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
  run: (ctx) => runAttest(ctx),
};
export default command;

async function runAttest(ctx: CommandContext): Promise<number> {
  const { runAttestCommand } = await import('./attest-run.ts');
  return runAttestCommand(ctx, 'attest');
}
