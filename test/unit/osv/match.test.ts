import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileAffected, evaluateAffected } from '../../../src/core/osv/match.ts';
import type { OsvAffected } from '../../../src/core/osv/model.ts';
import {
  comparePrecedence,
  parseVersion,
  parseVersionRange,
} from '../../../src/core/osv/version.ts';

const affected = (entry: OsvAffected, v: string) =>
  evaluateAffected(compileAffected(entry), v).affected;
const range = (type: 'SEMVER' | 'ECOSYSTEM', events: object[]): OsvAffected => ({
  ranges: [{ type, events }],
});

test('SemVer 2.0 precedence: prereleases, numeric identifiers, build metadata ignored', () => {
  const order = [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
  ];
  for (let i = 1; i < order.length; i++)
    assert.ok(
      comparePrecedence(parseVersion(order[i - 1]!)!, parseVersion(order[i]!)!) < 0,
      order[i],
    );
  assert.equal(comparePrecedence(parseVersion('0.17.0+1.8.1')!, parseVersion('0.17.0')!), 0);
  assert.deepEqual(parseVersion('1.0'), { major: 1, minor: 0, patch: 0, pre: [] });
  assert.equal(parseVersion('7.2.4, 6.11.4'), undefined);
});

test('introduced inclusive, fixed exclusive, last_affected inclusive, limit, several introduced', () => {
  const r = range('SEMVER', [
    { introduced: '1.0.0' },
    { fixed: '1.2.6' },
    { introduced: '2.0.0' },
    { last_affected: '2.1.0' },
  ]);
  assert.equal(affected(r, '0.9.9'), false);
  assert.equal(affected(r, '1.0.0'), true);
  assert.equal(affected(r, '1.2.5'), true);
  assert.equal(affected(r, '1.2.6'), false);
  assert.equal(affected(r, '2.1.0'), true);
  assert.equal(affected(r, '2.1.1'), false);
  const limited = range('SEMVER', [{ introduced: '0' }, { limit: '3.0.0' }]);
  assert.equal(affected(limited, '2.9.9'), true);
  assert.equal(affected(limited, '3.0.0'), false);
  const open = range('ECOSYSTEM', [{ introduced: '0' }]);
  assert.equal(affected(open, '99.0.0'), true);
});

test('prereleases sit inside ranges by precedence', () => {
  const r = range('ECOSYSTEM', [{ introduced: '8.0.0-alpha.1' }, { fixed: '8.33.0' }]);
  assert.equal(affected(r, '8.0.0-alpha.0'), false);
  assert.equal(affected(r, '8.0.0-alpha.1'), true);
  assert.equal(affected(r, '8.26.0'), true);
});

test('explicit versions match exactly; a release line "0.20" does not match 0.20.8', () => {
  const e: OsvAffected = { versions: ['0.20', '3.3.6'] };
  assert.equal(affected(e, '3.3.6'), true);
  assert.equal(affected(e, '0.20.8'), false);
  assert.equal(affected(e, '0.20.0'), true);
});

test('fixedIn names the nearest fix above the version', () => {
  const e = range('ECOSYSTEM', [{ introduced: '0' }, { fixed: '1.2.6' }]);
  assert.deepEqual(evaluateAffected(compileAffected(e), '1.0.0').fixedIn, ['1.2.6']);
});

test('an unparseable event without a last-known range keeps the highest listed version (reports more, never less)', () => {
  const e = range('ECOSYSTEM', [{ introduced: '6.10.0' }, { fixed: '7.2.4, 6.11.4' }]);
  const c = compileAffected(e);
  assert.match(c.repairs[0]!, /highest version it lists/);
  assert.equal(evaluateAffected(c, '7.0.0').affected, true);
  assert.equal(evaluateAffected(c, '7.2.4').affected, false);
  const garbage = compileAffected(range('ECOSYSTEM', [{ introduced: '1.0.0' }, { fixed: 'soon' }]));
  assert.match(garbage.repairs[0]!, /range left open/);
  assert.equal(evaluateAffected(garbage, '5.0.0').affected, true);
});

test('range syntax: npm ranges and Cargo requirements', () => {
  assert.equal(parseVersionRange('^1.2.3 || >=3', 'npm').matches('1.9.0'), true);
  assert.equal(
    parseVersionRange('1.2.3', 'npm').matches('1.2.4'),
    false,
    'a bare npm version is exact',
  );
  assert.equal(
    parseVersionRange('1.2.3', 'cargo').matches('1.2.4'),
    true,
    'a bare Cargo version is a caret requirement',
  );
  assert.equal(parseVersionRange('=0.4.0', 'cargo').matches('0.4.1'), false);
  assert.equal(parseVersionRange('~0.3', 'cargo').matches('0.3.9'), true);
  assert.throws(() => parseVersionRange('>=1 <2', 'cargo'), /comma/);
  assert.equal(parseVersionRange('*', 'npm').matches('anything'), true);
});
