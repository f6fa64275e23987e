import type { CommandContext, CommandSpec } from '../command.ts';
import { ATTESTATION_OPTIONS } from '../shared-options.ts';

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
    ...ATTESTATION_OPTIONS,
  },
  run: (ctx) => runProvenance(ctx),
};
export default command;

async function runProvenance(ctx: CommandContext): Promise<number> {
  const { runAttestCommand } = await import('./attest-run.ts');
  return runAttestCommand(ctx, 'provenance');
}
