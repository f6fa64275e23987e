/**
 * Bans by purl pattern (docs/policy.md, Bans): a `*` in the name bans a whole namespace or every
 * name it matches, on real SBOMs made by `vouch sbom` from the example npm and Cargo projects;
 * patterns that would ban every package of a type, or that put the wildcard elsewhere, are refused;
 * exceptions and license overrides keep naming exactly one package.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExceptions } from '../../../src/core/exceptions/parse.ts';
import { evaluatePolicy } from '../../../src/core/policy/evaluate.ts';
import { parsePolicy } from '../../../src/core/policy/parse.ts';
import { parseSbom } from '../../../src/core/sbom/parse.ts';
import { ROOT, vouch } from '../../helpers/cli.ts';

const now = new Date('2026-12-01T12:00:00Z');

/** The example projects with their SBOMs, made by `vouch sbom`. */
const dir = mkdtempSync(join(tmpdir(), 'vouch-ban-patterns-'));
for (const app of ['npm-app', 'rust-tunnel']) {
  cpSync(join(ROOT, 'examples', app), join(dir, app), { recursive: true });
  const r = vouch(['sbom', '-o', join(dir, app, 'sbom.cdx.json')], { cwd: join(dir, app) });
  assert.equal(r.status, 0, r.stderr);
}
const sbomText = (app: string) => readFileSync(join(dir, app, 'sbom.cdx.json'), 'utf8');
const npmSbom = parseSbom(sbomText('npm-app'), 'npm-app/sbom.cdx.json');
const cargoSbom = parseSbom(sbomText('rust-tunnel'), 'rust-tunnel/sbom.cdx.json');

const policyWith = (bans: string) =>
  parsePolicy(`version: 1\nscopes: [required, optional, dev]\nbans:\n${bans}`, 'policy.yml');

const banned = (report: ReturnType<typeof evaluatePolicy>, id: string): string[] =>
  report.findings
    .filter((f) => f.id === id && f.status === 'fail')
    .map((f) => f.component.name)
    .sort();

