import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  advisorySeveritiesOf,
  evaluateReview,
  exceptionWindow,
  readReviewSide,
  remediationWindowsFromPolicy,
  renderReviewComment,
  REVIEW_COMMENT_MARKER,
  type ReviewFacts,
} from '../../../src/core/exceptions/review.ts';
import { DEFAULT_REMEDIATION_WINDOWS } from '../../../src/core/exceptions/model.ts';
import type { PolicyException } from '../../../src/core/exceptions/model.ts';
import { buildAdvisoryDatabase } from '../../../src/core/osv/database.ts';
import { VouchError } from '../../../src/errors.ts';
import { SHARED } from '../../helpers/cli.ts';

const HEAD = '6dcb09b5b57875f334f61aebed695e2e4193db5e';
const NOW = new Date('2026-12-02T12:00:00Z');
const OSV = join(SHARED, 'advisories', 'osv');
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

/** The real OSV records (GitHub advisory database copies) in ../shared/advisories/osv. */
function realAdvisories() {
  const raw = [];
  for (const eco of ['npm', 'crates.io']) {
    for (const name of readdirSync(join(OSV, eco)).filter((n) => n.endsWith('.json')))
      raw.push({ source: name, text: readFileSync(join(OSV, eco, name), 'utf8') });
  }
  return advisorySeveritiesOf(buildAdvisoryDatabase(raw));
}

const CRITICAL_180 =
  // CVE-2021-44906 is an alias of GHSA-xvch-5gv4-984h (minimist prototype pollution, CVSS 9.8).
  '  - id: CVE-2021-44906\n    package: pkg:npm/minimist\n    versions: "<1.2.6"\n    reason: build scripts only\n    owner: "@acme/web"\n    approved-by: "@acme/release-managers"\n    approval: https://github.com/acme/widget/pull/42\n    created: 2026-12-01\n    expires: 2027-05-30\n';

test('real advisories: the severity of the waived advisory (or its alias) sets the window', () => {
  const advisories = realAdvisories();
  const w = (id: string) =>
    exceptionWindow({ id } as PolicyException, DEFAULT_REMEDIATION_WINDOWS, advisories);
  assert.deepEqual(w('CVE-2021-44906'), {
    days: 7,
    basis: 'severity',
    severity: 'critical',
    advisory: 'GHSA-xvch-5gv4-984h',
  });
  assert.deepEqual(
    w('ghsa-xvch-5gv4-984h'),
    w('GHSA-xvch-5gv4-984h'),
    'ids match case-insensitively',
  );
  assert.equal(w('CVE-2021-23337').severity, 'high'); // lodash command injection, GHSA-35jh-r3h4-6jhm
  assert.equal(w('CVE-2021-23337').days, 30);
  assert.equal(w('GHSA-g98v-hv3f-hcfr').severity, 'low'); // atty, label only
  assert.deepEqual(w('CVE-1999-0001'), { days: 180, basis: 'advisory-not-found' });
  assert.deepEqual(w('license:GPL-3.0-only'), { days: 180, basis: 'license' });
  assert.deepEqual(w('ban:event-stream'), { days: 180, basis: 'ban' });
  assert.deepEqual(
    exceptionWindow(
      { id: 'CVE-2021-44906' } as PolicyException,
      DEFAULT_REMEDIATION_WINDOWS,
      undefined,
    ),
    { days: 180, basis: 'no-advisory-data' },
  );
});

test('real advisories: a critical waiver expiring in 180 days is blocked, whatever the approvals', () => {
  const advisories = realAdvisories();
  const withData = { ...opts, advisories };
  const outcome = evaluateReview(
    facts(HEADER + MINIMIST, HEADER + MINIMIST + CRITICAL_180, {
      base: readReviewSide(HEADER + MINIMIST, 'base', withData),
      head: readReviewSide(HEADER + MINIMIST + CRITICAL_180, 'head', withData),
    }),
  );
  assert.equal(outcome.verdict, 'fail');
  assert.equal(outcome.approval.approved, true, 'the approval alone would have passed it');
  assert.deepEqual(outcome.warnings, []);
  const body = renderReviewComment(outcome);
  assert.match(
    body,
    /\[EXPIRY_BEYOND_WINDOW\] CVE-2021-44906 \(pkg:npm\/minimist\): expires 180 days after it was created; the critical severity remediation window allows 7/,
  );
  assert.match(
    body,
    /\| added \| `CVE-2021-44906` .*7-day critical window \(GHSA-xvch-5gv4-984h\)/,
  );
  assert.match(body, /1 validation error\(s\) in the entries this change adds or alters/);
  assert.ok(!body.includes('No advisory data'), body);
});

