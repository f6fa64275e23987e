/**
 * File globs confined to the workspace (THREATS 33): patterns with `..` or absolute paths are
 * refused, symlinks are not followed while walking, and every match's real path must stay inside
 * the workspace.
 */
import { promises as fsp } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { VouchError } from '../../errors.ts';

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Expands globs (relative to `workspace`) to sorted absolute file paths inside it. */
export async function expandWorkspaceGlobs(
  patterns: readonly string[],
  workspace: string,
): Promise<string[]> {
  const root = await fsp.realpath(workspace);
  const found = new Set<string>();
  for (const raw of patterns) {
    const pattern = raw.trim();
    if (pattern === '') continue;
    if (isAbsolute(pattern) || /^[a-zA-Z]:[\\/]/.test(pattern)) {
      throw new VouchError('PATH_OUTSIDE_WORKSPACE', `"${pattern}" is an absolute path`);
    }
    if (pattern.split(/[\\/]/).includes('..')) {
      throw new VouchError('PATH_OUTSIDE_WORKSPACE', `"${pattern}" climbs out with ".."`);
    }
    // node:fs glob lists symlinks as themselves and never walks into symlinked directories, so
    // an escaping link is seen (and refused) instead of followed or silently skipped.
    for await (const entry of fsp.glob(pattern, { cwd: root, withFileTypes: true })) {
      const onDisk = join(entry.parentPath, entry.name);
      // Report paths under the workspace as given (it may itself be reached through a symlink).
      const abs = join(resolve(workspace), relative(root, onDisk));
      if (entry.isDirectory()) continue;
      if (entry.isSymbolicLink()) {
        const real = await fsp.realpath(onDisk).catch(() => undefined);
        if (real === undefined || !inside(root, real)) {
          throw new VouchError(
            'PATH_OUTSIDE_WORKSPACE',
            `${relative(root, onDisk)} is a symlink that resolves outside the workspace`,
          );
        }
        const stat = await fsp.stat(real);
        if (stat.isFile()) found.add(abs);
        continue;
      }
      if (entry.isFile()) found.add(abs);
    }
  }
  return [...found].sort();
}

/** Resolves one explicit file path and checks it stays inside `workspace` (symlinks included). */
export async function resolveWorkspaceFile(path: string, workspace: string): Promise<string> {
  const root = await fsp.realpath(workspace);
  const abs = resolve(root, path);
  const real = await fsp.realpath(abs).catch((error: unknown) => {
    throw new VouchError('FILE_UNREADABLE', `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  });
  if (!inside(root, real)) {
    throw new VouchError('PATH_OUTSIDE_WORKSPACE', `${path} resolves outside the workspace`);
  }
  return abs;
}
