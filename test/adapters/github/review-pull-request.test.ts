import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient } from '../../../src/adapters/github/client.ts';
import { join } from 'node:path';
import {
  loadAdvisorySeverities,
  reviewPullRequest,
} from '../../../src/adapters/github/review-pull-request.ts';
import {
  renderReviewComment,
  type AdvisorySeverities,
} from '../../../src/core/exceptions/review.ts';
import { silentLogger, type Logger } from '../../../src/core/logger.ts';
import { VouchError } from '../../../src/errors.ts';
import { SHARED } from '../../helpers/cli.ts';
import {
  HEAD_SHA,
  pullRequest42Routes,
  loadRecording,
  REPO_ID,
  startGitHubServer,
  type Routes,
} from '../../helpers/github-server.ts';

const NOW = new Date('2026-12-02T12:00:00Z');
const RESET_MS = 1796284800 * 1000;

/** A logger that keeps its warnings. */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warn: (message: string) => void warnings.push(message), warnings };
}

async function review(
  overrides: Routes,
  options: {
    approverTeams?: string[];
    now?: () => number;
    timeoutMs?: number;
    logger?: Logger;
    advisories?: () => Promise<AdvisorySeverities | undefined>;
  } = {},
) {
  const server = await startGitHubServer(pullRequest42Routes(overrides));
  try {
    const client = createGitHubClient({
      token: 'ghs_test0000000000000000000000000000000',
      baseUrl: server.url,
      retryDelayMs: 1,
      sleep: async () => {},
      ...(options.now ? { now: options.now } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
    const result = await reviewPullRequest({
      client,
      owner: 'acme',
      repo: 'widget',
      number: 42,
      path: '.vouch/exceptions.yml',
      policyPath: '.vouch/policy.yml',
      approverTeams: options.approverTeams ?? ['acme/release-managers'],
      now: NOW,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.advisories ? { advisories: options.advisories } : {}),
    });
    return { ...result, requests: server.requests };
  } finally {
    await server.close();
  }
}

async function reviewError(
  overrides: Routes,
  options: { now?: () => number; timeoutMs?: number } = {},
): Promise<VouchError & { requests?: number; paths?: string[] }> {
  const server = await startGitHubServer(pullRequest42Routes(overrides));
  try {
    const client = createGitHubClient({
      token: 'ghs_test',
      baseUrl: server.url,
      retries: 2,
      retryDelayMs: 1,
      sleep: async () => {},
      ...(options.now ? { now: options.now } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
    await reviewPullRequest({
      client,
      owner: 'acme',
      repo: 'widget',
      number: 42,
      path: '.vouch/exceptions.yml',
      approverTeams: ['acme/release-managers'],
      now: NOW,
    });
  } catch (error) {
    assert.ok(error instanceof VouchError, String(error));
    return Object.assign(error, {
      requests: server.requests.length,
      paths: server.requests.map((q) => q.path),
    });
  } finally {
    await server.close();
  }
  assert.fail('the review did not fail');
}

test('an added exception approved on the head by a release manager passes; files are read beyond page one', async () => {
  const r = await review({});
  assert.equal(r.touched, true);
  assert.equal(r.outcome.verdict, 'pass');
  assert.deepEqual(
    r.outcome.changes.map((c) => [c.change.kind, c.change.head?.id]),
    [['added', 'CVE-2021-23337']],
  );
  assert.deepEqual(r.outcome.approval.approvers, ['rm-bob']);
  assert.ok(
    r.requests.some(
      (q) => q.path === `/repositories/${REPO_ID}/pulls/42/files` && q.query['page'] === '2',
    ),
    'the second page of files was fetched (the exceptions file is on it)',
  );
  assert.ok(
    r.requests.every((q) => q.authorization === 'token ghs_test0000000000000000000000000000000'),
  );
  assert.equal(r.codeOwnersPath, '.github/CODEOWNERS');
});

test('self-approval is refused', async () => {
  const r = await review({ 'GET /repos/acme/widget/pulls/42/reviews': 'reviews-self' });
  assert.equal(r.outcome.verdict, 'fail');
  assert.equal(r.outcome.approval.findings[0]?.reason, 'is the pull request author');
  assert.match(renderReviewComment(r.outcome), /@dev-alice: is the pull request author/);
});

test('an approval given before the last push is stale and refused', async () => {
  const r = await review({ 'GET /repos/acme/widget/pulls/42/reviews': 'reviews-stale' });
  assert.equal(r.outcome.verdict, 'fail');
  assert.match(r.outcome.approval.findings[0]!.reason, /^stale: approved 3f1c4e0/);
});

test('an approver outside the team (and not a code owner) is refused', async () => {
  const r = await review({ 'GET /repos/acme/widget/pulls/42/reviews': 'reviews-outsider' });
  assert.equal(r.outcome.verdict, 'fail');
  assert.match(r.outcome.approval.findings[0]!.reason, /not in an approver team/);
  assert.ok(
    r.requests.some(
      (q) => q.path === '/orgs/acme/teams/release-managers/memberships/outsider-dave',
    ),
  );
});

test('the last pusher cannot approve their own push', async () => {
  const r = await review({ 'GET /repos/acme/widget/pulls/42/commits': 'commits-42-pushed-by-bob' });
  assert.equal(r.outcome.verdict, 'fail');
  assert.equal(r.outcome.approval.findings[0]?.reason, 'pushed the latest commit');
});

test('whoever pushed the head (repository activity) cannot approve it, even when someone else authored it', async () => {
  const r = await review({
    'GET /repos/acme/widget/activity?ref=refs/heads/waive-lodash-42': 'activity-42-bob-pushed',
  });
  assert.equal(r.outcome.verdict, 'fail');
  assert.equal(r.outcome.approval.findings[0]?.reason, 'pushed the latest commit');
});

test('removing an exception needs no approval', async () => {
  const r = await review({
    [`GET /repos/acme/widget/contents/.vouch/exceptions.yml?ref=${HEAD_SHA}`]:
      'exceptions-head-removed',
    'GET /repos/acme/widget/pulls/42/reviews': 'reviews-none',
  });
  assert.equal(r.outcome.verdict, 'pass');
  assert.deepEqual(
    r.outcome.changes.map((c) => [c.change.kind, c.needsApproval]),
    [['removed', false]],
  );
  assert.equal(r.outcome.approval.required, 0);
});

test('shortening an expiry needs no approval', async () => {
  const r = await review({
    [`GET /repos/acme/widget/contents/.vouch/exceptions.yml?ref=${HEAD_SHA}`]:
      'exceptions-head-shortened',
    'GET /repos/acme/widget/pulls/42/reviews': 'reviews-none',
  });
  assert.equal(r.outcome.verdict, 'pass');
  assert.deepEqual(
    r.outcome.changes.map((c) => c.change.kind),
    ['shortened'],
  );
});

test('a malformed head blocks, with the parser message and position in the comment', async () => {
  const r = await review({
    [`GET /repos/acme/widget/contents/.vouch/exceptions.yml?ref=${HEAD_SHA}`]:
      'exceptions-head-malformed',
  });
  assert.equal(r.outcome.verdict, 'fail');
  assert.equal(r.outcome.head.state, 'invalid');
  const body = renderReviewComment(r.outcome);
  assert.match(body, /does not parse/);
  assert.match(body, /\.vouch\/exceptions\.yml:\d+:\d+: /, 'file:line:column of the problem');
  assert.match(r.outcome.reasons[0]!, /line \d+, column \d+/);
});

test('a typo in a key blocks and names the key', async () => {
  const r = await review({
    [`GET /repos/acme/widget/contents/.vouch/exceptions.yml?ref=${HEAD_SHA}`]:
      'exceptions-head-typo',
  });
  assert.equal(r.outcome.verdict, 'fail');
  assert.match(renderReviewComment(r.outcome), /expries/);
});

test('reviews are read beyond page one', async () => {
  const r = await review({
    'GET /repos/acme/widget/pulls/42/reviews?per_page=100': 'reviews-page1',
    [`GET /repositories/${REPO_ID}/pulls/42/reviews?page=2`]: 'reviews-page2',
  });
  assert.equal(r.outcome.verdict, 'pass');
  assert.deepEqual(r.outcome.approval.approvers, ['rm-bob']);
  assert.ok(
    r.requests.some(
      (q) => q.path === `/repositories/${REPO_ID}/pulls/42/reviews` && q.query['page'] === '2',
    ),
  );
});

test('a waiver that rides in with the dependency it waives needs a second approver', async () => {
  const lockHead = {
    [`GET /repos/acme/widget/contents/package-lock.json?ref=${HEAD_SHA}`]: 'lock-head',
  };
  const one = await review(lockHead);
  assert.equal(one.outcome.verdict, 'fail');
  assert.equal(one.outcome.approval.required, 2);
  assert.deepEqual(
    one.outcome.changes[0]!.ridesWith.map((d) => [d.package, d.kind, d.versions]),
    [['npm/lodash', 'upgraded', ['4.17.20']]],
  );
  assert.match(
    renderReviewComment(one.outcome),
    /this pull request upgrades npm\/lodash \(4\.17\.20\) in package-lock\.json/,
  );
  const two = await review({
    ...lockHead,
    'GET /repos/acme/widget/pulls/42/reviews': 'reviews-two',
  });
  assert.equal(two.outcome.verdict, 'pass');
  assert.deepEqual(two.outcome.approval.approvers, ['rm-bob', 'rm-carol']);
});

test('a CODEOWNERS owner of the file may approve when no team is configured', async () => {
  const r = await review(
    { 'GET /repos/acme/widget/pulls/42/reviews': 'reviews-two' },
    { approverTeams: [] },
  );
  assert.equal(r.outcome.verdict, 'pass');
  assert.deepEqual(
    r.outcome.approval.findings.map((f) => f.reason),
    ['CODEOWNERS @acme/release-managers', 'CODEOWNERS @acme/release-managers'],
  );
});

test('an exceptions file replaced by a symlink is refused', async () => {
  const error = await reviewError({
    'GET /repos/acme/widget/pulls/42/files?per_page=100': 'files-42-symlink',
    [`GET /repos/acme/widget/contents/.vouch/exceptions.yml?ref=${HEAD_SHA}`]:
      'exceptions-head-symlink',
  });
  assert.equal(error.code, 'PATH_IS_SYMLINK');
  assert.match(error.message, /attacker-exceptions/);
});

test('a rate limit is retried, then the review fails closed with the reset time', async () => {
  const error = await reviewError(
    { 'GET /repos/acme/widget/pulls/42': 'rate-limited' },
    { now: () => RESET_MS - 2000 },
  );
  assert.equal(error.code, 'GITHUB_RATE_LIMITED');
  assert.equal(error.requests, 3, 'one attempt and two retries');
  assert.match(error.message, /API rate limit exceeded.*resets at 2026-/s);
});

test('a rate limit that clears on retry lets the review finish', async () => {
  const r = await review(
    { 'GET /repos/acme/widget/pulls/42': ['secondary-rate-limited', 'pull-42'] },
    { now: () => RESET_MS - 2000 },
  );
  assert.equal(r.outcome.verdict, 'pass');
});

test('server errors are retried, then fail closed', async () => {
  const error = await reviewError({ 'GET /repos/acme/widget/pulls/42/reviews': 'server-error' });
  assert.equal(error.code, 'GITHUB_API_FAILED');
  assert.match(error.message, /HTTP 502/);
});

test('a rate limit far in the future fails at once rather than waiting', async () => {
  const error = await reviewError(
    { 'GET /repos/acme/widget/pulls/42': 'rate-limited' },
    { now: () => RESET_MS - 3_600_000 },
  );
  assert.equal(error.code, 'GITHUB_RATE_LIMITED');
  assert.equal(error.requests, 1);
});

test('bad credentials are a user error, not retried', async () => {
  const error = await reviewError({ 'GET /repos/acme/widget/pulls/42': 'bad-credentials' });
  assert.equal(error.code, 'GITHUB_AUTH_FAILED');
  assert.equal(error.requests, 1);
});

test('an enormous diff is a coded error, nothing approved', async () => {
  const error = await reviewError({ 'GET /repos/acme/widget/pulls/42': 'pull-42-huge' });
  assert.equal(error.code, 'EXCEPTIONS_DIFF_TOO_LARGE');
  assert.match(error.message, /3412 files/);
});

test('a request that hangs times out, is retried, then the review fails closed with a coded error', async () => {
  const hang = { ...loadRecording('reviews-approved'), delayMs: 60_000 };
  const started = Date.now();
  const error = await reviewError(
    { 'GET /repos/acme/widget/pulls/42/reviews': hang },
    { timeoutMs: 200 },
  );
  assert.equal(error.code, 'GITHUB_API_FAILED');
  assert.match(
    error.message,
    /^GET \S+\/pulls\/42\/reviews\S*: no complete response within 0\.2 s$/,
  );
  assert.equal(
    error.paths!.filter((p) => p === '/repos/acme/widget/pulls/42/reviews').length,
    3,
    'one attempt and two retries',
  );
  assert.ok(Date.now() - started < 10_000, 'gave up long before the server answered');
});

test('a hanging request that answers on retry lets the review finish', async () => {
  const hang = { ...loadRecording('pull-42'), delayMs: 60_000 };
  const r = await review(
    { 'GET /repos/acme/widget/pulls/42': [hang, 'pull-42'] },
    { timeoutMs: 200 },
  );
  assert.equal(r.outcome.verdict, 'pass');
  assert.equal(r.requests.filter((q) => q.path === '/repos/acme/widget/pulls/42').length, 2);
});

test('a body that stalls after the headers is not read as an empty list of files', async () => {
  const stalled = { ...loadRecording('files-42-page1'), stallBodyMs: 60_000 };
  const error = await reviewError(
    { 'GET /repos/acme/widget/pulls/42/files?per_page=100': stalled },
    { timeoutMs: 200 },
  );
  assert.equal(error.code, 'GITHUB_API_FAILED');
  assert.match(error.message, /no complete response/);
  assert.equal(
    error.paths!.filter((p) => p === '/repos/acme/widget/pulls/42/files').length,
    3,
    'one attempt and two retries',
  );
});

test('when no reviewer is in the approver team, a warning names the reviewers and the token permission', async () => {
  const logger = recordingLogger();
  const r = await review(
    { 'GET /repos/acme/widget/pulls/42/reviews': 'reviews-outsider' },
    { logger },
  );
  assert.equal(r.outcome.verdict, 'fail');
  const warning = logger.warnings.find((w) => w.includes('@acme/release-managers'));
  assert.ok(warning, logger.warnings.join('\n'));
  assert.match(warning, /outsider-dave/);
  assert.match(warning, /members: read/);
});

test('no membership warning when a reviewer is in the team', async () => {
  const logger = recordingLogger();
  await review({}, { logger });
  assert.deepEqual(
    logger.warnings.filter((w) => w.includes('active member')),
    [],
  );
});

test('advisory data is loaded only when the exceptions file is touched, and sets each window', async () => {
  let loads = 0;
  const advisories = async () => {
    loads++;
    return loadAdvisorySeverities({
      sources: [join(SHARED, 'advisories', 'osv')],
      cwd: process.cwd(),
      logger: silentLogger,
    });
  };
  const r = await review({}, { advisories });
  assert.equal(loads, 1);
  const added = r.outcome.changes.find((c) => c.change.kind === 'added')!;
  assert.deepEqual(added.window, {
    days: 30,
    basis: 'severity',
    severity: 'high',
    advisory: 'GHSA-35jh-r3h4-6jhm',
  });
  // The untouched minimist waiver (critical, 28 days) is shown as an error but blocks nothing.
  assert.equal(r.outcome.verdict, 'pass');
  assert.ok(
    r.outcome.head.state === 'parsed' &&
      r.outcome.head.problems.some(
        (p) =>
          p.code === 'EXPIRY_BEYOND_WINDOW' &&
          /critical severity remediation window allows 7/.test(p.message),
      ),
  );

  const page2 = loadRecording('files-42-page2');
  const untouched = await review(
    {
      [`GET /repositories/${REPO_ID}/pulls/42/files?page=2`]: {
        ...page2,
        body: (page2.body as Array<{ filename: string }>).filter(
          (f) => f.filename !== '.vouch/exceptions.yml',
        ),
      },
    },
    { advisories },
  );
  assert.equal(loads, 1, 'not loaded for a pull request that does not touch the file');
  assert.equal(untouched.touched, false);
  assert.equal(untouched.outcome.verdict, 'pass');
  assert.equal(untouched.outcome.approval.required, 0);
  assert.ok(
    !untouched.requests.some((q) => q.path.includes('/contents/') || q.path.endsWith('/reviews')),
    'neither the file, the policy, CODEOWNERS nor the reviews are read',
  );
});

test('loadAdvisorySeverities: none given is undefined; an API source needs the SBOM', async () => {
  assert.equal(
    await loadAdvisorySeverities({ sources: [], cwd: process.cwd(), logger: silentLogger }),
    undefined,
  );
  await assert.rejects(
    loadAdvisorySeverities({ sources: ['github-api'], cwd: process.cwd(), logger: silentLogger }),
    (e: unknown) => e instanceof VouchError && e.code === 'INPUT_MISSING',
  );
});

test('loadAdvisorySeverities: the OSV API is asked about the SBOM’s package versions (local emulator, real records)', async () => {
  const { createServer } = await import('node:http');
  const { mkdtempSync, readdirSync, readFileSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = join(SHARED, 'advisories', 'osv', 'npm');
  const records = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readFileSync(join(dir, f), 'utf8'));
  const asked: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url === '/v1/querybatch') {
        const { queries } = JSON.parse(body) as {
          queries: Array<{ package: { name: string }; version: string }>;
        };
        const results = queries.map((q) => {
          asked.push(`${q.package.name}@${q.version}`);
          const vulns = records
            .map(
              (t) =>
                JSON.parse(t) as { id: string; affected?: Array<{ package?: { name: string } }> },
            )
            .filter((r) => r.affected?.some((a) => a.package?.name === q.package.name))
            .map((r) => ({ id: r.id }));
          return vulns.length ? { vulns } : {};
        });
        res.end(JSON.stringify({ results }));
        return;
      }
      const m = /^\/v1\/vulns\/(.+)$/.exec(req.url ?? '');
      const found =
        m &&
        records.find((t) => (JSON.parse(t) as { id: string }).id === decodeURIComponent(m[1]!));
      res.statusCode = found ? 200 : 404;
      res.end(found ?? '{"code":5,"message":"Bug not found."}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const work = mkdtempSync(join(tmpdir(), 'vouch-review-sbom-'));
  writeFileSync(
    join(work, 'sbom.cdx.json'),
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      components: [
        { type: 'library', name: 'minimist', version: '1.2.5', purl: 'pkg:npm/minimist@1.2.5' },
      ],
    }),
  );
  try {
    const severities = await loadAdvisorySeverities({
      sources: [`osv-api=${url}`],
      sbom: 'sbom.cdx.json',
      cwd: work,
      logger: silentLogger,
    });
    assert.deepEqual(asked, ['minimist@1.2.5']);
    assert.equal(severities?.severityOf('CVE-2021-44906'), 'critical');
    assert.equal(severities?.knows('CVE-2021-23337'), false, 'lodash is not in the SBOM');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
