import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInputs } from '../../src/actions/exceptions-review/inputs.ts';
import { CHECK_NAME, run } from '../../src/actions/exceptions-review/main.ts';
import type { InputName, InputReader } from '../../src/actions/shared/inputs.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { VouchError } from '../../src/errors.ts';
import { SHARED } from '../helpers/cli.ts';
import {
  HEAD_SHA,
  loadRecording,
  pullRequest42Routes,
  REPO_ID,
  startGitHubServer,
  type Recording,
  type Routes,
} from '../helpers/github-server.ts';

function reader(values: Partial<Record<InputName, string>>): InputReader {
  return {
    string: (name) => values[name] ?? '',
    list: (name) => (values[name] ?? '').split('\n').filter(Boolean),
    boolean: (name) => values[name] === 'true',
    secret: (name) => values[name] ?? '',
  };
}

function eventFile(action: string, sender: string, headSha?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-event-'));
  const path = join(dir, 'event.json');
  writeFileSync(
    path,
    JSON.stringify({
      action,
      number: 42,
      pull_request: { number: 42, ...(headSha ? { head: { sha: headSha } } : {}) },
      sender: { login: sender },
    }),
  );
  return path;
}

async function runAction(
  routes: Routes,
  values: Partial<Record<InputName, string>> = {},
  event: { action: string; sender: string; headSha?: string } = {
    action: 'synchronize',
    sender: 'dev-alice',
  },
) {
  const warnings: string[] = [];
  const server = await startGitHubServer(pullRequest42Routes(routes));
  const outputs: Record<string, string> = {};
  let error: unknown;
  try {
    const inputs = readInputs(
      reader({
        'github-token': 'ghs_action',
        'approver-teams': 'acme/release-managers',
        policy: '.vouch/policy.yml',
        ...values,
      }),
      {
        GITHUB_REPOSITORY: 'acme/widget',
        GITHUB_EVENT_PATH: eventFile(event.action, event.sender, event.headSha),
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_API_URL: server.url,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_RUN_ID: '12002',
        VOUCH_NOW: '2026-12-02T12:00:00Z',
      },
    );
    await run(inputs, {
      logger: { ...silentLogger, warn: (message: string) => void warnings.push(message) },
      setOutput: (name, value) => (outputs[name] = String(value)),
      workspace: tmpdir(),
      env: {},
    });
  } catch (thrown) {
    error = thrown;
  } finally {
    await server.close();
  }
  const writes = server.requests.filter((q) => q.method !== 'GET');
  return { outputs, error, writes, warnings, requests: server.requests };
}

test('approved: one comment with the table is created and a successful check is posted on the head', async () => {
  const { outputs, error, writes } = await runAction({});
  assert.equal(error, undefined);
  assert.equal(outputs['verdict'], 'pass');
  assert.equal(
    outputs['comment-url'],
    'https://github.com/acme/widget/pull/42#issuecomment-2510000003',
  );
  const comment = writes.find((w) => w.path === '/repos/acme/widget/issues/42/comments');
  const body = (comment!.body as { body: string }).body;
  assert.match(body, /^<!-- vouch:exceptions-review -->/);
  assert.match(body, /\| added \| `CVE-2021-23337` \| `pkg:npm\/lodash` \|/);
  const check = writes.find((w) => w.path === '/repos/acme/widget/check-runs')!.body as Record<
    string,
    unknown
  >;
  assert.equal(check['name'], CHECK_NAME);
  assert.equal(check['head_sha'], HEAD_SHA);
  assert.equal(check['conclusion'], 'success');
  assert.equal(check['details_url'], 'https://github.com/acme/widget/actions/runs/12002');
});

test("the existing bot comment is updated in place; a planted marker in a person's comment is ignored", async () => {
  const { writes } = await runAction({
    'GET /repos/acme/widget/issues/42/comments': 'comments-existing',
  });
  assert.deepEqual(
    writes.filter((w) => w.path.includes('/comments')).map((w) => `${w.method} ${w.path}`),
    ['PATCH /repos/acme/widget/issues/comments/2510000002'],
  );
});

test('self-approval: verdict fail, failing check, EXCEPTIONS_NOT_APPROVED', async () => {
  const { outputs, error, writes } = await runAction({
    'GET /repos/acme/widget/pulls/42/reviews': 'reviews-self',
  });
  assert.ok(error instanceof VouchError && error.code === 'EXCEPTIONS_NOT_APPROVED', String(error));
  assert.equal(outputs['verdict'], 'fail');
  const check = writes.find((w) => w.path === '/repos/acme/widget/check-runs')!.body as Record<
    string,
    unknown
  >;
  assert.equal(check['conclusion'], 'failure');
  const body = (
    writes.find((w) => w.path.endsWith('/issues/42/comments'))!.body as { body: string }
  ).body;
  assert.match(body, /@dev-alice: is the pull request author/);
});

