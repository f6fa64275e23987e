import type { CommandContext, CommandSpec } from '../command.ts';
import { ATTESTATION_OPTIONS } from '../shared-options.ts';

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
    ...ATTESTATION_OPTIONS,
  },
  run: (ctx) => runAttest(ctx),
};
export default command;

async function runAttest(ctx: CommandContext): Promise<number> {
  const { runAttestCommand } = await import('./attest-run.ts');
  return runAttestCommand(ctx, 'attest');
}
