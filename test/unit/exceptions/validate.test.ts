import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_REMEDIATION_WINDOWS,
  type PolicyException,
} from '../../../src/core/exceptions/model.ts';
import { parseExceptions } from '../../../src/core/exceptions/parse.ts';
import { isExpired, validateExceptions } from '../../../src/core/exceptions/validate.ts';

const file = parseExceptions(
  `version: 1
exceptions:
  - id: GHSA-xvch-5gv4-984h
    package: pkg:npm/minimist
    reason: build only
    owner: "@acme/web"
    approved-by: "@acme-rm"
    approval: https://github.com/acme/widget/pull/1
    created: 2026-11-20
    expires: 2026-12-20
  - id: license:GPL-3.0-only
    package: pkg:npm/gpl-thing
    reason: tool only
    owner: "@acme/web"
    approved-by: "@acme-rm"
    approval: https://github.com/acme/widget/pull/2
    created: 2026-11-20
    expires: 2027-05-20
  - id: ban:no-event-stream
    package: pkg:npm/event-stream
    reason: pinned clean release
    owner: "@acme/web"
    approved-by: "@acme-rm"
    approval: https://github.com/acme/widget/pull/3
    created: 2026-10-01
    expires: 2026-11-30
`,
  'exceptions.yml',
);

const critical = (e: PolicyException) =>
  e.id.startsWith('GHSA') ? ('critical' as const) : undefined;

test('expiry beyond the severity window is an error; unknown severity is capped by the longest window', () => {
  const problems = validateExceptions(file, {
    windows: DEFAULT_REMEDIATION_WINDOWS,
    severityOf: critical,
    now: new Date('2026-11-25T12:00:00Z'),
  });
  const beyond = problems.filter((p) => p.code === 'EXPIRY_BEYOND_WINDOW');
  assert.deepEqual(
    beyond.map((p) => [p.index, p.level, p.line]),
    [
      [0, 'error', 3],
      [1, 'error', 11],
    ],
  );
  assert.match(beyond[0]!.message, /30 days .* critical severity remediation window allows 7/);
  assert.match(
    beyond[1]!.message,
    /181 days .* longest \(severity unknown\) remediation window allows 180/,
  );
});

test('windows are policy settings', () => {
  const problems = validateExceptions(file, {
    windows: { critical: 30, high: 60, medium: 90, low: 200 },
    severityOf: critical,
    now: new Date('2026-11-25T00:00:00Z'),
  });
  assert.deepEqual(
    problems.filter((p) => p.code === 'EXPIRY_BEYOND_WINDOW'),
    [],
  );
});

test('expired and soon-expiring exceptions are reported; an exception is valid through its expiry day (UTC)', () => {
  const onDay = new Date('2026-11-30T23:59:59Z');
  const dayAfter = new Date('2026-12-01T00:00:00Z');
  const ban = file.exceptions[2]!;
  assert.equal(isExpired(ban, onDay), false);
  assert.equal(isExpired(ban, dayAfter), true);
  const problems = validateExceptions(file, {
    windows: DEFAULT_REMEDIATION_WINDOWS,
    now: dayAfter,
    soonDays: 30,
  });
  const expired = problems.filter((p) => p.code === 'EXPIRED');
  assert.deepEqual(
    expired.map((p) => p.index),
    [2],
  );
  assert.match(expired[0]!.message, /expired on 2026-11-30/);
  const soon = problems.filter((p) => p.code === 'EXPIRING_SOON');
  assert.deepEqual(
    soon.map((p) => p.index),
    [0],
  );
  assert.match(soon[0]!.message, /in 19 days/);
});

test('a created date in the future is an error', () => {
  const problems = validateExceptions(file, {
    windows: DEFAULT_REMEDIATION_WINDOWS,
    now: new Date('2026-11-01T00:00:00Z'),
  });
  assert.deepEqual(
    problems.filter((p) => p.code === 'CREATED_IN_FUTURE').map((p) => p.index),
    [0, 1],
  );
});
