/**
 * The gate action's inputs and the checks run() makes before deciding; the decision itself is
 * tested in test/adapters/gate/run-gate.test.ts and end to end in test/e2e/actions.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInputs } from '../../src/actions/gate/inputs.ts';
import { run } from '../../src/actions/gate/main.ts';
import { VouchError } from '../../src/errors.ts';
import { captureDeps, reader } from '../helpers/action-io.ts';
import { ROOT } from '../helpers/cli.ts';
import { startGitHubServer } from '../helpers/github-server.ts';

const isCode = (code: string) => (e: unknown) => e instanceof VouchError && e.code === code;

test('the GitHub inputs: token, approval checks, approver teams, and the repository and server from the runner', () => {
  const inputs = readInputs(
    reader({
      files: 'dist/*.tgz',
      policy: '.vouch/policy.yml',
      'github-token': 'ghs_x',
      'verify-approvals': 'true',
      'approver-teams': '@acme/release-managers\nacme/security',
    }),
    {
      GITHUB_REPOSITORY: 'acme/widget',
      GITHUB_API_URL: 'https://ghe.example.com/api/v3',
      GITHUB_SERVER_URL: 'https://ghe.example.com',
    },
  );
  assert.equal(inputs.githubToken, 'ghs_x');
  assert.equal(inputs.verifyApprovals, true);
  assert.deepEqual(inputs.approverTeams, ['acme/release-managers', 'acme/security']);
  assert.equal(inputs.repository, 'acme/widget');
  assert.equal(inputs.apiUrl, 'https://ghe.example.com/api/v3');
  assert.equal(inputs.serverHost, 'ghe.example.com');
  assert.throws(
    () => readInputs(reader({ 'approver-teams': 'release-managers' }), {}),
    isCode('INPUT_INVALID'),
  );
});

test('approval checks without a token are refused as a missing input', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'vouch-gate-action-'));
  const inputs = readInputs(
    reader({
      files: 'dist/*.tgz',
      policy: '.vouch/policy.yml',
      exceptions: '.vouch/exceptions.yml',
      'verify-approvals': 'true',
      'approver-teams': 'acme/release-managers',
    }),
    { GITHUB_REPOSITORY: 'acme/widget' },
  );
  await assert.rejects(run(inputs, captureDeps(ws, {})), isCode('INPUT_MISSING'));
});

test('a missing input path is bad input before the GitHub API is asked anything, and nothing is written', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'vouch-gate-action-'));
  cpSync(join(ROOT, 'examples/.vouch'), join(ws, '.vouch'), { recursive: true });
  const server = await startGitHubServer({});
  try {
    const env = { GITHUB_REPOSITORY: 'acme/widget-web', GITHUB_API_URL: server.url };
    const inputs = readInputs(
      reader({
        files: 'dist/*.tgz',
        policy: '.vouch/policy.yml',
        exceptions: '.vouch/exceptions.yml',
        'public-key': 'keys/missing.pub',
        'github-token': 'ghs_x',
        'evidence-dir': 'evidence',
      }),
      env,
    );
    await assert.rejects(
      run(inputs, captureDeps(ws, env)),
      (e: unknown) =>
        isCode('GATE_INPUT_UNREADABLE')(e) && (e as Error).message.includes('keys/missing.pub'),
    );
    assert.deepEqual(server.requests, []);
    assert.equal(existsSync(join(ws, 'evidence')), false);
    assert.equal(existsSync(join(ws, 'evidence.tar.gz')), false);
  } finally {
    await server.close();
  }
});
