import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExceptions } from '../../../src/core/exceptions/parse.ts';
import { buildAdvisoryDatabase } from '../../../src/core/osv/database.ts';
import { evaluatePolicy, exitCodeOf } from '../../../src/core/policy/evaluate.ts';
import { parsePolicy } from '../../../src/core/policy/parse.ts';
import { buildSarif, formatMarkdown, formatText } from '../../../src/core/policy/render.ts';
import { policyEvidenceFromReport } from '../../../src/core/gate/policy-evidence.ts';
import { loadRealAdvisories, sbomOf } from '../../helpers/osv.ts';

const npm = buildAdvisoryDatabase(loadRealAdvisories('npm'));
const crates = buildAdvisoryDatabase(loadRealAdvisories('crates.io'));
const now = new Date('2026-12-01T12:00:00Z');
const POLICY = parsePolicy(
  `version: 1
scopes: [required]
licenses:
  allow: [MIT, Apache-2.0, ISC]
  deny: [GPL-3.0-only]
  unknown: warn
  overrides:
    - package: pkg:npm/mislabelled
      license: MIT
vulnerabilities:
  fail-on: high
bans:
  - name: no-event-stream
    package: pkg:npm/event-stream
    versions: ">=3.3.6 <4"
    reason: compromised release
`,
  'policy.yml',
);

const exceptionsFile = (entries: string) =>
  parseExceptions(`version: 1\nexceptions:\n${entries}`, 'exceptions.yml');
const entry = (id: string, pkg: string, created: string, expires: string, extra = '') =>
  `  - id: ${id}\n    package: ${pkg}\n    reason: reviewed\n    owner: "@acme/web"\n    approved-by: "@acme-rm"\n    approval: https://github.com/acme/widget/pull/9\n    created: ${created}\n    expires: ${expires}\n${extra}`;

test('a vulnerable locked version fails; the same finding is waived by an approved, unexpired exception (any alias)', () => {
  const sbom = sbomOf([{ ecosystem: 'npm', name: 'minimist', version: '1.2.5', license: 'MIT' }]);
  const failing = evaluatePolicy({ sbom, policy: POLICY, advisories: npm, now });
  assert.equal(failing.verdict, 'fail');
  assert.equal(exitCodeOf(failing), 1);
  assert.equal(failing.findings[0]!.status, 'fail');
  const exceptions = exceptionsFile(
    entry(
      'CVE-2021-44906',
      'pkg:npm/minimist',
      '2026-11-28',
      '2026-12-04',
      '    versions: "<1.2.6"\n',
    ),
  );
  const waived = evaluatePolicy({ sbom, policy: POLICY, advisories: npm, exceptions, now });
  assert.equal(waived.verdict, 'pass');
  assert.equal(exitCodeOf(waived), 0);
  assert.equal(waived.findings[0]!.status, 'waived');
  assert.equal(waived.findings[0]!.id, 'GHSA-xvch-5gv4-984h', 'reported under the canonical id');
  assert.equal(waived.findings[0]!.waivedBy?.id, 'CVE-2021-44906');
  assert.deepEqual(
    waived.exceptions.used.map((e) => e.index),
    [0],
  );
  assert.deepEqual(
    waived.exceptions.expiringSoon.map((e) => e.index),
    [0],
    'expires within 14 days',
  );
});

test('an expired exception stops waiving and the report names it', () => {
  const sbom = sbomOf([{ ecosystem: 'npm', name: 'minimist', version: '1.2.5', license: 'MIT' }]);
  const exceptions = exceptionsFile(
    entry('GHSA-xvch-5gv4-984h', 'pkg:npm/minimist', '2026-11-20', '2026-11-25'),
  );
  const report = evaluatePolicy({ sbom, policy: POLICY, advisories: npm, exceptions, now });
  assert.equal(report.verdict, 'fail');
  assert.equal(report.findings[0]!.status, 'fail');
  assert.equal(report.findings[0]!.expiredException?.expires, '2026-11-25');
  assert.deepEqual(
    report.exceptions.expired.map((e) => e.id),
    ['GHSA-xvch-5gv4-984h'],
  );
  assert.equal(report.counts.expiredExceptions, 1);
  assert.ok(report.exceptions.problems.some((p) => p.code === 'EXPIRED'));
});

