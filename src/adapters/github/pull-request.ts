/** Reading a pull request through the REST API: the pull itself, its files, reviews and commits. */
import type { ReviewRecord, ReviewState } from '../../core/exceptions/approval.ts';
import { VouchError } from '../../errors.ts';
import type { GitHubClient } from './client.ts';

export interface PullRequestRef {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
}

export interface PullRequestInfo {
  readonly number: number;
  readonly author: string;
  readonly headSha: string;
  readonly baseSha: string;
  readonly baseRef: string;
  readonly headRef: string;
  /** `owner/name` of the repository the head branch lives in (a fork's, for fork pull requests). */
  readonly headRepo?: string;
  readonly changedFiles: number;
  readonly merged: boolean;
  readonly mergedAt?: string;
  readonly mergeCommitSha?: string;
  readonly htmlUrl: string;
}

export interface PullRequestFile {
  readonly filename: string;
  /** added | removed | modified | renamed | copied | changed | unchanged */
  readonly status: string;
  readonly previousFilename?: string;
  readonly sha?: string;
  readonly changes: number;
}

/** GitHub lists at most 3,000 files of a pull request; beyond that the review cannot see them all. */
export const MAX_PULL_REQUEST_FILES = 3000;

function need<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) {
    throw new VouchError('GITHUB_RESPONSE_INVALID', `the GitHub response has no ${what}`);
  }
  return value;
}

export async function getPullRequest(
  client: GitHubClient,
  ref: PullRequestRef,
): Promise<PullRequestInfo> {
  const { data } = await client.rest.pulls.get({
    owner: ref.owner,
    repo: ref.repo,
    pull_number: ref.number,
  });
  return {
    number: data.number,
    author: need(data.user?.login, 'pull request author'),
    headSha: need(data.head?.sha, 'head sha'),
    baseSha: need(data.base?.sha, 'base sha'),
    baseRef: need(data.base?.ref, 'base ref'),
    headRef: need(data.head?.ref, 'head ref'),
    ...(data.head?.repo?.full_name ? { headRepo: data.head.repo.full_name } : {}),
    changedFiles: data.changed_files ?? 0,
    merged: data.merged === true || Boolean(data.merged_at),
    ...(data.merged_at ? { mergedAt: data.merged_at } : {}),
    ...(data.merge_commit_sha ? { mergeCommitSha: data.merge_commit_sha } : {}),
    htmlUrl: data.html_url,
  };
}

/** Every file of the pull request, across pages. More than GitHub can list is a coded error. */
export async function listPullRequestFiles(
  client: GitHubClient,
  ref: PullRequestRef,
  changedFiles?: number,
): Promise<PullRequestFile[]> {
  if (changedFiles !== undefined && changedFiles > MAX_PULL_REQUEST_FILES) {
    throw new VouchError(
      'EXCEPTIONS_DIFF_TOO_LARGE',
      `pull request #${ref.number} changes ${changedFiles} files; GitHub lists at most ${MAX_PULL_REQUEST_FILES}, so the review cannot see every change`,
    );
  }
  const files = await client.paginate(client.rest.pulls.listFiles, {
    owner: ref.owner,
    repo: ref.repo,
    pull_number: ref.number,
    per_page: 100,
  });
  if (
    files.length >= MAX_PULL_REQUEST_FILES &&
    (changedFiles === undefined || changedFiles > files.length)
  ) {
    throw new VouchError(
      'EXCEPTIONS_DIFF_TOO_LARGE',
      `pull request #${ref.number} lists ${files.length} files, the most GitHub returns; the review cannot see every change`,
    );
  }
  return files.map((f) => ({
    filename: f.filename,
    status: f.status,
    ...(f.previous_filename ? { previousFilename: f.previous_filename } : {}),
    ...(f.sha ? { sha: f.sha } : {}),
    changes: f.changes,
  }));
}

const STATES = new Set<ReviewState>([
  'APPROVED',
  'CHANGES_REQUESTED',
  'COMMENTED',
  'DISMISSED',
  'PENDING',
]);

/** Every review, across pages, in the order GitHub gives them (chronological). */
export async function listPullRequestReviews(
  client: GitHubClient,
  ref: PullRequestRef,
): Promise<ReviewRecord[]> {
  const reviews = await client.paginate(client.rest.pulls.listReviews, {
    owner: ref.owner,
    repo: ref.repo,
    pull_number: ref.number,
    per_page: 100,
  });
  const out: ReviewRecord[] = [];
  for (const r of reviews) {
    if (!r.user?.login) continue; // deleted accounts ("ghost") cannot approve
    const state = String(r.state).toUpperCase() as ReviewState;
    if (!STATES.has(state)) continue;
    out.push({
      id: r.id,
      user: r.user.login,
      state,
      commitId: r.commit_id ?? '',
      ...(r.submitted_at ? { submittedAt: r.submitted_at } : {}),
    });
  }
  return out;
}

/**
 * Who pushed the current head, as far as the API can tell: the actor of the push that moved the
 * head branch to the head commit (repository activity, for branches of this repository), and the
 * author and committer of the head commit (GitHub's web-flow committer is skipped).
 */
export async function findLastPushers(
  client: GitHubClient,
  ref: PullRequestRef,
  pull: Pick<PullRequestInfo, 'headSha' | 'headRef' | 'headRepo'>,
): Promise<string[]> {
  const headSha = pull.headSha;
  const commits = await client.paginate(client.rest.pulls.listCommits, {
    owner: ref.owner,
    repo: ref.repo,
    pull_number: ref.number,
    per_page: 100,
  });
  let head = commits.find((c) => c.sha === headSha);
  if (!head) {
    // pulls/commits stops at 250 commits; ask for the head commit itself.
    const { data } = await client.rest.repos.getCommit({
      owner: ref.owner,
      repo: ref.repo,
      ref: headSha,
    });
    head = data as unknown as (typeof commits)[number];
  }
  const logins = new Set<string>();
  if (head.author?.login) logins.add(head.author.login);
  if (head.committer?.login && head.committer.login !== 'web-flow')
    logins.add(head.committer.login);
  if (pull.headRepo?.toLowerCase() === `${ref.owner}/${ref.repo}`.toLowerCase()) {
    try {
      const { data } = await client.rest.repos.listActivities({
        owner: ref.owner,
        repo: ref.repo,
        ref: `refs/heads/${pull.headRef}`,
        per_page: 100,
      });
      for (const activity of data) {
        if (activity.after === headSha && activity.actor?.login) logins.add(activity.actor.login);
      }
    } catch (error) {
      // Older GitHub Enterprise servers lack the endpoint; commit metadata still applies.
      if (!(error instanceof VouchError) || error.code !== 'GITHUB_NOT_FOUND') throw error;
    }
  }
  return [...logins];
}
