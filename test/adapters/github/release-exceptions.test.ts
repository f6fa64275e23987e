import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient } from '../../../src/adapters/github/client.ts';
import { loadReleaseExceptions } from '../../../src/adapters/github/release-exceptions.ts';
import { VouchError } from '../../../src/errors.ts';
import {
  BASE_SHA,
  loadRecording,
  startGitHubServer,
  type Routes,
} from '../../helpers/github-server.ts';

const ROUTES: Routes = {
  'GET /repos/acme/widget': 'repo',
  'GET /repos/acme/widget/branches/main': 'branch-main',
  [`GET /repos/acme/widget/contents/.vouch/exceptions.yml?ref=${BASE_SHA}`]: 'exceptions-main',
  'GET /repos/acme/widget/pulls/17': 'pull-17-merged',
  'GET /repos/acme/widget/pulls/17/files': 'files-17',
  'GET /repos/acme/widget/pulls/17/reviews': 'reviews-17',
  'GET /repos/acme/widget/pulls/18': 'pull-18-open',
  'GET /orgs/acme/teams/release-managers/memberships/rm-bob': 'membership-active',
};

async function load(
  routes: Routes,
  verifyApprovals: boolean,
  allowedApprovers = ['@acme/release-managers'],
) {
  const server = await startGitHubServer(routes);
  try {
    const github = createGitHubClient({
      token: 'ghs_x',
      baseUrl: server.url,
      retryDelayMs: 1,
      sleep: async () => {},
    });
    const result = await loadReleaseExceptions({
      repo: 'acme/widget',
      path: '.vouch/exceptions.yml',
      github,
      verifyApprovals,
      allowedApprovers,
    });
    return { result, requests: server.requests };
  } finally {
    await server.close();
  }
}

test('exceptions are read from the protected default branch at its tip commit', async () => {
  const { result, requests } = await load(ROUTES, false);
  assert.equal(result.source, 'protected-branch');
  assert.equal(result.branch, 'main');
  assert.equal(result.commit, BASE_SHA);
  assert.deepEqual(
    result.file.exceptions.map((e) => e.id),
    ['GHSA-xvch-5gv4-984h', 'CVE-2021-23337'],
  );
  assert.ok(result.approvals.every((a) => !a.checked && !a.verified));
  assert.ok(
    requests.some(
      (q) => q.path.endsWith('/contents/.vouch/exceptions.yml') && q.query['ref'] === BASE_SHA,
    ),
  );
});

test('with verification, only exceptions approved in a merged pull request by an allowed approver remain', async () => {
  const { result } = await load(ROUTES, true);
  assert.deepEqual(
    result.file.exceptions.map((e) => e.id),
    ['GHSA-xvch-5gv4-984h'],
  );
  const [minimist, lodash] = result.approvals;
  assert.equal(minimist!.verified, true);
  assert.deepEqual(minimist!.approvers, ['rm-bob']);
  assert.equal(minimist!.pullRequest, 17);
  assert.equal(minimist!.mergeCommitSha, 'e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3');
  assert.equal(lodash!.verified, false);
  assert.match(lodash!.reason!, /#18 is not merged/);
});

test('an approver outside the allowed list does not verify', async () => {
  const { result } = await load(ROUTES, true, ['@someone-else']);
  assert.deepEqual(result.file.exceptions, []);
  assert.match(result.approvals[0]!.reason!, /no approving review by an allowed approver/);
});

test('an unprotected default branch is refused', async () => {
  const branch = loadRecording('branch-main');
  const unprotected = { ...branch, body: { ...(branch.body as object), protected: false } };
  await assert.rejects(
    load({ ...ROUTES, 'GET /repos/acme/widget/branches/main': unprotected }, false),
    (e: unknown) => e instanceof VouchError && e.code === 'EXCEPTIONS_APPROVAL_UNVERIFIED',
  );
});

test('a self-approved pull request does not confirm the exception', async () => {
  const { result } = await load(
    { ...ROUTES, 'GET /repos/acme/widget/pulls/17/reviews': 'reviews-self' },
    true,
  );
  const minimist = result.approvals.find((a) => a.exceptionId === 'GHSA-xvch-5gv4-984h')!;
  assert.equal(minimist.verified, false);
  assert.equal(minimist.checked, true);
  assert.match(
    minimist.reason!,
    /#17 has no approving review by an allowed approver other than its author/,
  );
  assert.deepEqual(result.file.exceptions, []);
  // every exception as read stays visible, confirmed or not
  assert.deepEqual(
    result.read.exceptions.map((e) => e.id),
    ['GHSA-xvch-5gv4-984h', 'CVE-2021-23337'],
  );
});

test('an approval by someone outside the approver team does not confirm the exception', async () => {
  const { result, requests } = await load(
    {
      ...ROUTES,
      'GET /repos/acme/widget/pulls/17/reviews': 'reviews-outsider',
      'GET /orgs/acme/teams/release-managers/memberships/outsider-dave': 'not-found',
    },
    true,
  );
  const minimist = result.approvals.find((a) => a.exceptionId === 'GHSA-xvch-5gv4-984h')!;
  assert.equal(minimist.verified, false);
  assert.deepEqual(minimist.approvers, []);
  assert.ok(
    requests.some((q) => q.path === '/orgs/acme/teams/release-managers/memberships/outsider-dave'),
  );
});

test('with the protection requirement off, an unprotected branch is read and reported as such', async () => {
  const branch = loadRecording('branch-main');
  const unprotected = { ...branch, body: { ...(branch.body as object), protected: false } };
  const server = await startGitHubServer({
    ...ROUTES,
    'GET /repos/acme/widget/branches/main': unprotected,
  });
  try {
    const github = createGitHubClient({ token: 'ghs_x', baseUrl: server.url, retryDelayMs: 1 });
    const result = await loadReleaseExceptions({
      repo: 'acme/widget',
      path: '.vouch/exceptions.yml',
      github,
      verifyApprovals: false,
      allowedApprovers: [],
      requireProtectedBranch: false,
    });
    assert.equal(result.protected, false);
    assert.equal(result.read.exceptions.length, 2);
    assert.match(result.text ?? '', /^# Policy exceptions for acme\/widget/);
  } finally {
    await server.close();
  }
});

test('a branch without the file reads as no exceptions, with no text', async () => {
  const routes = { ...ROUTES };
  delete routes[`GET /repos/acme/widget/contents/.vouch/exceptions.yml?ref=${BASE_SHA}`];
  const { result } = await load(routes, false);
  assert.equal(result.text, undefined);
  assert.deepEqual(result.read.exceptions, []);
  assert.equal(result.protected, true);
});
