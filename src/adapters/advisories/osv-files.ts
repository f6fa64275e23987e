/**
 * Offline advisory sources: a directory of OSV JSON records (any depth; an osv.dev export
 * unpacked, or github/advisory-database's tree) or a zip of them (osv.dev's per-ecosystem
 * `all.zip`). Records are handed on as text and decoded one at a time, with the safe JSON parser,
 * while the advisory database is built; a file that is not JSON is skipped there with a reason
 * naming it. Archives are refused when an entry has `..`, an absolute path or is a
 * symlink, or when they expand far beyond their size (THREATS 35).
 */
import { promises as fsp } from 'node:fs';
import { join, relative } from 'node:path';
import { MAX_RECORD_BYTES, type RawAdvisory } from '../../core/osv/database.ts';
import type { SkippedAdvisory } from '../../core/osv/model.ts';
import { VouchError } from '../../errors.ts';

/** Largest single record accepted (checked here before reading, and again when decoded). */
export { MAX_RECORD_BYTES };
/** Total bytes an archive may expand to. */
export const MAX_ARCHIVE_EXPANDED_BYTES = 4 * 1024 * 1024 * 1024;
/** How many times its own size an archive may expand to. */
export const MAX_ARCHIVE_RATIO = 200;

export interface LoadedAdvisories {
  /** Record texts: decoded one at a time while the database is built (bad JSON is skipped there). */
  readonly raw: RawAdvisory[];
  /** Files that were not read (symlinks, too large). */
  readonly skipped: SkippedAdvisory[];
}

/** Reads every `*.json` under `dir` (symlinks are not followed and are reported). */
export async function loadOsvDirectory(dir: string): Promise<LoadedAdvisories> {
  const raw: RawAdvisory[] = [];
  const skipped: SkippedAdvisory[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries = await fsp.readdir(current, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(current, entry.name);
      const rel = relative(dir, path);
      if (entry.isSymbolicLink()) {
        skipped.push({ id: rel, source: rel, reason: 'symbolic link: not followed' });
      } else if (entry.isDirectory()) {
        await walk(path);
      } else if (entry.isFile() && entry.name.endsWith('.json')) {
        const stat = await fsp.stat(path);
        if (stat.size > MAX_RECORD_BYTES) {
          skipped.push({ id: rel, source: rel, reason: `larger than ${MAX_RECORD_BYTES} bytes` });
          continue;
        }
        raw.push({ source: rel, text: await fsp.readFile(path, 'utf8') });
      }
    }
  };
  await walk(dir);
  return { raw, skipped };
}

/** Rejects entry names that could escape an extraction directory. */
export function checkEntryName(name: string): string | undefined {
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name))
    return 'absolute path';
  if (name.split(/[\\/]/).includes('..')) return '".." path segment';
  if (name.includes('\0')) return 'NUL in name';
  return undefined;
}

/** Reads every `*.json` entry of a zip, in memory (nothing is extracted to disk). */
export async function loadOsvZip(path: string): Promise<LoadedAdvisories> {
  const yauzl = (await import('yauzl')).default;
  const size = (await fsp.stat(path)).size;
  const limit = Math.min(
    MAX_ARCHIVE_EXPANDED_BYTES,
    Math.max(64 * 1024 * 1024, size * MAX_ARCHIVE_RATIO),
  );
  const raw: RawAdvisory[] = [];
  const skipped: SkippedAdvisory[] = [];
  const zip = await new Promise<import('yauzl').ZipFile>((resolve, reject) =>
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: false },
      (err, z) =>
        err
          ? reject(
              new VouchError(
                'ADVISORIES_INVALID',
                `${path} is not a readable zip: ${err.message}`,
                { cause: err },
              ),
            )
          : resolve(z!),
    ),
  );
  let expanded = 0;
  await new Promise<void>((resolve, reject) => {
    const fail = (error: unknown): void => {
      zip.close();
      reject(error);
    };
    zip.on('error', (err: Error) =>
      fail(
        // yauzl refuses escaping names itself before our own check sees them.
        /^(invalid relative path|absolute path|invalid characters in fileName): /.test(err.message)
          ? new VouchError('ARCHIVE_UNSAFE', `${path}: entry refused: ${err.message}`, {
              cause: err,
            })
          : new VouchError('ADVISORIES_INVALID', `${path}: ${err.message}`, { cause: err }),
      ),
    );
    zip.on('end', () => resolve());
    zip.on('entry', (entry: import('yauzl').Entry) => {
      const name = entry.fileName;
      const bad = checkEntryName(name);
      if (bad)
        return fail(new VouchError('ARCHIVE_UNSAFE', `${path}: entry "${name}" has an ${bad}`));
      const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
      if (mode === 0o120000)
        return fail(
          new VouchError('ARCHIVE_UNSAFE', `${path}: entry "${name}" is a symbolic link`),
        );
      if (name.endsWith('/') || !name.endsWith('.json')) return zip.readEntry();
      expanded += entry.uncompressedSize;
      if (expanded > limit) {
        return fail(
          new VouchError(
            'ARCHIVE_UNSAFE',
            `${path} expands to more than ${limit} bytes (${size} bytes on disk)`,
          ),
        );
      }
      if (entry.uncompressedSize > MAX_RECORD_BYTES) {
        skipped.push({
          id: name,
          source: `${path}!${name}`,
          reason: `larger than ${MAX_RECORD_BYTES} bytes`,
        });
        return zip.readEntry();
      }
      zip.openReadStream(entry, (err, stream) => {
        if (err || !stream)
          return fail(
            new VouchError('ADVISORIES_INVALID', `${path}!${name}: ${err?.message}`, {
              cause: err,
            }),
          );
        const chunks: Buffer[] = [];
        let got = 0;
        stream.on('data', (c: Buffer) => {
          got += c.length;
          if (got > MAX_RECORD_BYTES) {
            stream.destroy(
              new VouchError('ARCHIVE_UNSAFE', `${path}!${name} expands beyond its declared size`),
            );
            return;
          }
          chunks.push(c);
        });
        stream.on('error', (e) =>
          fail(
            e instanceof VouchError
              ? e
              : new VouchError('ARCHIVE_UNSAFE', `${path}!${name}: ${e.message}`, { cause: e }),
          ),
        );
        stream.on('end', () => {
          raw.push({ source: `${path}!${name}`, text: Buffer.concat(chunks).toString('utf8') });
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  return { raw, skipped };
}

/** A directory or a zip, told apart by what is on disk. */
export async function loadOsvSource(path: string): Promise<LoadedAdvisories> {
  let stat;
  try {
    stat = await fsp.stat(path);
  } catch (error) {
    throw new VouchError(
      'FILE_UNREADABLE',
      `advisory source ${path} does not exist or cannot be read`,
      { cause: error },
    );
  }
  if (stat.isDirectory()) return loadOsvDirectory(path);
  if (stat.isFile()) {
    const fd = await fsp.open(path, 'r');
    const head = Buffer.alloc(4);
    try {
      await fd.read(head, 0, 4, 0);
    } finally {
      await fd.close();
    }
    if (head.readUInt32LE(0) === 0x04034b50) return loadOsvZip(path);
    if (path.endsWith('.json')) {
      return { raw: [{ source: path, text: await fsp.readFile(path, 'utf8') }], skipped: [] };
    }
  }
  throw new VouchError(
    'ADVISORIES_INVALID',
    `${path} is neither a directory, a zip nor an OSV JSON file`,
  );
}
