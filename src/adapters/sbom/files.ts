/** Release files as SBOM components: globs confined to the workspace, streamed SHA-256 + SHA-512. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { VouchError } from '../../errors.ts';
import type { ComponentHash, SbomComponent } from '../../core/sbom/model.ts';

const READ_SIZE = 1024 * 1024;

/** SHA-256 and SHA-512 of a file in one pass, 1 MiB reads. */
export async function hashFile(path: string): Promise<ComponentHash[]> {
  const sha256 = createHash('sha256');
  const sha512 = createHash('sha512');
  const stream = createReadStream(path, { highWaterMark: READ_SIZE });
  for await (const chunk of stream) {
    sha256.update(chunk as Buffer);
    sha512.update(chunk as Buffer);
  }
  return [
    { alg: 'SHA-256', content: sha256.digest('hex') },
    { alg: 'SHA-512', content: sha512.digest('hex') },
  ];
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Expands the globs (relative to `workspace`) to regular files inside it. Refuses `..`
 * segments, absolute paths outside the workspace, and symlinks whose target is outside.
 */
export async function resolveReleaseFiles(
  patterns: readonly string[],
  workspace: string,
): Promise<string[]> {
  if (patterns.length === 0) return [];
  const root = await realpath(workspace);
  const relPatterns: string[] = [];
  for (const raw of patterns) {
    const pattern = raw.trim();
    if (pattern === '') continue;
    let rel = pattern;
    if (isAbsolute(pattern)) {
      const abs = resolve(pattern);
      if (!inside(resolve(workspace), abs) && !inside(root, abs)) {
        throw new VouchError(
          'PATH_OUTSIDE_WORKSPACE',
          `the file pattern "${pattern}" is outside the workspace ${workspace}`,
        );
      }
      rel = relative(inside(root, abs) ? root : resolve(workspace), abs) || '.';
    }
    if (rel.split(/[\\/]/).includes('..')) {
      throw new VouchError(
        'PATH_OUTSIDE_WORKSPACE',
        `the file pattern "${pattern}" climbs out of the workspace with ".."`,
      );
    }
    relPatterns.push(rel.split(sep).join('/'));
  }
  const { glob } = await import('tinyglobby');
  const found = new Set<string>();
  for (const pattern of relPatterns) {
    const matches = await glob(pattern, {
      cwd: root,
      onlyFiles: false,
      dot: false,
      followSymbolicLinks: true,
      expandDirectories: false,
    });
    if (matches.length === 0) {
      throw new VouchError(
        'SBOM_NO_FILES_MATCHED',
        `the file pattern "${pattern}" matched no file in ${workspace}`,
      );
    }
    for (const m of matches) {
      const abs = resolve(root, m);
      const info = await lstat(abs);
      if (!inside(root, await realpath(abs))) {
        throw new VouchError(
          'PATH_OUTSIDE_WORKSPACE',
          `${m} resolves through a symbolic link to ${await realpath(abs)}, outside the workspace`,
        );
      }
      if (info.isSymbolicLink()) {
        const target = await realpath(abs);
        if (!inside(root, target)) {
          throw new VouchError(
            'PATH_OUTSIDE_WORKSPACE',
            `${m} is a symbolic link to ${target}, outside the workspace`,
          );
        }
        if (!(await stat(target)).isFile()) continue;
      } else if (!info.isFile()) continue;
      found.add(m);
    }
  }
  return [...found].sort();
}

/** File components (type `file`, name = path relative to the workspace). */
export async function releaseFileComponents(
  patterns: readonly string[],
  workspace: string,
): Promise<SbomComponent[]> {
  const files = await resolveReleaseFiles(patterns, workspace);
  const root = await realpath(workspace);
  return Promise.all(
    files.map(async (rel) => ({
      ref: `file:${rel}`,
      type: 'file' as const,
      name: rel,
      ecosystem: 'generic' as const,
      scope: 'required' as const,
      hashes: await hashFile(resolve(root, rel)),
      externalReferences: [],
    })),
  );
}
