/**
 * The evidence writer: one directory and a `.tar.gz` of it. The directory is written next to its
 * final place and renamed into it, so a failed run leaves the previous evidence (or nothing), never
 * half of a new one. The archive is deterministic: sorted entries, fixed times, no owners.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { VouchError } from '../../errors.ts';

export interface EvidenceFile {
  /** Path inside the evidence directory, `/`-separated, no `..`. */
  readonly path: string;
  readonly data: Buffer;
}

export interface WrittenEvidence {
  readonly dir: string;
  readonly archive: string;
  readonly archiveSha256: string;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function checkPath(path: string): void {
  if (path === '' || path.startsWith('/') || path.split('/').some((s) => s === '..' || s === '')) {
    throw new VouchError('INTERNAL', `evidence path "${path}" is not a plain relative path`);
  }
}

/** Times written into the archive: SOURCE_DATE_EPOCH-style fixed instant. */
const ARCHIVE_MTIME = new Date(0);

/**
 * Writes `files` as the directory `dir` (replacing it) and `dir + '.tar.gz'`.
 */
export async function writeEvidence(
  dir: string,
  files: readonly EvidenceFile[],
): Promise<WrittenEvidence> {
  const parent = dirname(dir);
  const name = basename(dir);
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const seen = new Set<string>();
  for (const f of sorted) {
    checkPath(f.path);
    if (seen.has(f.path))
      throw new VouchError('INTERNAL', `evidence path "${f.path}" written twice`);
    seen.add(f.path);
  }
  const stage = join(parent, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  const archive = `${dir}.tar.gz`;
  const archiveTemp = join(parent, `.${name}.tar.gz.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fsp.mkdir(parent, { recursive: true });
    await fsp.mkdir(join(stage, name), { recursive: true });
    for (const f of sorted) {
      const target = join(stage, name, ...f.path.split('/'));
      await fsp.mkdir(dirname(target), { recursive: true });
      await fsp.writeFile(target, f.data, { mode: 0o644 });
    }
    // Every directory entry, then every file, in sorted order, so the archive is byte-stable.
    const dirs = new Set<string>([name]);
    for (const f of sorted) {
      const parts = f.path.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(`${name}/${parts.slice(0, i).join('/')}`);
    }
    const entries = [...[...dirs].sort(), ...sorted.map((f) => `${name}/${f.path}`)];
    const tar = await import('tar');
    await tar.create(
      {
        gzip: { level: 9 },
        file: archiveTemp,
        cwd: stage,
        portable: true,
        noDirRecurse: true,
        mtime: ARCHIVE_MTIME,
        noMtime: false,
      },
      entries,
    );
    await fsp.rm(dir, { recursive: true, force: true });
    await fsp.rename(join(stage, name), dir);
    await fsp.rename(archiveTemp, archive);
  } catch (error) {
    await fsp.rm(archiveTemp, { force: true }).catch(() => {});
    if (error instanceof VouchError) throw error;
    throw new VouchError(
      'FILE_WRITE_FAILED',
      `cannot write the evidence to ${dir}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  } finally {
    await fsp.rm(stage, { recursive: true, force: true }).catch(() => {});
  }
  return { dir, archive, archiveSha256: sha256Hex(await fsp.readFile(archive)) };
}