test('the sender of a synchronize event is the last pusher and cannot approve', async () => {
  const { outputs } = await runAction({}, {}, { action: 'synchronize', sender: 'rm-bob' });
  assert.equal(outputs['verdict'], 'fail');
});

test('a read-only token (403 on the comment) leaves the verdict standing and warns', async () => {
  const { outputs, error, writes, warnings } = await runAction({
    'POST /repos/acme/widget/issues/42/comments': 'resource-not-accessible',
  });
  assert.equal(error, undefined, 'an approved change still passes');
  assert.equal(outputs['verdict'], 'pass');
  assert.equal(outputs['comment-url'], '');
  assert.equal(
    writes.filter((w) => w.path === '/repos/acme/widget/issues/42/comments').length,
    1,
    'a refusal is not retried',
  );
  assert.ok(
    writes.some((w) => w.path === '/repos/acme/widget/check-runs'),
    'the check is posted',
  );
  assert.ok(
    warnings.some((w) =>
      /could not write the pull-request comment: .*HTTP 403 Resource not accessible by integration/.test(
        w,
      ),
    ),
    warnings.join('\n'),
  );
});

test('a read-only token does not turn a blocked review into a pass', async () => {
  const { outputs, error, warnings } = await runAction({
    'GET /repos/acme/widget/pulls/42/reviews': 'reviews-self',
    'POST /repos/acme/widget/issues/42/comments': 'resource-not-accessible',
    'POST /repos/acme/widget/check-runs': 'resource-not-accessible',
  });
  assert.ok(error instanceof VouchError && error.code === 'EXCEPTIONS_NOT_APPROVED', String(error));
  assert.equal(outputs['verdict'], 'fail');
  assert.equal(warnings.filter((w) => /HTTP 403/.test(w)).length, 2, warnings.join('\n'));
});

test('report-as status posts a commit status with the same context', async () => {
  const { writes } = await runAction({}, { 'report-as': 'status' });
  const status = writes.find((w) => w.path === `/repos/acme/widget/statuses/${HEAD_SHA}`)!
    .body as Record<string, unknown>;
  assert.equal(status['context'], CHECK_NAME);
  assert.equal(status['state'], 'success');
});

test('a symlinked exceptions file fails closed and says so on the pull request', async () => {
  const { outputs, error, writes } = await runAction({
    'GET /repos/acme/widget/pulls/42/files?per_page=100': 'files-42-symlink',
    [`GET /repos/acme/widget/contents/.vouch/exceptions.yml?ref=${HEAD_SHA}`]:
      'exceptions-head-symlink',
  });
  assert.ok(error instanceof VouchError && error.code === 'PATH_IS_SYMLINK');
  assert.equal(outputs['verdict'], 'fail');
  const body = (
    writes.find((w) => w.path.endsWith('/issues/42/comments'))!.body as { body: string }
  ).body;
  assert.match(body, /\[PATH_IS_SYMLINK\]/);
  const check = writes.find((w) => w.path === '/repos/acme/widget/check-runs')!.body as Record<
    string,
    unknown
  >;
  assert.equal(check['conclusion'], 'failure');
});

test('inputs: report-as and approver-teams are checked; every input is read first', () => {
  assert.throws(
    () => readInputs(reader({ 'report-as': 'email' }), {}),
    (e: unknown) => e instanceof VouchError && e.code === 'INPUT_INVALID',
  );
  assert.throws(
    () => readInputs(reader({ 'approver-teams': 'just-a-name' }), {}),
    (e: unknown) => e instanceof VouchError && e.code === 'INPUT_INVALID',
  );
  assert.equal(readInputs(reader({}), {}).exceptions, '.vouch/exceptions.yml');
});

test('a run outside a pull request event is a coded error', async () => {
  const inputs = readInputs(reader({ 'github-token': 'x' }), { GITHUB_REPOSITORY: 'acme/widget' });
  await assert.rejects(
    run(inputs, { logger: silentLogger, setOutput: () => {}, workspace: tmpdir(), env: {} }),
    (e: unknown) => e instanceof VouchError && e.code === 'INPUT_INVALID',
  );
});

