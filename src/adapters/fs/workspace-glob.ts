/**
 * Paths confined to the workspace (THREATS 33): patterns with `..` or absolute paths are refused,
 * symlinks are not followed while walking, and every match's real path must stay inside the
 * workspace, whether the match is a symlink itself or is reached through a symlinked directory
 * named in the pattern (`outlink/*` with `outlink -> ../out`).
 *
 *   expandWorkspaceGlobs(patterns, workspace)  release-file globs (sign, gate)
 *   confinedRealPath(root, path, label)        the one real-path check every match goes through
 *   confineWorkspacePath(workspace, path, input)  a path an action input names (to read or write)
 */
import { promises as fsp } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { VouchError } from '../../errors.ts';

/** True when `path` is `root` or below it (both absolute, already resolved). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * The real path of `path` (every symlink on the way resolved), refused with
 * PATH_OUTSIDE_WORKSPACE when it leaves `rootReal` (the workspace's own real path) or cannot be
 * resolved (a dangling link). `label` names the path in the message.
 */
export async function confinedRealPath(
  rootReal: string,
  path: string,
  label: string,
): Promise<string> {
  const link = await fsp.lstat(path).catch(() => undefined);
  const real = await fsp.realpath(path).catch(() => undefined);
  if (real === undefined) {
    throw new VouchError(
      'PATH_OUTSIDE_WORKSPACE',
      `${label} ${link?.isSymbolicLink() ? 'is a symbolic link to nothing' : 'cannot be resolved'}, so it cannot be shown to stay inside the workspace`,
    );
  }
  if (!isInside(rootReal, real)) {
    throw new VouchError(
      'PATH_OUTSIDE_WORKSPACE',
      `${label} ${link?.isSymbolicLink() ? 'is a symbolic link that points' : 'resolves through a symbolic link'} outside the workspace (to ${real})`,
    );
  }
  return real;
}

function refuseLexically(path: string, what: string): void {
  if (isAbsolute(path) || /^[a-zA-Z]:[\\/]/.test(path)) {
    throw new VouchError('PATH_OUTSIDE_WORKSPACE', `${what} "${path}" is an absolute path`);
  }
  if (path.split(/[\\/]/).includes('..')) {
    throw new VouchError('PATH_OUTSIDE_WORKSPACE', `${what} "${path}" climbs out with ".."`);
  }
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
    refuseLexically(pattern, 'the pattern');
    // node:fs glob lists symlinks as themselves and never walks into symlinked directories it
    // meets; a directory the pattern names literally is still read through its link, so every
    // match is checked by its real path, not only the matches that are links.
    for await (const entry of fsp.glob(pattern, { cwd: root, withFileTypes: true })) {
      const onDisk = join(entry.parentPath, entry.name);
      if (entry.isDirectory()) continue;
      const real = await confinedRealPath(root, onDisk, relative(root, onDisk));
      const stat = await fsp.stat(real);
      // Report paths under the workspace as given (it may itself be reached through a symlink).
      if (stat.isFile()) found.add(join(resolve(workspace), relative(root, onDisk)));
    }
  }
  return [...found].sort();
}

/**
 * Resolves a path an action input names (a file to read or a file or directory to write) and
 * refuses one that leaves the workspace: an absolute path elsewhere, `..`, or a symlink on the way (the
 * path itself or any existing directory above it) that points outside. The path need not exist:
 * its deepest existing ancestor is checked. Returns the absolute path under `workspace`.
 */
export async function confineWorkspacePath(
  workspace: string,
  path: string,
  input: string,
): Promise<string> {
  const base = resolve(workspace);
  const root = await fsp.realpath(base).catch((error: unknown) => {
    throw new VouchError('FILE_UNREADABLE', `workspace ${base} does not exist`, { cause: error });
  });
  // An absolute path under the workspace is what one action's output hands the next one's input
  // (`steps.sbom.outputs.cyclonedx-path`); any other absolute path, and `..`, are refused.
  const underWorkspace =
    isAbsolute(path) &&
    !path.split(/[\\/]/).includes('..') &&
    (isInside(base, path) || isInside(root, path));
  if (!underWorkspace) refuseLexically(path, `input "${input}"`);
  const abs = resolve(base, path);
  let probe = abs;
  while (probe !== base && (await fsp.lstat(probe).catch(() => undefined)) === undefined) {
    probe = dirname(probe);
  }
  await confinedRealPath(root, probe, `input "${input}" (${path})`);
  return abs;
}

/** Resolves one existing file path and checks it stays inside `workspace` (symlinks included). */
export async function resolveWorkspaceFile(path: string, workspace: string): Promise<string> {
  const root = await fsp.realpath(workspace);
  const abs = resolve(root, path);
  await fsp.realpath(abs).catch((error: unknown) => {
    throw new VouchError('FILE_UNREADABLE', `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  });
  await confinedRealPath(root, abs, path);
  return abs;
}
