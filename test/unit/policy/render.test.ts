import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExceptions } from '../../../src/core/exceptions/parse.ts';
import { buildAdvisoryDatabase } from '../../../src/core/osv/database.ts';
import { evaluatePolicy } from '../../../src/core/policy/evaluate.ts';
import { parsePolicy } from '../../../src/core/policy/parse.ts';
import {
  buildAnnotations,
  buildSarif,
  COMMENT_MARKER,
  formatMarkdown,
  formatText,
} from '../../../src/core/policy/render.ts';
import { loadRealAdvisories, sbomOf } from '../../helpers/osv.ts';

interface SarifRule {
  id: string;
  shortDescription: { text: string };
  defaultConfiguration: { level: string };
  properties: Record<string, unknown>;
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Array<{
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
  }>;
  partialFingerprints: Record<string, string>;
  suppressions?: Array<{ kind: string; status: string; justification: string }>;
}
interface SarifLog {
  $schema: string;
  version: string;
  runs: Array<{
    tool: { driver: { name: string; semanticVersion: string; rules: SarifRule[] } };
    results: SarifResult[];
  }>;
}

const npm = buildAdvisoryDatabase(loadRealAdvisories('npm'));
const now = new Date('2026-12-01T00:00:00Z');
const sbom = sbomOf([
  { ecosystem: 'npm', name: 'minimist', version: '1.2.5', license: 'MIT' },
  { ecosystem: 'npm', name: 'node-fetch', version: '2.7.0', license: 'MIT' },
  { ecosystem: 'npm', name: '@sentry/browser', version: '8.26.0', license: 'MIT' },
  { ecosystem: 'npm', name: 'gpl', version: '1.0.0', license: 'GPL-3.0-only' },
]);
const policy = parsePolicy(
  'version: 1\nlicenses: {allow: [MIT]}\nvulnerabilities: {fail-on: high}\n',
  'policy.yml',
);
const exceptions = parseExceptions(
  `version: 1
exceptions:
  - id: GHSA-r683-j2x4-v87g
    package: pkg:npm/node-fetch
    reason: intent says 2.6.7 fixed the 2.x line
    owner: "@acme/web"
    approved-by: "@acme-rm"
    approval: https://github.com/acme/widget/pull/7
    created: 2026-11-20
    expires: 2026-12-15
  - id: GHSA-aaaa-bbbb-cccc
    package: pkg:npm/left-pad
    reason: stale
    owner: "@acme/web"
    approved-by: "@acme-rm"
    approval: https://github.com/acme/widget/pull/8
    created: 2026-11-20
    expires: 2026-12-15
`,
  'exceptions.yml',
);
const report = evaluatePolicy({
  sbom,
  policy,
  exceptions,
  advisories: npm,
  now,
  sbomSource: 'sbom.cdx.json',
});

test('the fixture report has failing, warning and waived findings', () => {
  assert.deepEqual(
    report.findings.map((f) => [f.id, f.status]),
    [
      ['GHSA-xvch-5gv4-984h', 'fail'],
      ['license:GPL-3.0-only', 'fail'],
      ['GHSA-593m-55hh-j8gv', 'warn'],
      ['GHSA-r683-j2x4-v87g', 'waived'],
    ],
  );
});