test('the bundled action runs end to end under the Actions runtime (inputs from INPUT_*, outputs to GITHUB_OUTPUT)', async () => {
  const { build } = await import('esbuild');
  const { bundleOptions } = await import('../../scripts/bundle.ts');
  const { spawn } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const out = mkdtempSync(join(tmpdir(), 'vouch-er-bundle-'));
  await build({
    ...bundleOptions('exceptions-review', 'src/actions/exceptions-review/index.ts'),
    outdir: out,
    logLevel: 'silent',
  });
  const server = await startGitHubServer(
    pullRequest42Routes({ 'GET /repos/acme/widget/pulls/42/reviews': 'reviews-stale' }),
  );
  const output = join(out, 'github-output.txt');
  writeFileSync(output, '');
  try {
    const result = await new Promise<{ status: number | null; log: string }>((resolve) => {
      const child = spawn(process.execPath, [join(out, 'index.js')], {
        env: {
          PATH: process.env['PATH'] ?? '',
          'INPUT_GITHUB-TOKEN': 'ghs_bundle_token_value',
          'INPUT_APPROVER-TEAMS': 'acme/release-managers',
          INPUT_EXCEPTIONS: '.vouch/exceptions.yml',
          GITHUB_REPOSITORY: 'acme/widget',
          GITHUB_EVENT_PATH: eventFile('opened', 'dev-alice'),
          GITHUB_EVENT_NAME: 'pull_request',
          GITHUB_API_URL: server.url,
          GITHUB_OUTPUT: output,
          VOUCH_NOW: '2026-12-02',
        },
      });
      let log = '';
      child.stdout.on('data', (d: Buffer) => (log += d.toString()));
      child.stderr.on('data', (d: Buffer) => (log += d.toString()));
      child.on('close', (status) => resolve({ status, log }));
    });
    assert.equal(result.status, 1, 'a blocked review fails the step');
    assert.match(result.log, /::error::\[EXCEPTIONS_NOT_APPROVED\] .*needs 1 approval/);
    assert.match(result.log, /::add-mask::ghs_bundle_token_value/);
    assert.match(readFileSync(output, 'utf8'), /verdict<<ghadelimiter_[^\n]+\nfail\n/);
  } finally {
    await server.close();
  }
});

/** A contents API answer for the exceptions file at the head, with this text. */
function headFile(text: string): Recording {
  const recorded = loadRecording('exceptions-head-added');
  const body = recorded.body as Record<string, unknown>;
  return {
    ...recorded,
    body: { ...body, size: Buffer.byteLength(text), content: Buffer.from(text).toString('base64') },
  };
}

const EXCEPTIONS_AT_HEAD = `GET /repos/acme/widget/contents/.vouch/exceptions.yml?ref=${HEAD_SHA}`;

/** The recorded head with a critical waiver (CVE-2021-44906, alias of GHSA-xvch-5gv4-984h) for 180 days. */
function criticalFor180Days(): string {
  const recorded = loadRecording('exceptions-head-added').body as { content: string };
  return `${Buffer.from(recorded.content, 'base64').toString('utf8').trimEnd()}
  - id: CVE-2021-44906
    package: pkg:npm/minimist
    versions: ">=1.0.0 <1.2.6"
    reason: build scripts only
    owner: "@acme/web"
    approved-by: "@acme/release-managers"
    approval: https://github.com/acme/widget/pull/42
    created: 2026-12-01
    expires: 2027-05-30
`;
}

test('advisories: a critical waiver expiring in 180 days is blocked by the 7-day window (real OSV records)', async () => {
  const { outputs, error, writes } = await runAction(
    { [EXCEPTIONS_AT_HEAD]: headFile(criticalFor180Days()) },
    { advisories: join(SHARED, 'advisories', 'osv') },
  );
  assert.ok(error instanceof VouchError && error.code === 'EXCEPTIONS_NOT_APPROVED', String(error));
  assert.equal(outputs['verdict'], 'fail');
  const body = (
    writes.find((w) => w.path.endsWith('/issues/42/comments'))!.body as { body: string }
  ).body;
  assert.match(body, /the critical severity remediation window allows 7/);
  assert.match(body, /7-day critical window \(GHSA-xvch-5gv4-984h\)/);
  assert.match(body, /30-day high window \(GHSA-35jh-r3h4-6jhm\)/, 'lodash: high, 30 days');
  assert.ok(!body.includes('No advisory data'));
  const check = writes.find((w) => w.path === '/repos/acme/widget/check-runs')!.body as Record<
    string,
    unknown
  >;
  assert.equal(check['conclusion'], 'failure');
});

test('no advisories: the same waiver is capped by the longest window, and the comment and log say so', async () => {
  const { outputs, error, writes, warnings } = await runAction({
    [EXCEPTIONS_AT_HEAD]: headFile(criticalFor180Days()),
  });
  assert.equal(error, undefined);
  assert.equal(outputs['verdict'], 'pass');
  const body = (
    writes.find((w) => w.path.endsWith('/issues/42/comments'))!.body as { body: string }
  ).body;
  assert.match(
    body,
    /⚠️ No advisory data was given .*capped by the longest window \(180 days\) rather than by each advisory's severity/,
  );
  assert.ok(
    warnings.some((w) => /No advisory data was given/.test(w)),
    warnings.join('\n'),
  );
});

