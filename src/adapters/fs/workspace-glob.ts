/**
 * File globs confined to the workspace (THREATS 33): patterns with `..` or absolute paths are
 * refused, symlinks are not followed while walking, and every match's real path must stay inside
 * the workspace.
 */
import { promises as fsp } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
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
  const { glob } = await import('tinyglobby');
  for (const raw of patterns) {
    const pattern = raw.trim();
    if (pattern === '') continue;
    if (isAbsolute(pattern) || /^[a-zA-Z]:[\\/]/.test(pattern)) {
      throw new VouchError('PATH_OUTSIDE_WORKSPACE', `"${pattern}" is an absolute path`);
    }
    if (pattern.split(/[\\/]/).includes('..')) {
      throw new VouchError('PATH_OUTSIDE_WORKSPACE', `"${pattern}" climbs out with ".."`);
    }
    const matches = await glob(pattern, {
      cwd: root,
      onlyFiles: true,
      followSymbolicLinks: false,
      dot: false,
      expandDirectories: false,
    });
    for (const m of matches) {
      const abs = resolve(root, m);
      const real = await fsp.realpath(abs).catch(() => abs);
      if (!inside(root, real)) {
        throw new VouchError(
          'PATH_OUTSIDE_WORKSPACE',
          `${m} resolves outside the workspace (${real})`,
        );
      }
      const stat = await fsp.stat(real);
      if (stat.isFile()) found.add(abs);
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
  return join(abs.split(sep).join(sep));
}
