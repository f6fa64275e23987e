/**
 * The local counterpart of loadReleaseExceptions: the exceptions file as committed at a ref of
 * the local repository (`git show REF:PATH`, run with execFile, never a shell), not as it is in
 * the working tree.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ExceptionsFile } from '../../core/exceptions/model.ts';
import { parseExceptions } from '../../core/exceptions/parse.ts';
import { VouchError } from '../../errors.ts';

const run = promisify(execFile);

export interface GitRefExceptions {
  readonly file: ExceptionsFile;
  readonly source: 'git-ref';
  readonly ref: string;
  /** The commit the ref resolved to. */
  readonly commit: string;
}

async function git(repoDir: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, {
      cwd: repoDir,
      maxBuffer: 16 * 1024 * 1024,
      encoding: 'utf8',
    });
    return stdout;
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    throw new VouchError(
      'GIT_REF_UNREADABLE',
      `git ${args.join(' ')} failed: ${stderr || (error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

export async function loadExceptionsFromGitRef(
  repoDir: string,
  ref: string,
  path: string,
): Promise<GitRefExceptions> {
  if (ref === '' || ref.startsWith('-') || /[\s:]/.test(ref)) {
    throw new VouchError('INPUT_INVALID', `"${ref}" is not a git ref vouch accepts`);
  }
  const clean = path.replace(/^\.?\/+/, '');
  if (clean === '' || clean.startsWith('-') || clean.split('/').includes('..')) {
    throw new VouchError('PATH_OUTSIDE_WORKSPACE', `"${path}" is not a path inside the repository`);
  }
  const commit = (
    await git(repoDir, ['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`])
  ).trim();
  const tree = (await git(repoDir, ['ls-tree', commit, '--', clean])).trim();
  if (tree === '')
    throw new VouchError(
      'GIT_REF_UNREADABLE',
      `${clean} does not exist at ${ref} (${commit.slice(0, 12)})`,
    );
  const mode = tree.split(/\s/)[0];
  if (mode === '120000')
    throw new VouchError('PATH_IS_SYMLINK', `${clean} at ${ref} is a symbolic link`);
  if (mode !== '100644' && mode !== '100755') {
    throw new VouchError(
      'INPUT_INVALID',
      `${clean} at ${ref} is not a regular file (mode ${mode})`,
    );
  }
  const text = await git(repoDir, ['show', `${commit}:${clean}`]);
  return { file: parseExceptions(text, `${clean}@${ref}`), source: 'git-ref', ref, commit };
}