test('expiry beyond the remediation window makes the exception invalid: it waives nothing and the policy fails', () => {
  const sbom = sbomOf([{ ecosystem: 'npm', name: 'minimist', version: '1.2.5', license: 'MIT' }]);
  // critical advisory: 7-day window; 30 days asked.
  const exceptions = exceptionsFile(
    entry('GHSA-xvch-5gv4-984h', 'pkg:npm/minimist', '2026-11-25', '2026-12-25'),
  );
  const report = evaluatePolicy({ sbom, policy: POLICY, advisories: npm, exceptions, now });
  assert.equal(report.verdict, 'fail');
  assert.equal(report.findings[0]!.status, 'fail');
  assert.equal(report.counts.invalidExceptions, 1);
  const problem = report.exceptions.problems.find((p) => p.code === 'EXPIRY_BEYOND_WINDOW');
  assert.match(problem!.message, /critical severity remediation window allows 7/);
});

test('an exception for an advisory that matches nothing is reported unused; its window uses the advisory severity', () => {
  const sbom = sbomOf([{ ecosystem: 'npm', name: 'minimist', version: '1.2.8', license: 'MIT' }]);
  const exceptions = exceptionsFile(
    entry('GHSA-xvch-5gv4-984h', 'pkg:npm/minimist', '2026-11-28', '2026-12-04') +
      entry('GHSA-29mw-wpgm-hmr9', 'pkg:npm/lodash', '2026-11-28', '2027-01-20'),
  );
  const report = evaluatePolicy({ sbom, policy: POLICY, advisories: npm, exceptions, now });
  assert.equal(report.verdict, 'pass');
  assert.deepEqual(
    report.exceptions.unused.map((e) => e.index),
    [0, 1],
  );
  assert.equal(report.counts.unusedExceptions, 2);
  assert.deepEqual(
    report.exceptions.problems.filter((p) => p.level === 'error'),
    [],
    'medium window 90 days holds 53',
  );
});

test('bans match purl and range in npm semantics; license and ban exceptions waive', () => {
  const sbom = sbomOf([
    { ecosystem: 'npm', name: 'event-stream', version: '3.3.6', license: 'MIT' },
    { ecosystem: 'npm', name: 'gpl-thing', version: '1.0.0', license: 'GPL-3.0-only' },
    { ecosystem: 'npm', name: 'either', version: '1.0.0', license: 'MIT OR GPL-3.0-only' },
    { ecosystem: 'npm', name: 'mislabelled', version: '1.0.0', license: 'GPL-3.0-only' },
    { ecosystem: 'npm', name: 'nolicense', version: '1.0.0' },
  ]);
  const report = evaluatePolicy({ sbom, policy: POLICY, advisories: npm, now });
  const by = (name: string) =>
    report.findings.filter((f) => f.component.name === name).map((f) => `${f.kind}:${f.status}`);
  assert.deepEqual(by('event-stream'), ['vulnerability:fail', 'ban:fail']);
  assert.deepEqual(by('gpl-thing'), ['license:fail']);
  assert.deepEqual(by('either'), []);
  assert.deepEqual(by('mislabelled'), [], 'the override replaces wrong metadata');
  assert.deepEqual(by('nolicense'), ['license:warn'], 'unknown: warn');
  const exceptions = exceptionsFile(
    entry(
      'ban:no-event-stream',
      'pkg:npm/event-stream',
      '2026-11-28',
      '2026-12-20',
      '    versions: "3.3.6"\n',
    ) +
      entry('GHSA-mh6f-8j2x-4483', 'pkg:npm/event-stream', '2026-11-28', '2026-12-03') +
      entry('license:GPL-3.0-only', 'pkg:npm/gpl-thing', '2026-11-28', '2027-01-20'),
  );
  const waived = evaluatePolicy({ sbom, policy: POLICY, advisories: npm, exceptions, now });
  assert.equal(
    waived.verdict,
    'pass',
    JSON.stringify(waived.findings.filter((f) => f.status === 'fail')),
  );
  assert.equal(waived.counts.waived, 3);
  const safe = evaluatePolicy({
    sbom: sbomOf([{ ecosystem: 'npm', name: 'event-stream', version: '3.3.4', license: 'MIT' }]),
    policy: POLICY,
    advisories: npm,
    now,
  });
  assert.equal(safe.verdict, 'pass', 'event-stream 3.3.4 is the last clean release');
});

test('scopes: dev components are out of scope unless the policy lists dev', () => {
  const sbom = sbomOf([
    { ecosystem: 'npm', name: 'minimist', version: '1.2.5', license: 'MIT', scope: 'dev' },
  ]);
  const report = evaluatePolicy({ sbom, policy: POLICY, advisories: npm, now });
  assert.equal(report.verdict, 'pass');
  assert.equal(report.sbom.outOfScope, 1);
  const withDev = parsePolicy('version: 1\nscopes: [required, optional, dev]\n', 'p.yml');
  assert.equal(evaluatePolicy({ sbom, policy: withDev, advisories: npm, now }).verdict, 'fail');
});