test('without advisory data the longest window caps expiries, and the comment says so', () => {
  const outcome = evaluateReview(facts(HEADER + MINIMIST, HEADER + MINIMIST + CRITICAL_180));
  assert.equal(outcome.verdict, 'pass', 'capped by the longest window (180 days) only');
  assert.equal(outcome.warnings.length, 1);
  assert.match(
    outcome.warnings[0]!,
    /No advisory data was given .*capped by the longest window \(180 days\).*: GHSA-xvch-5gv4-984h, CVE-2021-44906$/,
  );
  const body = renderReviewComment(outcome);
  assert.match(body, /⚠️ No advisory data was given/);
  assert.match(
    body,
    /\| added \| `CVE-2021-44906` .*180-day window \(longest: no advisory data given\)/,
  );
});

test('license and ban exceptions take the longest window and raise no advisory warning', () => {
  const LICENSE =
    '  - id: license:GPL-3.0-only\n    package: pkg:npm/some-cli\n    reason: separate build tool\n    owner: "@acme/web"\n    approved-by: "@acme/release-managers"\n    approval: https://github.com/acme/widget/pull/42\n    created: 2026-12-01\n    expires: 2027-05-30\n';
  const outcome = evaluateReview(facts(HEADER, HEADER + LICENSE));
  assert.equal(outcome.verdict, 'pass');
  assert.deepEqual(outcome.warnings, []);
  assert.equal(outcome.changes[0]!.window?.basis, 'license');
  const longer = evaluateReview(
    facts(HEADER, HEADER + LICENSE.replace('2027-05-30', '2027-06-01')),
  );
  assert.equal(longer.verdict, 'fail', '182 days is beyond the longest window');
});

test('an advisory the data does not hold is capped by the longest window, with a warning', () => {
  const advisories = realAdvisories();
  const text = HEADER + CRITICAL_180.replace('CVE-2021-44906', 'CVE-2099-0001');
  const outcome = evaluateReview(
    facts(HEADER, text, {
      base: readReviewSide(HEADER, 'base', { ...opts, advisories }),
      head: readReviewSide(text, 'head', { ...opts, advisories }),
    }),
  );
  assert.equal(outcome.verdict, 'pass');
  assert.deepEqual(outcome.warnings, [
    'Not found in the advisory data, so capped by the longest remediation window: CVE-2099-0001',
  ]);
});

test('real advisories: a waiver naming an alias of an advisory already waived for the same versions is a duplicate', () => {
  const advisories = realAdvisories();
  const alias = CRITICAL_180.replace('    versions: "<1.2.6"\n', '').replace(
    '2027-05-30',
    '2026-12-08',
  );
  const text = HEADER + MINIMIST + alias;
  const outcome = evaluateReview(
    facts(HEADER + MINIMIST, text, {
      base: readReviewSide(HEADER + MINIMIST, 'base', { ...opts, advisories }),
      head: readReviewSide(text, 'head', { ...opts, advisories }),
    }),
  );
  assert.equal(outcome.verdict, 'fail');
  assert.match(
    renderReviewComment(outcome),
    /\[DUPLICATE_ALIAS\] CVE-2021-44906 .*CVE-2021-44906 and GHSA-xvch-5gv4-984h are aliases of one advisory/,
  );
  // Without the advisory data the two ids look different, and the literal check lets them be.
  assert.equal(evaluateReview(facts(HEADER + MINIMIST, text)).verdict, 'pass');
});
