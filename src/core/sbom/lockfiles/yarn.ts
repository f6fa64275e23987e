import { VouchError } from '../../../errors.ts';
import type { LockfileResult, ManifestInput } from './common.ts';

export function readYarnLockfile(
  _text: string,
  source: string,
  _manifest?: ManifestInput,
): LockfileResult {
  throw new VouchError('SBOM_LOCKFILE_UNSUPPORTED', `${source}: not read yet`);
}
