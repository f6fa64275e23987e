import { VouchError } from '../../errors.ts';
import type { ActionDeps } from '../shared/run.ts';
import type { Inputs } from './inputs.ts';

export const OUTPUTS = [
  'bundle-path',
  'attestation-id',
  'attestation-url',
  'subject-count',
] as const;

export async function run(_inputs: Inputs, _deps: ActionDeps): Promise<void> {
  throw new VouchError('NOT_IMPLEMENTED', 'the attest action is not implemented yet');
}
