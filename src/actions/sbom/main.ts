import { VouchError } from '../../errors.ts';
import type { ActionDeps } from '../shared/run.ts';
import type { Inputs } from './inputs.ts';

export const OUTPUTS = ['cyclonedx-path', 'spdx-path', 'component-count'] as const;

export async function run(_inputs: Inputs, _deps: ActionDeps): Promise<void> {
  throw new VouchError('NOT_IMPLEMENTED', 'the sbom action is not implemented yet');
}
