/**
 * The policy action's run(): a real SBOM made by `vouch sbom` from examples/npm-app, the example
 * policy and exceptions, the example OSV records; GitHub's comment API from recordings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInputs } from '../../src/actions/policy/inputs.ts';
import { run } from '../../src/actions/policy/main.ts';
import type { InputName, InputReader } from '../../src/actions/shared/inputs.ts';
import { silentLogger, type Logger } from '../../src/core/logger.ts';
import { COMMENT_MARKER } from '../../src/core/policy/render.ts';
import { VouchError } from '../../src/errors.ts';
import { ROOT, vouch } from '../helpers/cli.ts';
import {
  loadRecording,
  pullRequest42Routes,
  startGitHubServer,
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

/** A workspace with the example project, its SBOM (made by vouch sbom) and advisories. */
function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'vouch-policy-action-'));
  cpSync(join(ROOT, 'examples/npm-app'), join(ws, 'npm-app'), { recursive: true });
  cpSync(join(ROOT, 'examples/advisories'), join(ws, 'advisories'), { recursive: true });
  const r = vouch(['sbom', '-o', join(ws, 'npm-app', 'sbom.cdx.json')], {
    cwd: join(ws, 'npm-app'),
  });
  assert.equal(r.status, 0, r.stderr);
  return ws;
}

interface Logged {
  readonly level: string;
  readonly message: string;
  readonly file?: string;
}

async function runAction(
  ws: string,
  values: Partial<Record<InputName, string>>,
  env: Record<string, string> = {},
) {
  const logged: Logged[] = [];
  const summaries: string[] = [];
  const outputs: Record<string, string> = {};
  const logger: Logger = {
    ...silentLogger,
    error: (message, at) =>
      void logged.push({ level: 'error', message, ...(at?.file ? { file: at.file } : {}) }),
    warn: (message, at) =>
      void logged.push({ level: 'warning', message, ...(at?.file ? { file: at.file } : {}) }),
    summary: async (markdown: string) => void summaries.push(markdown),
  };
  let error: unknown;
  try {
    const inputs = readInputs(
      reader({
        sbom: 'npm-app/sbom.cdx.json',
        policy: 'npm-app/.vouch/policy.yml',
        advisories: 'advisories',
        now: '2026-12-01',
        ...values,
      }),
      env,
    );
    await run(inputs, {
      logger,
      setOutput: (name, value) => (outputs[name] = String(value)),
      workspace: ws,
      env,
    });
  } catch (thrown) {
    error = thrown;
  }
  return { outputs, error, logged, summaries };
}

test('with the approved exception the example passes; reports are written where the outputs say', async () => {
  const ws = workspace();
  const { outputs, error, summaries } = await runAction(ws, {
    exceptions: 'npm-app/.vouch/exceptions.yml',
  });
  assert.equal(error, undefined);
  assert.equal(outputs['verdict'], 'pass');
  assert.equal(outputs['mode'], 'enforce');
  assert.equal(outputs['failed-count'], '0');
  assert.equal(outputs['waived-count'], '1');
  assert.equal(outputs['unused-exceptions'], '0');
  for (const key of ['report-path', 'sarif-path', 'markdown-path'])
    assert.ok(existsSync(outputs[key]!), key);
  assert.equal(outputs['report-path'], join(ws, 'npm-app', 'policy-report.json'));
  const report = JSON.parse(readFileSync(outputs['report-path']!, 'utf8')) as {
    findings: { id: string; status: string }[];
  };
  assert.deepEqual(
    report.findings.filter((f) => f.status === 'waived').map((f) => f.id),
    ['GHSA-593m-55hh-j8gv'],
  );
  assert.equal(summaries.length, 1);
  assert.ok(summaries[0]!.startsWith(COMMENT_MARKER));
});

test('without it the step fails (POLICY_REFUSED) after writing reports, with an error annotation on the SBOM', async () => {
  const ws = workspace();
  const { outputs, error, logged } = await runAction(ws, {});
  assert.ok(error instanceof VouchError && error.code === 'POLICY_REFUSED', String(error));
  assert.equal(outputs['verdict'], 'fail');
  assert.equal(outputs['failed-count'], '1');
  assert.ok(existsSync(outputs['sarif-path']!));
  assert.deepEqual(
    logged
      .filter((l) => l.level === 'error')
      .map((l) => [l.file, l.message.split(' is affected')[0]]),
    [['npm-app/sbom.cdx.json', '@sentry/browser@8.26.0']],
  );
});

test('warn-only reports the same failure, does not fail the step, and says it can never satisfy the gate', async () => {
  const ws = workspace();
  const { outputs, error, logged, summaries } = await runAction(ws, { 'warn-only': 'true' });
  assert.equal(error, undefined);
  assert.equal(outputs['verdict'], 'fail');
  assert.equal(outputs['mode'], 'warn-only');
  const report = JSON.parse(readFileSync(outputs['report-path']!, 'utf8')) as {
    mode: string;
    gateEligible: boolean;
  };
  assert.deepEqual([report.mode, report.gateEligible], ['warn-only', false]);
  assert.ok(
    logged.some((l) => l.level === 'warning' && /never satisfy the release gate/.test(l.message)),
  );
  assert.equal(logged.filter((l) => l.level === 'error').length, 0, 'findings are warnings');
  assert.match(summaries[0]!, /warn-only mode/);
});

async function withPullRequest(ws: string, routes: Routes) {
  const server = await startGitHubServer(pullRequest42Routes(routes));
  const dir = mkdtempSync(join(tmpdir(), 'vouch-event-'));
  writeFileSync(
    join(dir, 'event.json'),
    JSON.stringify({ action: 'synchronize', number: 42, pull_request: { number: 42 } }),
  );
  try {
    const result = await runAction(
      ws,
      {
        'pr-comment': 'true',
        'github-token': 'ghs_action',
        exceptions: 'npm-app/.vouch/exceptions.yml',
      },
      {
        GITHUB_REPOSITORY: 'acme/widget',
        GITHUB_EVENT_PATH: join(dir, 'event.json'),
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_API_URL: server.url,
      },
    );
    return { ...result, writes: server.requests.filter((q) => q.method !== 'GET') };
  } finally {
    await server.close();
  }
}

test('pr-comment posts one comment with the report, then updates that comment in place', async () => {
  const ws = workspace();
  const first = await withPullRequest(ws, {});
  assert.equal(first.error, undefined);
  assert.deepEqual(
    first.writes.map((w) => `${w.method} ${w.path}`),
    ['POST /repos/acme/widget/issues/42/comments'],
  );
  assert.ok((first.writes[0]!.body as { body: string }).body.startsWith(COMMENT_MARKER));
  // The bot's earlier comment (the recorded list, carrying the policy marker) is edited, not duplicated;
  // a person's comment with the marker planted in it is left alone.
  const existing = loadRecording('comments-existing');
  const relabelled = JSON.parse(
    JSON.stringify(existing).replaceAll('<!-- vouch:exceptions-review -->', COMMENT_MARKER),
  ) as typeof existing;
  const second = await withPullRequest(ws, {
    'GET /repos/acme/widget/issues/42/comments': relabelled,
  });
  assert.equal(second.error, undefined);
  assert.deepEqual(
    second.writes.map((w) => `${w.method} ${w.path}`),
    ['PATCH /repos/acme/widget/issues/comments/2510000002'],
  );
});
