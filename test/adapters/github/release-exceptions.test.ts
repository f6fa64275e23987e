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

/** Pull request #17 (the minimist waiver, final head c0ffee0…): its base and its merge commit. */
const BASE_17 = '17b45e0c3d2a1f0e9d8c7b6a5f4e3d2c1b0a9f81';
const MERGE_17 = 'e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3';
const EXCEPTIONS = '/repos/acme/widget/contents/.vouch/exceptions.yml';

const ROUTES: Routes = {
  'GET /repos/acme/widget': 'repo',
  'GET /repos/acme/widget/branches/main': 'branch-main',
  [`GET ${EXCEPTIONS}?ref=${BASE_SHA}`]: 'exceptions-main',
  'GET /repos/acme/widget/pulls/17': 'pull-17-merged',
  'GET /repos/acme/widget/pulls/17/files': 'files-17',
  'GET /repos/acme/widget/pulls/17/reviews': 'reviews-17',
  'GET /repos/acme/widget/pulls/17/commits': 'commits-17',
  [`GET ${EXCEPTIONS}?ref=${BASE_17}`]: 'exceptions-17-base',
  [`GET ${EXCEPTIONS}?ref=${MERGE_17}`]: 'exceptions-17-merge',
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
  const { result, requests } = await load(ROUTES, true);
  assert.deepEqual(
    result.file.exceptions.map((e) => e.id),
    ['GHSA-xvch-5gv4-984h'],
  );
  const [minimist, lodash] = result.approvals;
  assert.equal(minimist!.verified, true);
  assert.deepEqual(minimist!.approvers, ['rm-bob']);
  assert.equal(minimist!.pullRequest, 17);
  assert.equal(minimist!.mergeCommitSha, 'e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3');
  assert.equal(minimist!.code, undefined);
  assert.equal(lodash!.verified, false);
  assert.match(lodash!.reason!, /#18 is not merged/);
  assert.equal(lodash!.code, 'EXCEPTIONS_APPROVAL_UNVERIFIED');
  // the pull request's own change was read: the file at its base and at its merge commit
  for (const sha of [BASE_17, MERGE_17])
    assert.ok(requests.some((q) => q.path === EXCEPTIONS && q.query['ref'] === sha));
});

/** The minimist exception's confirmation, with some of #17's recorded answers replaced. */
async function minimistWith(overrides: Routes) {
  const { result } = await load({ ...ROUTES, ...overrides }, true);
  const minimist = result.approvals.find((a) => a.exceptionId === 'GHSA-xvch-5gv4-984h')!;
  assert.equal(minimist.checked, true);
  if (!minimist.verified) {
    assert.equal(minimist.code, 'EXCEPTIONS_APPROVAL_UNVERIFIED');
    assert.deepEqual(minimist.approvers, []);
    assert.ok(!result.file.exceptions.some((e) => e.id === 'GHSA-xvch-5gv4-984h'));
  }
  return minimist;
}

test('an approval given before the last push (stale) does not confirm the exception', async () => {
  const minimist = await minimistWith({
    'GET /repos/acme/widget/pulls/17/reviews': 'reviews-17-stale',
  });
  assert.equal(minimist.verified, false);
  assert.equal(minimist.pullRequest, 17);
  assert.match(
    minimist.reason!,
    /^pull request #17 has no approving review by an allowed approver other than its author or last pusher on its final head commit c0ffee0 \(rm-bob: stale: approved b0a7c6d, before the last push\)$/,
  );
});

test('an approval by the person who pushed the final head commit does not confirm the exception', async () => {
  const minimist = await minimistWith({
    'GET /repos/acme/widget/pulls/17/commits': 'commits-17-pushed-by-bob',
  });
  assert.equal(minimist.verified, false);
  assert.match(minimist.reason!, /\(rm-bob: pushed the latest commit\)/);
});

test('a merged, approved pull request that did not add this exception does not confirm it', async () => {
  // #17 only removed the lodash entry: minimist was already there at its base.
  const minimist = await minimistWith({
    [`GET ${EXCEPTIONS}?ref=${BASE_17}`]: 'exceptions-head-added',
  });
  assert.equal(minimist.verified, false);
  assert.equal(
    minimist.reason,
    'pull request #17 did not add or extend exception GHSA-xvch-5gv4-984h for pkg:npm/minimist in .vouch/exceptions.yml',
  );
});

test('an exception whose expiry is later than the one its pull request approved is not confirmed', async () => {
  const merged = loadRecording('exceptions-17-merge');
  const body = merged.body as { content: string };
  const text = Buffer.from(body.content, 'base64')
    .toString('utf8')
    .replace('expires: 2026-12-18', 'expires: 2026-12-04');
  const minimist = await minimistWith({
    [`GET ${EXCEPTIONS}?ref=${MERGE_17}`]: {
      ...merged,
      body: { ...body, content: Buffer.from(text).toString('base64'), size: text.length },
    },
  });
  assert.equal(minimist.verified, false);
  assert.match(
    minimist.reason!,
    /#17 approved exception GHSA-xvch-5gv4-984h .* until 2026-12-04, not 2026-12-18/,
  );
});

test('the pull request that added the exception, approved on its final head commit, confirms it', async () => {
  const minimist = await minimistWith({});
  assert.equal(minimist.verified, true);
  assert.deepEqual(minimist.approvers, ['rm-bob']);
  assert.equal(minimist.reason, undefined);
  // an allowed approver named as a user counts the same way
  const { result } = await load(ROUTES, true, ['@rm-bob']);
  assert.deepEqual(result.approvals[0]!.approvers, ['rm-bob']);
  assert.deepEqual(
    result.file.exceptions.map((e) => e.id),
    ['GHSA-xvch-5gv4-984h'],
  );
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
      'GET /repos/acme/widget/pulls/17/reviews': 'reviews-17-outsider',
      'GET /orgs/acme/teams/release-managers/memberships/outsider-dave': 'not-found',
    },
    true,
  );
  const minimist = result.approvals.find((a) => a.exceptionId === 'GHSA-xvch-5gv4-984h')!;
  assert.equal(minimist.verified, false);
  assert.deepEqual(minimist.approvers, []);
  assert.match(
    minimist.reason!,
    /\(outsider-dave: not in an approver team and not a CODEOWNERS owner of the file\)/,
  );
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
  delete routes[`GET ${EXCEPTIONS}?ref=${BASE_SHA}`];
  const { result } = await load(routes, false);
  assert.equal(result.text, undefined);
  assert.deepEqual(result.read.exceptions, []);
  assert.equal(result.protected, true);
});
