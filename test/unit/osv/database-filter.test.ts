import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAdvisoryDatabase, packageLookupKey } from '../../../src/core/osv/database.ts';
import { loadRealAdvisories } from '../../helpers/osv.ts';

test('a database limited to some packages finds the same for them, and keeps every record and alias group', () => {
  const raw = [...loadRealAdvisories('npm'), ...loadRealAdvisories('crates.io')];
  const full = buildAdvisoryDatabase(raw);
  const wanted = [
    ['npm', 'lodash'],
    ['npm', 'minimist'],
    ['npm', 'undici'],
    ['crates.io', 'time'],
  ] as const;
  const limited = buildAdvisoryDatabase(raw, {
    packages: new Set(wanted.map(([e, n]) => packageLookupKey(e, n))),
  });
  for (const [e, n] of wanted) {
    const ids = (db: typeof full) => db.lookup(e, n).map((x) => x.record.id);
    assert.ok(ids(full).length > 0, `${n} has advisories`);
    assert.deepEqual(ids(limited), ids(full), n);
  }
  assert.equal(limited.records.length, full.records.length);
  assert.deepEqual(limited.lookup('npm', 'color-string'), []);
  assert.ok(full.lookup('npm', 'color-string').length > 0);
  for (const r of full.records) {
    assert.equal(limited.canonicalId(r.id), full.canonicalId(r.id));
    assert.deepEqual(limited.severityOfId(r.id), full.severityOfId(r.id));
  }
  // Repairs are reported for the packages looked up only.
  assert.ok(limited.warnings.length < full.warnings.length);
});
