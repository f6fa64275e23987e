import { readFileSync } from 'node:fs';
import { REVIEW_COMMENT_MARKER, renderReviewComment } from '../../core/exceptions/review.ts';
import { parseJsonSafe } from '../../core/safe-parse.ts';
import { createGitHubClient, splitRepo } from '../../adapters/github/client.ts';
import { readPullRequestEvent } from '../../adapters/github/event.ts';
import {
  createCheckRun,
  createCommitStatus,
  upsertPullRequestComment,
} from '../../adapters/github/report.ts';
import {
  loadAdvisorySeverities,
  reviewPullRequest,
} from '../../adapters/github/review-pull-request.ts';
import { toVouchError, VouchError } from '../../errors.ts';
import type { ActionDeps } from '../shared/run.ts';
import type { Inputs } from './inputs.ts';

export const OUTPUTS = ['verdict', 'comment-url'] as const;

/** The check name (or status context) branch protection requires. */
export const CHECK_NAME = 'vouch/exceptions-review';

function parseNow(value: string | undefined): Date {
  if (!value) return new Date();
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new VouchError('INPUT_INVALID', `VOUCH_NOW "${value}" is not an ISO date`);
  }
  return date;
}

/** Codes of a GitHub API that did not answer usefully: the review could not be decided. */
const API_FAILURES = new Set(['GITHUB_RATE_LIMITED', 'GITHUB_API_FAILED', 'GITHUB_AUTH_FAILED']);

/**
 * The head commit named by the event payload (`pull_request.head.sha`), so that a failing check
 * can be posted even when the API refuses to say it. Undefined when the payload does not name one.
 */
function headShaOfEvent(eventPath: string | undefined): string | undefined {
  if (!eventPath) return undefined;
  try {
    const event = parseJsonSafe(readFileSync(eventPath, 'utf8'), eventPath, {
      maxBytes: 25 * 1024 * 1024,
    }) as { pull_request?: { head?: { sha?: unknown } } };
    const sha = event.pull_request?.head?.sha;
    return typeof sha === 'string' && /^[0-9a-f]{40}$/.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}

export async function run(inputs: Inputs, deps: ActionDeps): Promise<void> {
  const { logger } = deps;
  const { owner, repo } = splitRepo(inputs.repository);
  const event = readPullRequestEvent(inputs.eventPath, inputs.eventName);
  const now = parseNow(inputs.now);
  const client = createGitHubClient({
    token: inputs.githubToken,
    ...(inputs.apiUrl ? { baseUrl: inputs.apiUrl } : {}),
    logger,
  });
  const post = async (
    success: boolean,
    title: string,
    summary: string,
    headSha: string,
  ): Promise<boolean> => {
    const report = {
      owner,
      repo,
      headSha,
      name: CHECK_NAME,
      success,
      title,
      summary,
      ...(inputs.runUrl ? { detailsUrl: inputs.runUrl } : {}),
    };
    try {
      if (inputs.reportAs === 'status') await createCommitStatus(client, report);
      else await createCheckRun(client, report);
      return true;
    } catch (error) {
      // The step's own result still blocks; a read-only token (fork pull requests) cannot write checks.
      logger.warn(`could not post the ${inputs.reportAs}: ${toVouchError(error).message}`);
      return false;
    }
  };

  let review;
  try {
    review = await logger.group(
      `Reviewing ${inputs.exceptions} in pull request #${event.number}`,
      () =>
        reviewPullRequest({
          client,
          owner,
          repo,
          number: event.number,
          path: inputs.exceptions,
          ...(inputs.policy ? { policyPath: inputs.policy } : {}),
          approverTeams: inputs.approverTeams,
          now,
          ...(event.pusher ? { pusher: event.pusher } : {}),
          advisories: () =>
            loadAdvisorySeverities({
              sources: inputs.advisories,
              ...(inputs.sbom ? { sbom: inputs.sbom } : {}),
              cwd: deps.workspace,
              ...(inputs.githubToken ? { githubToken: inputs.githubToken } : {}),
              logger,
            }),
          logger,
        }),
    );
  } catch (thrown) {
    const error = toVouchError(thrown);
    deps.setOutput('verdict', 'fail');
    deps.setOutput('comment-url', '');
    // Fail closed: a failing check replaces any earlier success on the same head commit (an
    // approval since dismissed, say), so branch protection blocks. Best effort: when GitHub does
    // not answer this either, the step still fails with the original error.
    const body = `${REVIEW_COMMENT_MARKER}\n### ❌ vouch exceptions review: blocked\n\nThe review could not be completed, so nothing is approved:\n\n~~~\n[${error.code}] ${error.message}\n~~~\n\n${error.hint}\n`;
    let headSha = headShaOfEvent(inputs.eventPath);
    if (!headSha) {
      try {
        const { data } = await client.rest.pulls.get({ owner, repo, pull_number: event.number });
        headSha = data.head.sha;
      } catch (secondary) {
        logger.warn(
          `could not find the head commit to post a failing ${inputs.reportAs} on: ${toVouchError(secondary).message}`,
        );
      }
    }
    const posted = headSha ? await post(false, `blocked: [${error.code}]`, body, headSha) : false;
    // When the API failed and refused the check too, the comment is not tried: it would fail alike.
    if (posted || !API_FAILURES.has(error.code)) {
      try {
        await upsertPullRequestComment(
          client,
          { owner, repo, issueNumber: event.number },
          REVIEW_COMMENT_MARKER,
          body,
        );
      } catch (secondary) {
        logger.warn(
          `could not report the failure on the pull request: ${toVouchError(secondary).message}`,
        );
      }
    }
    throw error;
  }

  const { outcome, pull } = review;
  for (const warning of outcome.warnings) logger.warn(`${inputs.exceptions}: ${warning}`);
  const body = renderReviewComment(outcome);
  let commentUrl = '';
  if (review.touched) {
    try {
      const comment = await upsertPullRequestComment(
        client,
        { owner, repo, issueNumber: pull.number },
        REVIEW_COMMENT_MARKER,
        body,
      );
      commentUrl = comment.url;
      logger.info(`${comment.created ? 'created' : 'updated'} the review comment ${comment.url}`);
    } catch (error) {
      // The verdict stands either way; a read-only token (fork pull requests) cannot comment.
      logger.warn(`could not write the pull-request comment: ${toVouchError(error).message}`);
    }
  } else {
    logger.info(
      `pull request #${pull.number} does not change ${inputs.exceptions}: nothing to approve`,
    );
  }
  const ok = outcome.verdict === 'pass';
  const title = ok
    ? review.touched
      ? `approved (${outcome.approval.approvers.length}/${outcome.approval.required})`
      : 'exceptions file not changed'
    : `blocked: ${outcome.reasons[0] ?? 'not approved'}`;
  await post(ok, title, body, pull.headSha);
  await logger.summary(body);
  deps.setOutput('verdict', outcome.verdict);
  deps.setOutput('comment-url', commentUrl);
  if (!ok) {
    throw new VouchError(
      'EXCEPTIONS_NOT_APPROVED',
      `${inputs.exceptions}: ${outcome.reasons.join('; ')}`,
    );
  }
}
