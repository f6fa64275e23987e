import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../../adapters/fs/atomic-write.ts';
import { parseNow, renderReport, runPolicy } from '../../adapters/policy/run-policy.ts';
import { exitCodeOf } from '../../core/policy/evaluate.ts';
import { buildAnnotations, COMMENT_MARKER, formatMarkdown } from '../../core/policy/render.ts';
import { VouchError } from '../../errors.ts';
import type { ActionDeps } from '../shared/run.ts';
import type { Inputs } from './inputs.ts';

export const OUTPUTS = [
  'verdict',
  'report-path',
  'sarif-path',
  'markdown-path',
  'mode',
  'failed-count',
  'warning-count',
  'waived-count',
  'expired-exceptions',
  'unused-exceptions',
] as const;

/** At most this many annotations per run; the rest are in the report. */
const MAX_ANNOTATIONS = 50;

/**
 * Evaluates the policy, writes the JSON report, SARIF and Markdown, sets outputs, annotates, writes
 * the job summary, optionally upserts the pull-request comment, and fails the step on a refused
 * policy (never in warn-only mode).
 */
export async function run(inputs: Inputs, deps: ActionDeps): Promise<void> {
  const mode = inputs.warnOnly ? 'warn-only' : 'enforce';
  const token = inputs.githubToken || deps.env['GITHUB_TOKEN'] || '';
  const policyRun = await runPolicy(
    {
      sbom: inputs.sbom,
      policy: inputs.policy,
      ...(inputs.exceptions ? { exceptions: inputs.exceptions } : {}),
      advisories: inputs.advisories,
      now: parseNow(inputs.now || undefined, new Date()),
      mode,
      cwd: deps.workspace,
      ...(token ? { githubToken: token } : {}),
    },
    { logger: deps.logger },
  );
  const { report } = policyRun;
  // Default: beside the SBOM, as the shared `output-dir` input says.
  const outDir = resolve(deps.workspace, inputs.outputDir || dirname(inputs.sbom));
  await mkdir(outDir, { recursive: true });
  const paths = {
    report: join(outDir, 'policy-report.json'),
    sarif: join(outDir, 'policy-report.sarif'),
    markdown: join(outDir, 'policy-report.md'),
  };
  await writeFileAtomic(paths.report, renderReport(policyRun, 'json'));
  await writeFileAtomic(paths.sarif, renderReport(policyRun, 'sarif'));
  const markdown = formatMarkdown(report);
  await writeFileAtomic(paths.markdown, markdown);

  deps.setOutput('verdict', report.verdict);
  deps.setOutput('mode', report.mode);
  deps.setOutput('report-path', paths.report);
  deps.setOutput('sarif-path', paths.sarif);
  deps.setOutput('markdown-path', paths.markdown);
  deps.setOutput('failed-count', report.counts.fail);
  deps.setOutput('warning-count', report.counts.warn);
  deps.setOutput('waived-count', report.counts.waived);
  deps.setOutput('expired-exceptions', report.counts.expiredExceptions);
  deps.setOutput('unused-exceptions', report.counts.unusedExceptions);

  const annotations = buildAnnotations(report, policyRun.files);
  for (const a of annotations.slice(0, MAX_ANNOTATIONS)) {
    const at = {
      title: a.title,
      ...(a.file ? { file: a.file } : {}),
      ...(a.line ? { line: a.line } : {}),
    };
    if (a.level === 'error') deps.logger.error(a.message, at);
    else if (a.level === 'warning') deps.logger.warn(a.message, at);
    else deps.logger.info(`${a.title}: ${a.message}`);
  }
  if (annotations.length > MAX_ANNOTATIONS) {
    deps.logger.info(`${annotations.length - MAX_ANNOTATIONS} more findings in ${paths.report}`);
  }
  await deps.logger.summary(markdown);

  if (inputs.prComment) await postComment(markdown, token, deps);

  if (exitCodeOf(report) !== 0) {
    throw new VouchError(
      'POLICY_REFUSED',
      `policy failed: ${report.counts.fail} failing finding(s), ${report.counts.invalidExceptions} invalid exception(s); see ${paths.report}`,
    );
  }
  if (report.mode === 'warn-only') {
    deps.logger.warn(
      `warn-only: the policy ${report.verdict === 'pass' ? 'passed' : 'failed'} but the step does not fail; this report can never satisfy the release gate`,
    );
  }
}

async function postComment(markdown: string, token: string, deps: ActionDeps): Promise<void> {
  const eventName = deps.env['GITHUB_EVENT_NAME'];
  if (eventName !== 'pull_request' && eventName !== 'pull_request_target') {
    deps.logger.info('pr-comment: not a pull request event; no comment posted');
    return;
  }
  if (!token)
    throw new VouchError('INPUT_MISSING', 'pr-comment needs a token (input github-token)');
  const { readPullRequestEvent } = await import('../../adapters/github/event.ts');
  const { createGitHubClient, splitRepo } = await import('../../adapters/github/client.ts');
  const { upsertPullRequestComment } = await import('../../adapters/github/report.ts');
  const event = readPullRequestEvent(deps.env['GITHUB_EVENT_PATH'], eventName);
  const client = createGitHubClient({
    token,
    logger: deps.logger,
    ...(deps.env['GITHUB_API_URL'] ? { baseUrl: deps.env['GITHUB_API_URL'] } : {}),
  });
  const { owner, repo } = splitRepo(deps.env['GITHUB_REPOSITORY'] ?? '');
  const result = await upsertPullRequestComment(
    client,
    { owner, repo, issueNumber: event.number },
    COMMENT_MARKER,
    markdown.slice(0, 65_000),
  );
  deps.logger.info(`${result.created ? 'posted' : 'updated'} the policy comment ${result.url}`);
}
