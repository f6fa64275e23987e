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
  /** The file's text as committed. */
  readonly text: string;
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
  return { file: parseExceptions(text, `${clean}@${ref}`), source: 'git-ref', ref, commit, text };
}

/** The branch the gate reads exceptions from in a local repository, and how it was chosen. */
export interface LocalExceptionsRef {
  /** The ref to read (`origin/main`, `main`, or the one given). */
  readonly ref: string;
  /** Its full name (`refs/remotes/origin/main`, `refs/heads/main`). */
  readonly fullRef: string;
  readonly branchFrom: 'origin-head' | 'init-default-branch' | 'explicit';
}

async function gitQuiet(repoDir: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', args, { cwd: repoDir, encoding: 'utf8' });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The default branch as the local repository knows it: refs/remotes/origin/HEAD, else init.defaultBranch when that branch exists. */
async function localDefaultBranch(
  repoDir: string,
): Promise<{ fullRef: string; branchFrom: 'origin-head' | 'init-default-branch' } | undefined> {
  const originHead = await gitQuiet(repoDir, ['symbolic-ref', '-q', 'refs/remotes/origin/HEAD']);
  if (originHead?.startsWith('refs/remotes/origin/')) {
    return { fullRef: originHead, branchFrom: 'origin-head' };
  }
  const configured = await gitQuiet(repoDir, ['config', '--get', 'init.defaultBranch']);
  if (configured && !configured.startsWith('-')) {
    const full = `refs/heads/${configured}`;
    if (await gitQuiet(repoDir, ['rev-parse', '--verify', '-q', '--end-of-options', full])) {
      return { fullRef: full, branchFrom: 'init-default-branch' };
    }
  }
  return undefined;
}

const shortRef = (full: string): string => full.replace(/^refs\/(heads|remotes)\//, '');
const branchName = (full: string): string =>
  full.startsWith('refs/remotes/')
    ? full.replace(/^refs\/remotes\/[^/]+\//, '')
    : full.replace(/^refs\/heads\//, '');

/**
 * Chooses the branch to read release exceptions from in a local repository, never the working
 * tree: the default branch as git knows it (refs/remotes/origin/HEAD, else init.defaultBranch when
 * that branch exists). A ref given explicitly must be a branch, and, when git knows the default
 * branch, that branch (the same remote-tracking ref when origin/HEAD names it). Returns undefined
 * when no ref was given and git knows no default branch.
 */
export async function resolveLocalExceptionsRef(
  repoDir: string,
  explicit: string | undefined,
): Promise<LocalExceptionsRef | undefined> {
  const known = await localDefaultBranch(repoDir);
  if (explicit === undefined) {
    return known ? { ref: shortRef(known.fullRef), ...known } : undefined;
  }
  if (
    explicit === '' ||
    explicit.startsWith('-') ||
    /[\s:]/.test(explicit) ||
    explicit === 'HEAD' ||
    /^[0-9a-f]{7,40}$/i.test(explicit)
  ) {
    throw new VouchError(
      'EXCEPTIONS_REF_NOT_DEFAULT',
      `exceptions ref "${explicit}" names the tree being released or a commit, not the default branch`,
    );
  }
  // `explicit` cannot start with `-` (refused above), so it is never read as an option.
  let full = await gitQuiet(repoDir, ['rev-parse', '--symbolic-full-name', explicit]);
  if (full?.endsWith('/HEAD') && full.startsWith('refs/remotes/')) {
    full = await gitQuiet(repoDir, ['symbolic-ref', '-q', full]);
  }
  if (full === undefined) {
    throw new VouchError(
      'GIT_REF_UNREADABLE',
      `exceptions ref "${explicit}" does not exist in the local repository`,
    );
  }
  if (!full.startsWith('refs/heads/') && !full.startsWith('refs/remotes/')) {
    throw new VouchError(
      'EXCEPTIONS_REF_NOT_DEFAULT',
      `exceptions ref "${explicit}" is ${full}, not a branch`,
    );
  }
  if (known) {
    const same =
      known.branchFrom === 'origin-head'
        ? full === known.fullRef
        : branchName(full) === branchName(known.fullRef);
    if (!same) {
      throw new VouchError(
        'EXCEPTIONS_REF_NOT_DEFAULT',
        `exceptions ref "${explicit}" (${full}) is not the default branch as git knows it: ${known.fullRef} (from ${known.branchFrom === 'origin-head' ? 'refs/remotes/origin/HEAD' : 'init.defaultBranch'})`,
      );
    }
    return { ref: explicit, fullRef: full, branchFrom: known.branchFrom };
  }
  return { ref: explicit, fullRef: full, branchFrom: 'explicit' };
}