test('fail-on threshold and only-fixed: below the threshold warns; with no known fix only-fixed warns', () => {
  const sbom = sbomOf([{ ecosystem: 'cargo', name: 'atty', version: '0.2.14' }]);
  const low = evaluatePolicy({
    sbom,
    policy: parsePolicy('version: 1\nvulnerabilities: {fail-on: high}\n', 'p'),
    advisories: crates,
    now,
  });
  assert.equal(low.verdict, 'pass');
  assert.equal(low.findings[0]!.status, 'warn');
  assert.equal(low.findings[0]!.severity, 'low');
  const any = evaluatePolicy({
    sbom,
    policy: parsePolicy('version: 1\nvulnerabilities: {fail-on: low, only-fixed: true}\n', 'p'),
    advisories: crates,
    now,
  });
  assert.equal(any.findings[0]!.status, 'warn', 'atty has no fixed version');
  assert.match(any.findings[0]!.notes!.join(' '), /only-fixed/);
  const strict = evaluatePolicy({
    sbom,
    policy: parsePolicy('version: 1\nvulnerabilities: {fail-on: low}\n', 'p'),
    advisories: crates,
    now,
  });
  assert.equal(strict.verdict, 'fail');
});

test('withdrawn advisories are ignored; malformed records are skipped and named', () => {
  const record = loadRealAdvisories('npm').find(
    (r) => (r.value as { id: string }).id === 'GHSA-xvch-5gv4-984h',
  )!;
  const withdrawn = {
    source: 'w.json',
    value: { ...(record.value as object), withdrawn: '2026-01-01T00:00:00Z' },
  };
  const broken = {
    source: 'b.json',
    value: {
      id: 'GHSA-bad0-bad0-bad0',
      modified: 'x',
      affected: [
        {
          package: { ecosystem: 'npm', name: 'x' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0', fixed: '1' }] }],
        },
      ],
    },
  };
  const db = buildAdvisoryDatabase([withdrawn, broken]);
  assert.deepEqual(db.withdrawn, ['GHSA-xvch-5gv4-984h']);
  assert.equal(db.skipped[0]!.id, 'GHSA-bad0-bad0-bad0');
  assert.match(db.skipped[0]!.reason, /exactly one of introduced, fixed/);
  const report = evaluatePolicy({
    sbom: sbomOf([{ ecosystem: 'npm', name: 'minimist', version: '1.2.5' }]),
    policy: parsePolicy('version: 1\n', 'p'),
    advisories: db,
    now,
  });
  assert.equal(report.verdict, 'pass');
  assert.equal(report.advisories.skipped.length, 1);
});

test('warn-only: same findings, exit 0, marked so the gate never accepts it', () => {
  const sbom = sbomOf([{ ecosystem: 'npm', name: 'minimist', version: '1.2.5', license: 'MIT' }]);
  const report = evaluatePolicy({ sbom, policy: POLICY, advisories: npm, now, mode: 'warn-only' });
  assert.equal(report.verdict, 'fail');
  assert.equal(report.mode, 'warn-only');
  assert.equal(report.gateEligible, false);
  assert.equal(exitCodeOf(report), 0);
  assert.equal(evaluatePolicy({ sbom, policy: POLICY, advisories: npm, now }).gateEligible, true);
});

test('vulnerability rules with no advisories to check them against: the verdict stands, but the report is not gate-eligible', () => {
  const sbom = sbomOf([{ ecosystem: 'npm', name: 'minimist', version: '1.2.5', license: 'MIT' }]);
  const policy = parsePolicy('version: 1\nvulnerabilities:\n  fail-on: critical\n', 'p');
  for (const [advisories, reason] of [
    [undefined, /^no advisory source was given, so the vulnerability rules were not checked$/],
    [[], /^the advisory sources held no records, so the vulnerability rules were not checked$/],
  ] as const) {
    const report = evaluatePolicy({ sbom, policy, now, ...(advisories ? { advisories } : {}) });
    assert.equal(report.verdict, 'pass', 'ad-hoc use keeps its verdict');
    assert.equal(report.gateEligible, false);
    assert.equal(report.gateIneligibleReasons?.length, 1);
    assert.match(report.gateIneligibleReasons![0]!, reason);
    assert.ok(report.advisories.warnings.includes(report.gateIneligibleReasons![0]!));
    assert.ok(
      formatText(report).includes(
        `\n  GATE   not accepted by the release gate: ${report.gateIneligibleReasons![0]}\n`,
      ),
    );
    assert.match(formatMarkdown(report), /> \[!CAUTION\]\n> not accepted by the release gate/);
    assert.deepEqual(
      JSON.parse(JSON.stringify(buildSarif(report, { sbom: 's' }))).runs[0].properties
        .gateIneligibleReasons,
      report.gateIneligibleReasons,
    );
    // The gate reads gateEligible: such a report never satisfies it, and says why.
    const evidence = policyEvidenceFromReport(report, 'd'.repeat(64));
    assert.equal(evidence.warnOnly, false);
    assert.deepEqual(evidence.ineligible, report.gateIneligibleReasons);
  }
  const checked = evaluatePolicy({ sbom, policy, now, advisories: npm });
  assert.equal(checked.gateEligible, true);
  assert.equal(checked.gateIneligibleReasons, undefined);
  assert.doesNotMatch(formatText(checked), /GATE/);
  const both = evaluatePolicy({ sbom, policy, now, mode: 'warn-only' });
  assert.deepEqual(both.gateIneligibleReasons, [
    'the run was warn-only',
    'no advisory source was given, so the vulnerability rules were not checked',
  ]);
});

test('Cargo build metadata is ignored when comparing (libgit2-sys 0.14.2+1.5.1 < 0.16.2)', () => {
  const report = evaluatePolicy({
    sbom: sbomOf([
      { ecosystem: 'cargo', name: 'libgit2-sys', version: '0.14.2+1.5.1' },
      { ecosystem: 'cargo', name: 'libgit2-sys', version: '0.17.0+1.8.1' },
    ]),
    policy: parsePolicy('version: 1\n', 'p'),
    advisories: crates,
    now,
  });
  assert.deepEqual(
    report.findings.map((f) => f.component.version),
    ['0.14.2+1.5.1'],
  );
});

test('THREATS 43: two exceptions naming aliases of one advisory (GHSA and CVE) for one package are duplicates, named both', () => {
  const sbom = sbomOf([{ ecosystem: 'npm', name: 'minimist', version: '1.2.5', license: 'MIT' }]);
  // The literal ids differ, so the file parses; the real record links them as aliases.
  const exceptions = exceptionsFile(
    entry('GHSA-xvch-5gv4-984h', 'pkg:npm/minimist', '2026-11-28', '2026-12-04') +
      entry('CVE-2021-44906', 'pkg:npm/minimist', '2026-11-28', '2026-12-04') +
      // Same advisory, another package: not a duplicate.
      entry('CVE-2021-44906', 'pkg:npm/minimist-lite', '2026-11-28', '2026-12-04') +
      // Same advisory and package, another range: not a duplicate either.
      entry(
        'CVE-2021-44906',
        'pkg:npm/minimist',
        '2026-11-28',
        '2026-12-04',
        '    versions: "<1.2.6"\n',
      ),
  );
  const report = evaluatePolicy({ sbom, policy: POLICY, advisories: npm, exceptions, now });
  const dups = report.exceptions.problems.filter((p) => p.code === 'DUPLICATE_ALIAS');
  assert.equal(dups.length, 1);
  assert.equal(dups[0]!.level, 'error');
  assert.equal(dups[0]!.exception.index, 1);
  assert.equal(dups[0]!.exception.id, 'CVE-2021-44906');
  assert.match(
    dups[0]!.message,
    /exception #2 duplicates exception #1 \(GHSA-xvch-5gv4-984h, line 3\)/,
  );
  assert.match(
    dups[0]!.message,
    /CVE-2021-44906 and GHSA-xvch-5gv4-984h are aliases of one advisory/,
  );
  assert.equal(report.counts.invalidExceptions, 1);
  assert.equal(report.verdict, 'fail', 'an invalid exception fails the run');
  // The first entry still waives the finding.
  const finding = report.findings.find((f) => f.id === 'GHSA-xvch-5gv4-984h')!;
  assert.equal(finding.status, 'waived');
  assert.equal(finding.waivedBy?.index, 0);
  // Ids compare case-insensitively, as matching does.
  const upper = exceptionsFile(
    entry('CVE-2021-44906', 'pkg:npm/minimist', '2026-11-28', '2026-12-04') +
      entry('GHSA-XVCH-5GV4-984H', 'pkg:npm/minimist', '2026-11-28', '2026-12-04'),
  );
  const r2 = evaluatePolicy({ sbom, policy: POLICY, advisories: npm, exceptions: upper, now });
  assert.deepEqual(
    r2.exceptions.problems
      .filter((p) => p.code === 'DUPLICATE_ALIAS')
      .map((p) => p.exception.index),
    [1],
  );
  // Without advisory data the alias groups are unknown: nothing to compare.
  const offline = evaluatePolicy({ sbom, policy: POLICY, exceptions, now });
  assert.equal(offline.exceptions.problems.filter((p) => p.code === 'DUPLICATE_ALIAS').length, 0);
});
