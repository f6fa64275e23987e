/** Atomic file writes: a temp file in the same directory, then rename. Nothing half-written remains. */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { VouchError } from '../../errors.ts';

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0o644; private keys use 0o600). */
  readonly mode?: number;
  /** Refuse to replace an existing file. */
  readonly exclusive?: boolean;
}

/** Writes `data` to `path` atomically. */
export async function writeFileAtomic(
  path: string,
  data: string | Buffer,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    if (options.exclusive) {
      const exists = await fsp.lstat(path).then(
        () => true,
        () => false,
      );
      if (exists) {
        throw new VouchError(
          'FILE_WRITE_FAILED',
          `${path} already exists; refusing to replace it`,
          {
            hint: 'Remove the file first or choose another path.',
          },
        );
      }
    }
    await fsp.writeFile(temp, data, { mode: options.mode ?? 0o644, flag: 'wx' });
    await fsp.rename(temp, path);
  } catch (error) {
    await fsp.rm(temp, { force: true }).catch(() => {});
    if (error instanceof VouchError) throw error;
    throw new VouchError('FILE_WRITE_FAILED', `cannot write ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
