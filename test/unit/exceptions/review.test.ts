import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateReview,
  readReviewSide,
  remediationWindowsFromPolicy,
  renderReviewComment,
  REVIEW_COMMENT_MARKER,
  type ReviewFacts,
} from '../../../src/core/exceptions/review.ts';
import { DEFAULT_REMEDIATION_WINDOWS } from '../../../src/core/exceptions/model.ts';
import { VouchError } from '../../../src/errors.ts';

const HEAD = '6dcb09b5b57875f334f61aebed695e2e4193db5e';
const NOW = new Date('2026-12-02T12:00:00Z');
const opts = { windows: DEFAULT_REMEDIATION_WINDOWS, now: NOW };
const HEADER = 'version: 1\nexceptions:\n';
const MINIMIST =
  '  - id: GHSA-xvch-5gv4-984h\n    package: pkg:npm/minimist\n    reason: build scripts only\n    owner: "@acme/web"\n    approved-by: "@acme/release-managers"\n    approval: https://github.com/acme/widget/pull/17\n    created: 2026-11-20\n    expires: 2026-12-18\n';
const LODASH = (reason = 'template never used', expires = '2026-12-31') =>
  `  - id: CVE-2021-23337\n    package: pkg:npm/lodash\n    reason: "${reason}"\n    owner: "@acme/web"\n    approved-by: "@acme/release-managers"\n    approval: https://github.com/acme/widget/pull/42\n    created: 2026-12-01\n    expires: ${expires}\n`;

function facts(
  baseText: string | undefined,
  headText: string | undefined,
  over: Partial<ReviewFacts> = {},
): ReviewFacts {
  return {
    path: '.vouch/exceptions.yml',
    base: readReviewSide(baseText, 'base', opts),
    head: readReviewSide(headText, 'head', opts),
    dependencies: { changes: [], unreadable: [] },
    approval: {
      author: 'dev-alice',
      lastPushers: ['dev-alice'],
      headSha: HEAD,
      reviews: [{ id: 1, user: 'rm-bob', state: 'APPROVED', commitId: HEAD }],
      approverTeams: ['acme/release-managers'],
      codeOwners: [],
      teamMembers: new Map([['acme/release-managers', new Set(['rm-bob'])]]),
    },
    ...over,
  };
}

test('the comment starts with the hidden marker and has one table row per change', () => {
  const outcome = evaluateReview(
    facts(HEADER + MINIMIST, HEADER + MINIMIST + LODASH('a | pipe and <b>html</b>')),
  );
  assert.equal(outcome.verdict, 'pass');
  const body = renderReviewComment(outcome);
  assert.ok(body.startsWith(`${REVIEW_COMMENT_MARKER}\n`));
  assert.match(body, /### ✅ vouch exceptions review: approved/);
  const rows = body.split('\n').filter((l) => l.startsWith('| added'));
  assert.equal(rows.length, 1);
  assert.match(rows[0]!, /`CVE-2021-23337` \| `pkg:npm\/lodash` \| — \| 2026-12-31 \| required/);
  assert.ok(!body.includes('<b>'), 'HTML from the file is escaped');
});

test('an extension shows old → new expiry and needs approval', () => {
  const outcome = evaluateReview(
    facts(HEADER + LODASH(), HEADER + LODASH(undefined, '2027-01-20'), {
      approval: { ...facts(undefined, undefined).approval, reviews: [] },
    }),
  );
  assert.equal(outcome.verdict, 'fail');
  assert.match(renderReviewComment(outcome), /\| extended \|.*2026-12-31 → 2027-01-20 \| required/);
});

test('a validation error in an entry the change adds blocks; one in an untouched entry does not', () => {
  // 200 days: beyond every window.
  const tooLong = MINIMIST.replace('expires: 2026-12-18', 'expires: 2027-06-20');
  const added = evaluateReview(facts(HEADER + MINIMIST, HEADER + tooLong));
  assert.equal(added.verdict, 'fail');
  assert.match(added.reasons.join('\n'), /validation error/);
  const untouched = evaluateReview(facts(HEADER + tooLong, HEADER + tooLong + LODASH()));
  assert.equal(untouched.verdict, 'pass');
  assert.match(renderReviewComment(untouched), /EXPIRY_BEYOND_WINDOW/);
});

test('deleting the exceptions file removes every waiver and needs no approval', () => {
  const outcome = evaluateReview(
    facts(HEADER + MINIMIST + LODASH(), undefined, {
      approval: { ...facts(undefined, undefined).approval, reviews: [] },
    }),
  );
  assert.equal(outcome.verdict, 'pass');
  assert.deepEqual(
    outcome.changes.map((c) => c.change.kind),
    ['removed', 'removed'],
  );
});

test('an unreadable head lockfile requires a second approver', () => {
  const outcome = evaluateReview(
    facts(HEADER + MINIMIST, HEADER + MINIMIST + LODASH(), {
      dependencies: { changes: [], unreadable: ['package-lock.json'] },
    }),
  );
  assert.equal(outcome.verdict, 'fail');
  assert.equal(outcome.approval.required, 2);
  assert.match(renderReviewComment(outcome), /could not be read/);
});

test('a head that does not parse blocks even with an approval', () => {
  const outcome = evaluateReview(
    facts(HEADER + MINIMIST, 'version: 1\nexceptions:\n  - id: [unclosed\n'),
  );
  assert.equal(outcome.verdict, 'fail');
  assert.equal(outcome.head.state, 'invalid');
  assert.match(renderReviewComment(outcome), /exceptions\.yml:4:\d+: Flow sequence/);
});

test('remediation windows come from the policy file, defaults for the rest', () => {
  assert.deepEqual(
    remediationWindowsFromPolicy(
      'version: 1\nremediation-windows: {critical: 3, high: 14}\n',
      'p.yml',
    ),
    {
      critical: 3,
      high: 14,
      medium: 90,
      low: 180,
    },
  );
  assert.throws(
    () => remediationWindowsFromPolicy('remediation-windows: {urgent: 3}\n', 'p.yml'),
    (e: unknown) => e instanceof VouchError && e.code === 'POLICY_INVALID',
  );
  assert.throws(
    () => remediationWindowsFromPolicy('remediation-windows: {high: -1}\n', 'p.yml'),
    (e: unknown) => e instanceof VouchError && e.code === 'POLICY_INVALID',
  );
});
