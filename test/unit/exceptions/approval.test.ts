import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateApproval,
  teamsToResolve,
  type ApprovalContext,
  type ReviewRecord,
} from '../../../src/core/exceptions/approval.ts';

const HEAD = '6dcb09b5b57875f334f61aebed695e2e4193db5e';
const OLD = '3f1c4e0a9b2d7c8e5f6a1b0c9d8e7f6a5b4c3d2e';
let id = 0;
const r = (
  user: string,
  state: ReviewRecord['state'],
  commitId = HEAD,
  at = '2026-12-02T11:00:00Z',
): ReviewRecord => ({
  id: ++id,
  user,
  state,
  commitId,
  submittedAt: at,
});

const context = (over: Partial<ApprovalContext>): ApprovalContext => ({
  author: 'dev-alice',
  lastPushers: ['dev-alice'],
  headSha: HEAD,
  reviews: [],
  approverTeams: ['acme/release-managers'],
  codeOwners: [],
  teamMembers: new Map([['acme/release-managers', new Set(['rm-bob', 'rm-carol', 'dev-alice'])]]),
  required: 1,
  ...over,
});

test('a team member approving the head counts', () => {
  const a = evaluateApproval(context({ reviews: [r('rm-bob', 'APPROVED')] }));
  assert.equal(a.approved, true);
  assert.deepEqual(a.approvers, ['rm-bob']);
});

test('the author cannot approve, even as a team member; logins compare case-insensitively', () => {
  const a = evaluateApproval(context({ reviews: [r('Dev-Alice', 'APPROVED')] }));
  assert.equal(a.approved, false);
  assert.equal(a.findings[0]!.reason, 'is the pull request author');
});

test('the last pusher cannot approve', () => {
  const a = evaluateApproval(
    context({ lastPushers: ['rm-bob'], reviews: [r('rm-bob', 'APPROVED')] }),
  );
  assert.equal(a.approved, false);
  assert.equal(a.findings[0]!.reason, 'pushed the latest commit');
});

test('an approval of an older commit is stale', () => {
  const a = evaluateApproval(context({ reviews: [r('rm-bob', 'APPROVED', OLD)] }));
  assert.equal(a.approved, false);
  assert.match(a.findings[0]!.reason, /^stale/);
});

test('a later request for changes replaces an approval; a later comment does not', () => {
  const withdrawn = evaluateApproval(
    context({
      reviews: [
        r('rm-bob', 'APPROVED', HEAD, '2026-12-02T11:00:00Z'),
        r('rm-bob', 'CHANGES_REQUESTED', HEAD, '2026-12-02T12:00:00Z'),
      ],
    }),
  );
  assert.equal(withdrawn.approved, false);
  assert.deepEqual(withdrawn.changesRequestedBy, ['rm-bob']);
  const commented = evaluateApproval(
    context({
      reviews: [
        r('rm-bob', 'APPROVED', HEAD, '2026-12-02T11:00:00Z'),
        r('rm-bob', 'COMMENTED', HEAD, '2026-12-02T12:00:00Z'),
      ],
    }),
  );
  assert.equal(commented.approved, true);
});

test('a dismissed approval does not count', () => {
  const a = evaluateApproval(
    context({
      reviews: [
        r('rm-bob', 'APPROVED', HEAD, '2026-12-02T11:00:00Z'),
        r('rm-bob', 'DISMISSED', HEAD, '2026-12-02T12:00:00Z'),
      ],
    }),
  );
  assert.equal(a.approved, false);
});

test('two approvals by the same person are one approver', () => {
  const a = evaluateApproval(
    context({
      required: 2,
      reviews: [
        r('rm-bob', 'APPROVED', HEAD, '2026-12-02T11:00:00Z'),
        r('rm-bob', 'APPROVED', HEAD, '2026-12-02T11:30:00Z'),
      ],
    }),
  );
  assert.equal(a.approved, false);
  assert.deepEqual(a.approvers, ['rm-bob']);
});

test('CODEOWNERS: a user owner or a member of an owning team may approve; e-mail owners cannot be matched', () => {
  const owners = evaluateApproval(
    context({
      approverTeams: [],
      codeOwners: ['@rm-carol', 'security@acme.example'],
      teamMembers: new Map(),
      reviews: [r('rm-carol', 'APPROVED')],
    }),
  );
  assert.equal(owners.approved, true);
  assert.equal(owners.findings[0]!.reason, 'CODEOWNERS @rm-carol');
  assert.deepEqual(teamsToResolve(['@Acme/Release-Managers'], ['@acme/sec', '@someone', 'a@b.c']), [
    'acme/release-managers',
    'acme/sec',
  ]);
});

test('no team and no code owner: nobody is eligible (fails closed)', () => {
  const a = evaluateApproval(
    context({ approverTeams: [], codeOwners: [], reviews: [r('rm-bob', 'APPROVED')] }),
  );
  assert.equal(a.approved, false);
});

test('nothing to approve: approved with no reviews', () => {
  assert.equal(evaluateApproval(context({ required: 0 })).approved, true);
});
