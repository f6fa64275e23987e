import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicy } from '../../../src/core/policy/parse.ts';
import { VouchError } from '../../../src/errors.ts';

const ISSUE_EXAMPLE = `# policy file
version: 1
scopes: [required]                 # or [required, optional, dev]
licenses:
  allow: [MIT, Apache-2.0, BSD-3-Clause, ISC]
  deny: [GPL-3.0-only]             # allow, deny, or both
  unknown: fail                    # fail | warn
  overrides:
    - package: pkg:npm/some-lib    # purl without version
      license: MIT
vulnerabilities:
  fail-on: high                    # critical | high | medium | low
  only-fixed: false
bans:
  - name: no-event-stream
    package: pkg:npm/event-stream
    versions: ">=3.3.6 <4"        # ecosystem range syntax; "*" for all
    reason: compromised release
remediation-windows: {critical: 7, high: 30, medium: 90, low: 180}   # days
`;

function fails(text: string): VouchError {
  try {
    parsePolicy(text, 'policy.yml');
  } catch (error) {
    assert.ok(error instanceof VouchError, String(error));
    return error;
  }
  assert.fail('expected an error');
}

test('the policy file from the issue parses with every documented key', () => {
  const p = parsePolicy(ISSUE_EXAMPLE, 'policy.yml');
  assert.deepEqual(p.scopes, ['required']);
  assert.deepEqual(p.licenses?.allow, ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'ISC']);
  assert.deepEqual(p.licenses?.deny, ['GPL-3.0-only']);
  assert.equal(p.licenses?.unknown, 'fail');
  assert.equal(p.licenses?.overrides[0]?.package.key, 'npm/some-lib');
  assert.deepEqual(p.vulnerabilities, { failOn: 'high', onlyFixed: false });
  assert.equal(p.bans[0]?.name, 'no-event-stream');
  assert.equal(p.bans[0]?.versions.matches('3.3.6'), true);
  assert.equal(p.bans[0]?.versions.matches('3.3.4'), false);
  assert.deepEqual(p.remediationWindows, { critical: 7, high: 30, medium: 90, low: 180 });
});

test('defaults: runtime scopes, fail on any known vulnerability, default windows, 14 days warning', () => {
  const p = parsePolicy('version: 1\n', 'policy.yml');
  assert.deepEqual(p.scopes, ['required', 'optional']);
  assert.deepEqual(p.vulnerabilities, { failOn: 'low', onlyFixed: false });
  assert.equal(p.licenses, undefined);
  assert.deepEqual(p.remediationWindows, { critical: 7, high: 30, medium: 90, low: 180 });
  assert.equal(p.expiringWithinDays, 14);
});

test('Cargo bans use Cargo requirement syntax', () => {
  const p = parsePolicy(
    'version: 1\nbans:\n  - name: old-time\n    package: pkg:cargo/time\n    versions: ">=0.1, <0.2"\n',
    'p.yml',
  );
  assert.equal(p.bans[0]!.versions.matches('0.1.45'), true);
  assert.equal(p.bans[0]!.versions.matches('0.3.7'), false);
});

test('unknown keys, typos, bad ids, bad ranges and bad values are POLICY_INVALID with positions', () => {
  const e = fails('version: 1\nlicences:\n  allow: [MIT]\n');
  assert.equal(e.code, 'POLICY_INVALID');
  assert.match(e.message, /policy\.yml:2:1: unknown key "licences" \(did you mean "licenses"\?\)/);
  assert.match(
    fails('version: 1\nlicenses:\n  allow: [MIT, NotALicense]\n').message,
    /"NotALicense" is not an SPDX license id/,
  );
  assert.match(
    fails('version: 1\nvulnerabilities:\n  fail-on: severe\n').message,
    /"fail-on" must be one of critical, high, medium, low/,
  );
  assert.match(
    fails('version: 1\nbans:\n  - name: x\n    package: pkg:npm/x\n    versions: ">>1"\n').message,
    /not a valid npm version range/,
  );
  assert.match(
    fails('version: 1\nbans:\n  - name: x\n    package: "pkg:npm/*"\n').message,
    /policy\.yml:4:5: "package" "pkg:npm\/\*" would match every npm package; give a namespace/,
  );
  assert.match(
    fails('version: 1\nscopes: [runtime]\n').message,
    /"scopes" must be a non-empty list/,
  );
  assert.match(
    fails('version: 1\nremediation-windows: {critical: -1}\n').message,
    /whole number of days/,
  );
  assert.match(fails('version: 2\n').message, /"version" must be 1/);
  assert.match(
    fails('version: 1\nlicenses: {unknown: warn}\n').message,
    /needs "allow", "deny" or both/,
  );
  const dup = fails(
    'version: 1\nbans:\n  - {name: a, package: pkg:npm/a}\n  - {name: a, package: pkg:npm/b}\n',
  );
  assert.match(dup.message, /ban "a" is declared twice/);
});

test('hostile YAML: __proto__, alias bombs, custom tags, deep nesting', () => {
  assert.equal(fails('version: 1\n__proto__: {x: 1}\n').code, 'UNSAFE_KEY');
  assert.equal(fails('version: 1\nlicenses:\n  constructor: {}\n').code, 'UNSAFE_KEY');
  const bomb = ['a: &a [x,x,x,x,x,x,x,x,x,x]'];
  for (let i = 1; i < 8; i++)
    bomb.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(',')}]`,
    );
  assert.equal(fails(`${bomb.join('\n')}\nversion: 1\n`).code, 'POLICY_INVALID');
  assert.equal(fails('version: 1\nscopes: !!set {required}\n').code, 'POLICY_INVALID');
  assert.equal(
    fails(`version: 1\nbans: ${'['.repeat(100)}${']'.repeat(100)}\n`).code,
    'POLICY_INVALID',
  );
  assert.equal(fails(`version: 1\n#${'x'.repeat(1024 * 1024 + 10)}\n`).code, 'FILE_TOO_LARGE');
});
