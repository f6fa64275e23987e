import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkExceptions, parseExceptions } from '../../../src/core/exceptions/parse.ts';
import { VouchError } from '../../../src/errors.ts';

const GOOD = `version: 1
exceptions:
  - id: GHSA-xvch-5gv4-984h
    package: pkg:npm/minimist
    versions: "<1.2.6"
    reason: only reachable from build scripts, never at run time
    owner: "@acme/web"
    approved-by: "@acme-release-manager"
    approval: https://github.com/acme/widget/pull/123
    created: 2026-11-20
    expires: 2026-12-20
  - id: license:GPL-3.0-only
    package: pkg:cargo/some-crate
    reason: used only in a separate tool we do not ship
    owner: "@acme/tools"
    approved-by: "@acme-release-manager"
    approval: https://github.com/acme/widget/pull/124
    created: 2026-11-20
    expires: 2027-03-01
`;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof VouchError, String(error));
    return error.code;
  }
  assert.fail('expected an error');
}

function messageOf(text: string): string {
  try {
    parseExceptions(text, 'exceptions.yml');
  } catch (error) {
    assert.ok(error instanceof VouchError);
    assert.equal(error.code, 'EXCEPTIONS_INVALID');
    return error.message;
  }
  assert.fail('expected EXCEPTIONS_INVALID');
}

const entry = (extra: string, drop: string[] = []): string =>
  `version: 1\nexceptions:\n  - ${[
    'id: GHSA-xvch-5gv4-984h',
    'package: pkg:npm/minimist',
    'reason: build only',
    'owner: "@acme/web"',
    'approved-by: "@acme-rm"',
    'approval: https://github.com/acme/widget/pull/123',
    'created: 2026-11-20',
    'expires: 2026-12-20',
  ]
    .filter((l) => !drop.some((d) => l.startsWith(`${d}:`)))
    .concat(extra ? [extra] : [])
    .join('\n    ')}\n`;

test('a well-formed file parses with the documented key names, lines kept', () => {
  const file = parseExceptions(GOOD, 'exceptions.yml');
  assert.equal(file.version, 1);
  assert.equal(file.exceptions.length, 2);
  const [first, second] = file.exceptions;
  assert.equal(first!.id, 'GHSA-xvch-5gv4-984h');
  assert.equal(first!.versions, '<1.2.6');
  assert.equal(first!.approvedBy, '@acme-release-manager');
  assert.equal(first!.created, '2026-11-20');
  assert.equal(first!.expires, '2026-12-20');
  assert.equal(first!.line, 3);
  assert.equal(second!.versions, undefined);
  assert.equal(second!.line, 12);
});