test('SARIF 2.1.0: the structure code scanning requires, checked rule by rule', () => {
  // The SARIF 2.1.0 JSON schema is not shipped by any installed package; this checks the schema's
  // required properties and the constraints GitHub code scanning documents.
  const log = buildSarif(report, {
    sbom: 'sbom.cdx.json',
    exceptions: 'exceptions.yml',
  }) as unknown as SarifLog;
  assert.equal(log.version, '2.1.0');
  assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
  assert.equal(log.runs.length, 1);
  const run = log.runs[0]!;
  assert.equal(typeof run.tool.driver.name, 'string');
  assert.match(run.tool.driver.semanticVersion, /^\d+\.\d+\.\d+/);
  const ruleIds = run.tool.driver.rules.map((r) => r.id);
  assert.equal(new Set(ruleIds).size, ruleIds.length, 'rule ids are unique');
  for (const rule of run.tool.driver.rules) {
    assert.equal(typeof rule.id, 'string');
    assert.equal(typeof rule.shortDescription.text, 'string');
    assert.ok(rule.shortDescription.text.length <= 1024);
    assert.ok(['none', 'note', 'warning', 'error'].includes(rule.defaultConfiguration.level));
    if (rule.properties['security-severity'] !== undefined) {
      const s = Number(rule.properties['security-severity']);
      assert.ok(s >= 0 && s <= 10, 'security-severity is a number 0–10 as a string');
    }
  }
  assert.equal(run.results.length, 4);
  for (const r of run.results) {
    assert.equal(typeof r.message.text, 'string');
    assert.ok(['none', 'note', 'warning', 'error'].includes(r.level));
    assert.equal(run.tool.driver.rules[r.ruleIndex]?.id, r.ruleId, 'ruleIndex points at its rule');
    assert.ok(r.locations.length >= 1);
    const loc = r.locations[0]!.physicalLocation;
    assert.equal(typeof loc.artifactLocation.uri, 'string');
    assert.ok(!loc.artifactLocation.uri.startsWith('/'), 'uri relative to the repository');
    assert.ok(Number.isInteger(loc.region.startLine) && loc.region.startLine >= 1);
    assert.match(r.partialFingerprints['vouchFinding/v1'] ?? '', /^[0-9a-f]{16}$/);
  }
  const suppression = run.results.find((r) => r.ruleId === 'GHSA-r683-j2x4-v87g')
    ?.suppressions?.[0];
  assert.equal(suppression?.kind, 'external');
  assert.equal(suppression?.status, 'accepted');
  assert.match(suppression?.justification ?? '', /pull\/7/);
  assert.equal(
    run.tool.driver.rules.find((r) => r.id === 'GHSA-xvch-5gv4-984h')?.properties[
      'security-severity'
    ],
    '9.8',
  );
  // Deterministic: same input, same bytes.
  assert.equal(
    JSON.stringify(buildSarif(report, { sbom: 'sbom.cdx.json' })),
    JSON.stringify(buildSarif(report, { sbom: 'sbom.cdx.json' })),
  );
});

test('Markdown starts with the hidden marker and says warn-only loudly', () => {
  const md = formatMarkdown(report);
  assert.ok(md.startsWith(COMMENT_MARKER));
  assert.match(md, /## ❌ vouch policy: failed/);
  assert.match(md, /### Failing[\s\S]*GHSA-xvch-5gv4-984h/);
  assert.match(md, /### Waived by exceptions[\s\S]*waived by #1 \(@acme\/web\) until 2026-12-15/);
  assert.match(md, /unused: #2 GHSA-aaaa-bbbb-cccc/);
  const warn = formatMarkdown(
    evaluatePolicy({ sbom, policy, advisories: npm, now, mode: 'warn-only' }),
  );
  assert.match(warn, /warn-only mode.*can never satisfy the release gate/);
});

test('annotations: errors for failing findings, warnings for expiring exceptions, notices for unused ones, with lines', () => {
  const list = buildAnnotations(report, { sbom: 'sbom.cdx.json', exceptions: 'exceptions.yml' });
  assert.deepEqual(
    list.map((a) => a.level),
    ['error', 'error', 'warning', 'warning', 'warning', 'notice'],
  );
  assert.match(list[3]!.title, /exception #1 \(EXPIRING_SOON\)/);
  assert.equal(list[3]!.line, 3);
  assert.deepEqual(list.at(-1), {
    level: 'notice',
    title: 'unused exception #2',
    message: 'GHSA-aaaa-bbbb-cccc for pkg:npm/left-pad matches nothing; remove it',
    file: 'exceptions.yml',
    line: 11,
  });
});

test('text report: one line per finding, exceptions and data warnings', () => {
  const text = formatText(report);
  assert.match(text, /^Policy failed: 2 failing, 1 warnings, 1 waived/);
  assert.match(text, /WAIVED GHSA-r683-j2x4-v87g/);
  assert.match(text, /UNUSED exception #2/);
  assert.match(text, /DATA\s+GHSA-h755-8qp9-cq85/);
});