test('pkg:npm/@sentry/* bans every package of the scope in the real SBOM, and nothing else', () => {
  // What the SBOM holds, read off its purls independently of the policy code.
  const purls = [...sbomText('npm-app').matchAll(/"purl": "(pkg:npm\/[^"@]+(?:%40)?[^"@]*)@/g)];
  const scope = purls
    .map((m) => m[1]!)
    .filter((p) => p.startsWith('pkg:npm/%40sentry/'))
    .map((p) => p.replace('pkg:npm/%40', '@'))
    .sort();
  assert.deepEqual(scope, ['@sentry/browser', '@sentry/core', '@sentry/types', '@sentry/utils']);
  assert.ok(
    purls.some((m) => m[1]!.startsWith('pkg:npm/%40sentry-internal/')),
    'the SBOM also holds @sentry-internal packages, which the pattern must not match',
  );
  for (const pattern of ['pkg:npm/@sentry/*', 'pkg:npm/%40sentry/*', 'pkg:npm/%40Sentry/*']) {
    const report = evaluatePolicy({
      sbom: npmSbom,
      policy: policyWith(`  - name: no-sentry\n    package: "${pattern}"\n`),
      now,
    });
    assert.deepEqual(banned(report, 'ban:no-sentry'), scope, pattern);
    assert.equal(report.verdict, 'fail');
  }
  // The range applies to each matched package.
  const old = evaluatePolicy({
    sbom: npmSbom,
    policy: policyWith(
      '  - name: old-sentry\n    package: pkg:npm/@sentry/*\n    versions: "<8"\n',
    ),
    now,
  });
  assert.deepEqual(banned(old, 'ban:old-sentry'), []);
  // A name prefix inside the scope.
  const browser = evaluatePolicy({
    sbom: npmSbom,
    policy: policyWith('  - name: b\n    package: pkg:npm/@sentry/b*\n'),
    now,
  });
  assert.deepEqual(banned(browser, 'ban:b'), ['@sentry/browser']);
});

test('pkg:cargo/tracing* and pkg:cargo/*-sys ban the matching crates of the real Cargo SBOM', () => {
  const names = cargoSbom.components.map((c) => c.name);
  const report = evaluatePolicy({
    sbom: cargoSbom,
    policy: policyWith(
      '  - name: no-tracing\n    package: pkg:cargo/tracing*\n  - name: no-sys\n    package: "pkg:cargo/*-sys"\n  - name: exact\n    package: pkg:cargo/libc\n',
    ),
    now,
  });
  const tracing = [...new Set(names.filter((n) => n.startsWith('tracing')))].sort();
  assert.ok(tracing.length >= 5 && tracing.includes('tracing'), tracing.join());
  assert.deepEqual(banned(report, 'ban:no-tracing'), tracing);
  const sys = [...new Set(names.filter((n) => n.endsWith('-sys')))].sort();
  assert.ok(sys.includes('jni-sys') && sys.includes('windows-sys'), sys.join());
  assert.deepEqual(banned(report, 'ban:no-sys'), sys);
  assert.deepEqual(banned(report, 'ban:exact'), ['libc'], 'exact bans work beside wildcard ones');
  const finding = report.findings.find((f) => f.id === 'ban:no-tracing')!;
  assert.match(finding.message, /is banned by "no-tracing" \(pkg:cargo\/tracing\*, \*\)/);
});

test('an exception waives one package of a wildcard ban, and only that one', () => {
  const policy = policyWith('  - name: no-sentry\n    package: pkg:npm/@sentry/*\n');
  const exceptions = parseExceptions(
    `version: 1
exceptions:
  - id: ban:no-sentry
    package: pkg:npm/%40sentry/browser
    reason: replaced next sprint
    owner: "@acme/web"
    approved-by: "@acme-rm"
    approval: https://github.com/acme/widget/pull/9
    created: 2026-11-28
    expires: 2026-12-20
`,
    'exceptions.yml',
  );
  const report = evaluatePolicy({ sbom: npmSbom, policy, exceptions, now });
  assert.deepEqual(
    report.findings.filter((f) => f.status === 'waived').map((f) => f.component.name),
    ['@sentry/browser'],
  );
  assert.deepEqual(banned(report, 'ban:no-sentry'), [
    '@sentry/core',
    '@sentry/types',
    '@sentry/utils',
  ]);
  // An exception cannot itself name a pattern.
  assert.throws(
    () =>
      parseExceptions(
        'version: 1\nexceptions:\n  - id: ban:no-sentry\n    package: "pkg:npm/%40sentry/*"\n    reason: r\n    owner: "@a/b"\n    approved-by: "@c"\n    approval: https://github.com/acme/widget/pull/9\n    created: 2026-11-28\n    expires: 2026-12-20\n',
        'exceptions.yml',
      ),
    /would match every package; name exactly one package/,
  );
});

test('patterns that ban every package of a type, or wildcards outside the name, are refused with a reason', () => {
  const refusal = (pattern: string): string => {
    try {
      policyWith(`  - name: x\n    package: "${pattern}"\n`);
    } catch (error) {
      assert.equal((error as { code?: string }).code, 'POLICY_INVALID');
      return (error as Error).message;
    }
    assert.fail(`${pattern} was accepted`);
  };
  assert.match(refusal('pkg:npm/*'), /would match every npm package; give a namespace/);
  assert.match(refusal('pkg:cargo/**'), /would match every cargo package/);
  assert.match(refusal('pkg:*/*'), /would match packages of every type; give the type/);
  assert.match(refusal('pkg:*/lodash'), /would match packages of every type/);
  assert.match(refusal('pkg:npm/*/core'), /wildcard in the namespace/);
  assert.match(refusal('pkg:npm/@sentry/*@8.0.0'), /carries a version/);
  // License overrides keep the exact-package rule.
  assert.throws(
    () =>
      parsePolicy(
        'version: 1\nlicenses:\n  allow: [MIT]\n  overrides:\n    - package: pkg:npm/@sentry/*\n      license: MIT\n',
        'policy.yml',
      ),
    /policy\.yml:5:7: "package" "pkg:npm\/@sentry\/\*" would match every package/,
  );
});

test('vouch policy bans a namespace on the real SBOM end to end', () => {
  writeFileSync(
    join(dir, 'policy.yml'),
    'version: 1\nbans:\n  - name: no-sentry\n    package: pkg:npm/@sentry/*\n    reason: moving to another SDK\n',
  );
  const r = vouch(
    [
      'policy',
      '--sbom',
      'npm-app/sbom.cdx.json',
      '--policy',
      'policy.yml',
      '--advisories',
      join(ROOT, 'examples', 'advisories'),
      '--format',
      'json',
    ],
    { cwd: dir },
  );
  assert.equal(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout) as {
    gateEligible: boolean;
    findings: { id: string; component: { purl: string } }[];
  };
  assert.equal(report.gateEligible, true);
  assert.deepEqual(
    report.findings
      .filter((f) => f.id === 'ban:no-sentry')
      .map((f) => f.component.purl)
      .sort(),
    [
      'pkg:npm/%40sentry/browser@8.26.0',
      'pkg:npm/%40sentry/core@8.26.0',
      'pkg:npm/%40sentry/types@8.26.0',
      'pkg:npm/%40sentry/utils@8.26.0',
    ],
  );
});
