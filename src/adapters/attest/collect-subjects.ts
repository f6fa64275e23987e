/**
 * Turns what a user typed into subjects: file paths and globs (confined to the workspace, hashed
 * with sha256), sha256sum checksum files, `NAME@sha256:HEX`, and OCI references with a digest.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import {
  mergeSubjects,
  parseChecksums,
  parseDigestSubject,
  type OciReference,
  type Subject,
} from '../../core/subjects/subjects.ts';
import { VouchError } from '../../errors.ts';
import { confinedRealPath, isInside as inside } from '../fs/workspace-glob.ts';

export interface CollectSubjectsOptions {
  /** Workspace root: every file subject must resolve inside it. */
  readonly workspace: string;
  /** Paths, globs, NAME@sha256:HEX or OCI references with a digest. */
  readonly specs: readonly string[];
  /** sha256sum-format files. */
  readonly checksums?: readonly string[];
  /** Hashing parallelism (default 16). */
  readonly concurrency?: number;
}

export interface CollectedSubjects {
  /** Merged, sorted, deduplicated. */
  readonly subjects: Subject[];
  /** OCI images among the subjects (for the OCI store). */
  readonly images: OciReference[];
  /** Subject name → absolute file path, for subjects read from files. */
  readonly files: ReadonlyMap<string, string>;
}

const MAX_CHECKSUMS_BYTES = 64 * 1024 * 1024;

/** sha256 of a file, streamed. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

/** Expands one path or glob to absolute file paths inside the workspace. */
async function expandPattern(
  workspaceReal: string,
  workspace: string,
  spec: string,
): Promise<string[]> {
  const normalized = spec.replace(/\\/g, '/');
  if (
    isAbsolute(normalized) &&
    !inside(workspace, normalized) &&
    !inside(workspaceReal, normalized)
  ) {
    throw new VouchError(
      'PATH_OUTSIDE_WORKSPACE',
      `subject "${spec}" is outside the workspace ${workspace}`,
    );
  }
  const relPattern = isAbsolute(normalized)
    ? relative(workspace, normalized).replace(/\\/g, '/')
    : normalized;
  if (relPattern.split('/').includes('..')) {
    const target = resolve(workspace, relPattern);
    if (!inside(workspace, target)) {
      throw new VouchError(
        'PATH_OUTSIDE_WORKSPACE',
        `subject "${spec}" escapes the workspace through ".."`,
      );
    }
  }
  let matches: string[];
  if (isDynamicPattern(relPattern)) {
    matches = await glob(relPattern, {
      cwd: workspace,
      absolute: true,
      onlyFiles: true,
      followSymbolicLinks: false,
      dot: true,
      expandDirectories: false,
    });
    if (matches.length === 0) {
      throw new VouchError(
        'SUBJECT_NONE',
        `the pattern "${spec}" matches no files in ${workspace}`,
      );
    }
  } else {
    const path = resolve(workspace, relPattern);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new VouchError('FILE_UNREADABLE', `subject file "${spec}" does not exist`);
    if (info.isDirectory()) {
      throw new VouchError('SUBJECT_INVALID', `subject "${spec}" is a directory`, {
        hint: `Name the files, or use a glob such as "${relPattern.replace(/\/$/, '')}/*".`,
      });
    }
    matches = [path];
  }
  const out: string[] = [];
  for (const m of matches.sort()) {
    const real = await confinedRealPath(workspaceReal, m, `subject "${relative(workspace, m)}"`);
    const info = await stat(real);
    if (info.isFile()) out.push(m);
  }
  return out;
}

export async function collectSubjects(options: CollectSubjectsOptions): Promise<CollectedSubjects> {
  const workspace = resolve(options.workspace);
  const workspaceReal = await realpath(workspace).catch(() => {
    throw new VouchError('FILE_UNREADABLE', `workspace ${workspace} does not exist`);
  });
  const subjects: Subject[] = [];
  const images: OciReference[] = [];
  const filePaths: string[] = [];
  for (const spec of options.specs) {
    // An existing file wins over a look-alike image reference (`dist.v2/app:1`).
    const onDisk = await lstat(resolve(workspace, spec)).then(
      () => true,
      () => false,
    );
    const byDigest = onDisk ? undefined : parseDigestSubject(spec);
    if (byDigest) {
      subjects.push(byDigest.subject);
      if (byDigest.oci) images.push(byDigest.oci);
      continue;
    }
    filePaths.push(...(await expandPattern(workspaceReal, workspace, spec)));
  }
  for (const file of options.checksums ?? []) {
    const path = resolve(workspace, file);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile())
      throw new VouchError('FILE_UNREADABLE', `checksums file "${file}" cannot be read`);
    if (info.size > MAX_CHECKSUMS_BYTES) {
      throw new VouchError(
        'FILE_TOO_LARGE',
        `checksums file "${file}" is larger than ${MAX_CHECKSUMS_BYTES} bytes`,
      );
    }
    subjects.push(...parseChecksums(await readFile(path, 'utf8'), file));
  }
  const unique = [...new Set(filePaths)];
  const hashed = await mapLimit(unique, options.concurrency ?? 16, async (path) => ({
    name: basename(path),
    path,
    sha256: await hashFile(path),
  }));
  const files = new Map<string, string>();
  for (const h of hashed) {
    subjects.push({ name: h.name, digest: { sha256: h.sha256 } });
    const seen = files.get(h.name);
    if (seen === undefined) files.set(h.name, h.path);
  }
  return { subjects: mergeSubjects(subjects), images, files };
}
