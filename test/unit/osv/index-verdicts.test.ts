import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAdvisoryDatabase } from '../../../src/core/osv/database.ts';
import { evaluatePolicy } from '../../../src/core/policy/evaluate.ts';
import { parsePolicy } from '../../../src/core/policy/parse.ts';
import { SHARED } from '../../helpers/cli.ts';
import { loadRealAdvisories, readIndexRows, sbomOf } from '../../helpers/osv.ts';

const rows = readIndexRows();
const dbs = {
  npm: buildAdvisoryDatabase(loadRealAdvisories('npm')),
  'crates.io': buildAdvisoryDatabase(loadRealAdvisories('crates.io')),
};
const policy = parsePolicy('version: 1\nvulnerabilities:\n  fail-on: low\n', 'policy.yml');
const now = new Date('2026-12-01T00:00:00Z');

test('INDEX.md lists the expected rows and every record loads (none skipped)', () => {
  assert.ok(rows.length >= 150, `rows: ${rows.length}`);
  assert.equal(dbs.npm.records.length, loadRealAdvisories('npm').length);
  assert.equal(dbs['crates.io'].records.length, loadRealAdvisories('crates.io').length);
  assert.ok(dbs.npm.records.length + dbs['crates.io'].records.length >= 90);
  assert.deepEqual(dbs.npm.skipped, []);
  assert.deepEqual(dbs['crates.io'].skipped, []);
});

test('every INDEX.md row: the locked version gets the expected verdict from the real records', () => {
  const wrong: string[] = [];
  for (const row of rows) {
    const sbom = sbomOf([
      { ecosystem: row.section === 'npm' ? 'npm' : 'cargo', name: row.pkg, version: row.version },
    ]);
    const report = evaluatePolicy({ sbom, policy, advisories: dbs[row.section], now });
    const hit = report.findings.some(
      (f) => f.kind === 'vulnerability' && f.aliases.includes(row.id),
    );
    const expected = row.verdict === 'affected';
    if (hit !== expected)
      wrong.push(
        `${row.id} ${row.pkg}@${row.version}: expected ${row.verdict}, got ${hit ? 'affected' : 'not affected'}`,
      );
  }
  assert.deepEqual(wrong, []);
});

test('the locked versions named in INDEX.md are the ones in the real lockfiles', () => {
  const npmLock = readFileSync(join(SHARED, 'bench/npm-large/package-lock.json'), 'utf8');
  const boring = readFileSync(join(SHARED, 'bench/cargo-boringtun/Cargo.lock'), 'utf8');
  assert.match(npmLock, /"node_modules\/@sentry\/browser": \{\s*"version": "8\.26\.0"/);
  assert.match(npmLock, /"node_modules\/node-fetch": \{\s*"version": "2\.7\.0"/);
  assert.match(boring, /name = "atty"\nversion = "0\.2\.14"/);
  assert.match(boring, /name = "time"\nversion = "0\.3\.7"/);
});

test('quirk: protobufjs "fixed: 7.2.4, 6.11.4" is repaired with last_known_affected_version_range and named in a warning', () => {
  const at = (v: string) =>
    evaluatePolicy({
      sbom: sbomOf([{ ecosystem: 'npm', name: 'protobufjs', version: v }]),
      policy,
      advisories: dbs.npm,
      now,
    }).findings.length;
  assert.equal(at('7.4.0'), 0);
  assert.equal(at('7.2.4'), 0);
  assert.equal(at('6.10.0'), 1);
  assert.equal(at('7.2.3'), 1);
  assert.ok(
    dbs.npm.warnings.some(
      (w) => w.startsWith('GHSA-h755-8qp9-cq85') && w.includes('7.2.4, 6.11.4'),
    ),
  );
});

test('quirk: time 0.3.x is flagged (strict OSV events) with a note quoting last_known_affected_version_range', () => {
  const report = evaluatePolicy({
    sbom: sbomOf([{ ecosystem: 'cargo', name: 'time', version: '0.3.7' }]),
    policy,
    advisories: dbs['crates.io'],
    now,
  });
  const f = report.findings.find((x) => x.id === 'GHSA-wcg3-cvx6-7396');
  assert.ok(f);
  assert.match(
    f.notes?.join('\n') ?? '',
    /last_known_affected_version_range "< 0\.2" excludes 0\.3\.7/,
  );
});

test('quirk: the duplicate zerocopy pair collapses into one finding through RUSTSEC-2023-0074', () => {
  const report = evaluatePolicy({
    sbom: sbomOf([{ ecosystem: 'cargo', name: 'zerocopy', version: '0.3.0' }]),
    policy,
    advisories: dbs['crates.io'],
    now,
  });
  assert.equal(report.findings.length, 1);
  assert.equal(report.findings[0]!.id, 'GHSA-3mv5-343c-w2qg');
  assert.deepEqual([...report.findings[0]!.aliases].sort(), [
    'GHSA-3mv5-343c-w2qg',
    'GHSA-rjhf-4mh8-9xjq',
    'RUSTSEC-2023-0074',
  ]);
  assert.equal(report.findings[0]!.severity, 'medium', 'the higher of LOW and MODERATE');
});

test('quirks: empty package name, "GitHub Actions" word-wrap, Sri13, NuGet/Maven entries never match npm packages', () => {
  assert.ok(
    dbs['crates.io'].warnings.some(
      (w) => w.startsWith('GHSA-f85w-wvc7-crwc') && /empty package name/.test(w),
    ),
  );
  const sbom = sbomOf([
    { ecosystem: 'npm', name: 'word-wrap', version: '1.2.3' },
    { ecosystem: 'npm', name: 'css-what', version: '4.0.0' },
    { ecosystem: 'npm', name: 'Moment.js', version: '2.0.0' },
  ]);
  assert.deepEqual(evaluatePolicy({ sbom, policy, advisories: dbs.npm, now }).findings, []);
});

test('aliases: the finding is reported once under its GHSA id with the CVE as alias', () => {
  const report = evaluatePolicy({
    sbom: sbomOf([{ ecosystem: 'npm', name: 'minimist', version: '1.2.5' }]),
    policy,
    advisories: dbs.npm,
    now,
  });
  const ids = report.findings.map((f) => f.id);
  assert.deepEqual(ids, ['GHSA-xvch-5gv4-984h']);
  assert.deepEqual(report.findings[0]!.aliases, ['GHSA-xvch-5gv4-984h', 'CVE-2021-44906']);
  assert.equal(report.findings[0]!.severity, 'critical');
  assert.equal(report.findings[0]!.score, 9.8);
  assert.deepEqual(report.findings[0]!.fixedIn, ['1.2.6']);
});
