/** The GitHub writes of a review: one pull-request comment kept up to date, and a check or status. */
import type { GitHubClient } from './client.ts';

export interface CommentTarget {
  readonly owner: string;
  readonly repo: string;
  readonly issueNumber: number;
}

/**
 * Creates the comment carrying `marker`, or updates it in place when it exists. Only comments
 * written by a bot (the workflow token's identity) are candidates, so a person cannot plant a
 * comment with the marker to have it edited.
 */
export async function upsertPullRequestComment(
  client: GitHubClient,
  target: CommentTarget,
  marker: string,
  body: string,
): Promise<{ id: number; url: string; created: boolean }> {
  const comments = await client.paginate(client.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
  });
  const mine = comments.find((c) => c.body?.includes(marker) && c.user?.type === 'Bot');
  if (mine) {
    const { data } = await client.rest.issues.updateComment({
      owner: target.owner,
      repo: target.repo,
      comment_id: mine.id,
      body,
    });
    return { id: data.id, url: data.html_url, created: false };
  }
  const { data } = await client.rest.issues.createComment({
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    body,
  });
  return { id: data.id, url: data.html_url, created: true };
}

export interface CheckReport {
  readonly owner: string;
  readonly repo: string;
  readonly headSha: string;
  /** Check name or status context; what branch protection requires. */
  readonly name: string;
  readonly success: boolean;
  readonly title: string;
  /** Markdown. */
  readonly summary: string;
  readonly detailsUrl?: string;
}

/** A completed check run on the head commit. */
export async function createCheckRun(
  client: GitHubClient,
  report: CheckReport,
): Promise<{ id: number; url: string }> {
  const { data } = await client.rest.checks.create({
    owner: report.owner,
    repo: report.repo,
    name: report.name,
    head_sha: report.headSha,
    status: 'completed',
    conclusion: report.success ? 'success' : 'failure',
    output: { title: report.title.slice(0, 255), summary: report.summary.slice(0, 65_000) },
    ...(report.detailsUrl ? { details_url: report.detailsUrl } : {}),
  });
  return { id: data.id, url: data.html_url ?? '' };
}

/** A commit status on the head commit (for tokens without checks: write). */
export async function createCommitStatus(
  client: GitHubClient,
  report: CheckReport,
): Promise<{ id: number; url: string }> {
  const { data } = await client.rest.repos.createCommitStatus({
    owner: report.owner,
    repo: report.repo,
    sha: report.headSha,
    state: report.success ? 'success' : 'failure',
    context: report.name,
    description: report.title.slice(0, 140),
    ...(report.detailsUrl ? { target_url: report.detailsUrl } : {}),
  });
  return { id: data.id, url: data.url };
}
