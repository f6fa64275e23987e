/** Reading a repository through the REST API: files at a ref, CODEOWNERS, team membership, branches. */
import { CODEOWNERS_LOCATIONS } from '../../core/exceptions/codeowners.ts';
import { VouchError } from '../../errors.ts';
import type { GitHubClient } from './client.ts';

export type FileAtRef =
  | { readonly state: 'absent' }
  | { readonly state: 'file'; readonly text: string; readonly sha: string };

/** Largest control file vouch reads through the API (1 MiB, the contents API's own inline limit). */
export const MAX_CONTROL_FILE_BYTES = 1024 * 1024;

/**
 * The text of `path` at `ref`. A symlink, a directory or a submodule is refused; a file larger
 * than the limit is a coded error; a missing file is `absent`.
 */
export async function readFileAtRef(
  client: GitHubClient,
  owner: string,
  repo: string,
  path: string,
  ref: string,
  maxBytes: number = MAX_CONTROL_FILE_BYTES,
): Promise<FileAtRef> {
  let data: unknown;
  try {
    ({ data } = await client.rest.repos.getContent({ owner, repo, path, ref }));
  } catch (error) {
    if (error instanceof VouchError && error.code === 'GITHUB_NOT_FOUND')
      return { state: 'absent' };
    throw error;
  }
  if (Array.isArray(data)) {
    throw new VouchError('INPUT_INVALID', `${path} at ${ref} is a directory, not a file`);
  }
  const entry = data as {
    type?: string;
    path?: string;
    size?: number;
    content?: string;
    encoding?: string;
    sha?: string;
    target?: string;
  };
  // The contents API follows a symlink to a file inside the repository and answers with the
  // target: a different path in the answer means the requested path is a link.
  if (
    entry.type === 'symlink' ||
    (entry.path !== undefined && entry.path !== path.replace(/^\/+/, ''))
  ) {
    throw new VouchError(
      'PATH_IS_SYMLINK',
      `${path} at ${ref} is a symbolic link${entry.target ? ` to ${entry.target}` : ''}`,
    );
  }
  if (entry.type !== 'file') {
    throw new VouchError(
      'INPUT_INVALID',
      `${path} at ${ref} is a ${entry.type ?? 'non-file'}, not a file`,
    );
  }
  if ((entry.size ?? 0) > maxBytes) {
    throw new VouchError(
      'EXCEPTIONS_DIFF_TOO_LARGE',
      `${path} at ${ref} is ${entry.size} bytes; vouch reads files of this kind up to ${maxBytes} bytes`,
    );
  }
  if (entry.encoding === 'none' && entry.sha) {
    // Files over 1 MiB come without content: read the blob (up to 100 MiB).
    const { data: blob } = await client.rest.git.getBlob({ owner, repo, file_sha: entry.sha });
    return {
      state: 'file',
      text: Buffer.from(blob.content, 'base64').toString('utf8'),
      sha: entry.sha,
    };
  }
  if (entry.encoding !== 'base64' || typeof entry.content !== 'string') {
    throw new VouchError(
      'GITHUB_RESPONSE_INVALID',
      `${path} at ${ref}: contents response has no base64 content`,
    );
  }
  return {
    state: 'file',
    text: Buffer.from(entry.content, 'base64').toString('utf8'),
    sha: entry.sha ?? '',
  };
}

/** The CODEOWNERS file GitHub would use at `ref` (first of .github/, root, docs/), if any. */
export async function readCodeOwnersFile(
  client: GitHubClient,
  owner: string,
  repo: string,
  ref: string,
): Promise<{ path: string; text: string } | undefined> {
  for (const path of CODEOWNERS_LOCATIONS) {
    const file = await readFileAtRef(client, owner, repo, path, ref);
    if (file.state === 'file') return { path, text: file.text };
  }
  return undefined;
}

/** True when `login` is an active member of `org/team` (a pending invitation is not membership). */
export async function isTeamMember(
  client: GitHubClient,
  team: string,
  login: string,
): Promise<boolean> {
  const m = /^@?([^/]+)\/(.+)$/.exec(team);
  if (!m) throw new VouchError('INPUT_INVALID', `"${team}" is not a team of the form org/team`);
  try {
    const { data } = await client.rest.teams.getMembershipForUserInOrg({
      org: m[1]!,
      team_slug: m[2]!,
      username: login,
    });
    return data.state === 'active';
  } catch (error) {
    if (error instanceof VouchError && error.code === 'GITHUB_NOT_FOUND') return false;
    throw error;
  }
}

/** Whether `branch` is protected (or covered by a ruleset GitHub reports as protection). */
export async function isBranchProtected(
  client: GitHubClient,
  owner: string,
  repo: string,
  branch: string,
): Promise<boolean> {
  const { data } = await client.rest.repos.getBranch({ owner, repo, branch });
  return data.protected === true;
}

export async function getDefaultBranch(
  client: GitHubClient,
  owner: string,
  repo: string,
): Promise<string> {
  const { data } = await client.rest.repos.get({ owner, repo });
  return data.default_branch;
}