test('an exception with no expiry is refused, with its line', () => {
  const message = messageOf(entry('', ['expires']));
  assert.match(message, /exceptions\.yml:3:\d+: exception #1: has no "expires" date/);
});

test('a typo in a key is an error that suggests the right key', () => {
  const message = messageOf(entry('expries: 2026-12-20', ['expires']));
  assert.match(message, /unknown key "expries" \(did you mean "expires"\?\)/);
  assert.match(message, /exceptions\.yml:10:5:/);
});

test('non-UTC, impossible and malformed dates are refused', () => {
  assert.match(
    messageOf(entry('expires: 2026-12-20T10:00:00+02:00', ['expires'])),
    /not a plain UTC date/,
  );
  assert.match(messageOf(entry('expires: 2026-02-30', ['expires'])), /not a real calendar date/);
  assert.match(messageOf(entry('expires: 20/12/2026', ['expires'])), /YYYY-MM-DD/);
  assert.match(messageOf(entry('expires: 2026-11-01', ['expires'])), /before "created"/);
});

test('match-everything entries are refused: wildcard id, wildcard or missing package, versioned purl', () => {
  assert.match(messageOf(entry('id: "*"', ['id'])), /"id" "\*" is not an advisory id/);
  assert.match(messageOf(entry('package: "pkg:npm/*"', ['package'])), /match every package/);
  assert.match(messageOf(entry('', ['package'])), /"package" is missing/);
  assert.match(
    messageOf(entry('package: pkg:npm/minimist@1.2.5', ['package'])),
    /carries a version/,
  );
  assert.match(messageOf(entry('id: ""', ['id'])), /"id" must be a non-empty string/);
});

test('duplicates, bad ranges, bad approval URLs and a wrong version are refused', () => {
  const dup = GOOD.replace(
    '  - id: license:GPL-3.0-only',
    `  - id: GHSA-xvch-5gv4-984h
    package: pkg:npm/minimist
    versions: "<1.2.6"
    reason: again
    owner: "@x"
    approved-by: "@y"
    approval: https://github.com/acme/widget/pull/125
    created: 2026-11-21
    expires: 2026-12-01
  - id: license:GPL-3.0-only`,
  );
  assert.match(messageOf(dup), /exception #2 duplicates exception #1/);
  assert.match(messageOf(entry('versions: ">=1 <"')), /not a valid npm version range/);
  assert.match(messageOf(entry('approval: http://example.com/x', ['approval'])), /pull request/);
  assert.match(messageOf(GOOD.replace('version: 1', 'version: 2')), /"version" must be 1/);
  assert.match(
    messageOf('version: 1\nexception: []\n'),
    /unknown key "exception" \(did you mean "exceptions"\?\)/,
  );
});

test('THREATS 43: one package spelled two ways (%40 or @, upper-case type) is still a duplicate', () => {
  const sentry = (pkg: string, pr: number): string => `  - id: GHSA-6465-jgvq-jhgp
    package: ${pkg}
    versions: "<7.77.0"
    reason: the affected integration is not loaded
    owner: "@acme/web"
    approved-by: "@acme-rm"
    approval: https://github.com/acme/widget/pull/${pr}
    created: 2026-11-20
    expires: 2026-12-20
`;
  const file = (a: string, b: string): string =>
    `version: 1\nexceptions:\n${sentry(a, 201)}${sentry(b, 202)}`;
  for (const [a, b] of [
    ['pkg:npm/%40sentry/browser', 'pkg:npm/@sentry/browser'],
    ['pkg:npm/@sentry/browser', 'pkg:NPM/%40sentry/browser'],
    ['pkg:npm/minimist', 'pkg:npm/mini%6Dist'],
  ] as const) {
    assert.match(
      messageOf(file(a, b)),
      /exception #2 duplicates exception #1 \(same id, package and versions\)/,
      `${a} and ${b}`,
    );
  }
  // a different package, or the same package with other versions, is not a duplicate
  assert.equal(
    parseExceptions(file('pkg:npm/%40sentry/browser', 'pkg:npm/@sentry/node'), 'e.yml').exceptions
      .length,
    2,
  );
  const other = file('pkg:npm/%40sentry/browser', 'pkg:npm/@sentry/browser').replace(
    /"<7\.77\.0"([\s\S]*)"<7\.77\.0"/,
    '"<7.77.0"$1"<6.0.0"',
  );
  assert.equal(parseExceptions(other, 'e.yml').exceptions.length, 2);
});

test('every problem is listed, not only the first', () => {
  const { problems } = checkExceptions(entry('expries: x\n    owner2: y', ['expires']), 'e.yml');
  assert.ok(problems.length >= 3, JSON.stringify(problems));
  assert.ok(problems.every((p) => p.line !== undefined && p.index === 0));
});

test('hostile YAML: __proto__ keys, alias bombs, custom tags, deep nesting', () => {
  assert.equal(
    codeOf(() =>
      parseExceptions('version: 1\n__proto__: {polluted: true}\nexceptions: []\n', 'e.yml'),
    ),
    'UNSAFE_KEY',
  );
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  const bomb =
    'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n';
  assert.equal(
    codeOf(() => parseExceptions(bomb, 'e.yml')),
    'EXCEPTIONS_INVALID',
  );
  assert.equal(
    codeOf(() => parseExceptions('version: 1\nexceptions: !!js/function "x"\n', 'e.yml')),
    'EXCEPTIONS_INVALID',
  );
  const deep = `version: 1\nexceptions: ${'['.repeat(200)}${']'.repeat(200)}\n`;
  assert.equal(
    codeOf(() => parseExceptions(deep, 'e.yml')),
    'EXCEPTIONS_INVALID',
  );
  assert.equal(
    codeOf(() => parseExceptions('x'.repeat(3 * 1024 * 1024), 'e.yml')),
    'FILE_TOO_LARGE',
  );
  assert.equal(
    codeOf(() => parseExceptions('version: 1\nversion: 1\nexceptions: []\n', 'e.yml')),
    'EXCEPTIONS_INVALID',
  );
});