test('a pull request that does not touch the exceptions file passes at once with a successful check', async () => {
  const page2 = loadRecording('files-42-page2');
  const { outputs, error, writes, requests } = await runAction(
    {
      [`GET /repositories/${REPO_ID}/pulls/42/files?page=2`]: {
        ...page2,
        body: (page2.body as Array<{ filename: string }>).filter(
          (f) => f.filename !== '.vouch/exceptions.yml',
        ),
      },
      // Whatever the reviews say, nothing needs approval.
      'GET /repos/acme/widget/pulls/42/reviews': 'reviews-self',
    },
    { advisories: join(SHARED, 'advisories', 'osv') },
  );
  assert.equal(error, undefined);
  assert.equal(outputs['verdict'], 'pass');
  assert.equal(outputs['comment-url'], '');
  const check = writes.find((w) => w.path === '/repos/acme/widget/check-runs')!.body as Record<
    string,
    unknown
  >;
  assert.equal(check['conclusion'], 'success');
  assert.equal(check['head_sha'], HEAD_SHA);
  assert.equal((check['output'] as { title: string }).title, 'exceptions file not changed');
  assert.ok(!writes.some((w) => w.path.includes('/comments')), 'no comment');
  assert.deepEqual(
    requests.filter((q) => q.method === 'GET').map((q) => q.path),
    [
      '/repos/acme/widget/pulls/42',
      '/repos/acme/widget/pulls/42/files',
      `/repositories/${REPO_ID}/pulls/42/files`,
    ],
    'nothing else is read',
  );
});

test('API failure: a rate limit mid-review posts a failing check on the head, replacing an earlier success', async () => {
  const { outputs, error, writes } = await runAction({
    'GET /repos/acme/widget/pulls/42/reviews': 'rate-limited',
  });
  assert.ok(error instanceof VouchError && error.code === 'GITHUB_RATE_LIMITED', String(error));
  assert.equal(outputs['verdict'], 'fail');
  const check = writes.find((w) => w.path === '/repos/acme/widget/check-runs')!.body as Record<
    string,
    unknown
  >;
  assert.equal(check['name'], CHECK_NAME);
  assert.equal(check['head_sha'], HEAD_SHA);
  assert.equal(check['conclusion'], 'failure');
  assert.equal((check['output'] as { title: string }).title, 'blocked: [GITHUB_RATE_LIMITED]');
  const body = (
    writes.find((w) => w.path.endsWith('/issues/42/comments'))!.body as { body: string }
  ).body;
  assert.match(body, /nothing is approved/);
});

test('API failure: when the pull request itself cannot be read, the failing status goes on the head the event names', async () => {
  const { error, writes, requests } = await runAction(
    { 'GET /repos/acme/widget/pulls/42': { status: 422, body: { message: 'Unprocessable' } } },
    { 'report-as': 'status' },
    { action: 'submitted', sender: 'rm-bob', headSha: HEAD_SHA },
  );
  assert.ok(error instanceof VouchError && error.code === 'GITHUB_API_FAILED', String(error));
  assert.equal(
    requests.filter((q) => q.path === '/repos/acme/widget/pulls/42').length,
    1,
    'the head comes from the event payload, not another request',
  );
  const status = writes.find((w) => w.path === `/repos/acme/widget/statuses/${HEAD_SHA}`)!
    .body as Record<string, unknown>;
  assert.equal(status['context'], CHECK_NAME);
  assert.equal(status['state'], 'failure');
});

test('API failure: when the failing check cannot be posted either, the step fails with the original code', async () => {
  const { error, writes, warnings } = await runAction(
    {
      'GET /repos/acme/widget/pulls/42': 'bad-credentials',
      'POST /repos/acme/widget/check-runs': 'bad-credentials',
    },
    {},
    { action: 'synchronize', sender: 'dev-alice', headSha: HEAD_SHA },
  );
  assert.ok(error instanceof VouchError && error.code === 'GITHUB_AUTH_FAILED', String(error));
  assert.match(error.message, /HTTP 401 Bad credentials/);
  assert.deepEqual(
    writes.map((w) => `${w.method} ${w.path}`),
    ['POST /repos/acme/widget/check-runs'],
    'the check is tried once; the comment is not tried after GitHub refused the check',
  );
  assert.ok(
    warnings.some((w) => /could not post the check: .*401/.test(w)),
    warnings.join('\n'),
  );
});
