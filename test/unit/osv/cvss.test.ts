import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  scoreCvss3,
  scoreCvss4,
  severityOfLabel,
  severityOfScore,
} from '../../../src/core/osv/cvss.ts';
import { severityOfRecord } from '../../../src/core/osv/database.ts';
import type { OsvRecord } from '../../../src/core/osv/model.ts';
import { loadRealAdvisories } from '../../helpers/osv.ts';

test('CVSS v3.1 and v3.0 base scores (specification examples)', () => {
  const cases: Array<[string, number]> = [
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5],
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:L', 5.0],
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4],
    ['CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 7.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10.0],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
  ];
  for (const [v, s] of cases) assert.equal(scoreCvss3(v)?.score, s, v);
  assert.equal(scoreCvss3('CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), undefined);
  assert.equal(scoreCvss3('CVSS:2.0/AV:N'), undefined);
});

test('CVSS v4.0 scores via the MacroVector table', () => {
  const cases: Array<[string, number]> = [
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N', 6.9],
    ['CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 8.5],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', 0],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U', 8.1], // MacroVector 000220, itself a highest-severity vector
  ];
  for (const [v, s] of cases) assert.equal(scoreCvss4(v)?.score, s, v);
  assert.equal(scoreCvss4('CVSS:4.0/AV:N/AC:L'), undefined, 'missing base metrics');
});

test('ratings and labels', () => {
  assert.equal(severityOfScore(9.0), 'critical');
  assert.equal(severityOfScore(8.9), 'high');
  assert.equal(severityOfScore(4.0), 'medium');
  assert.equal(severityOfScore(3.9), 'low');
  assert.equal(severityOfLabel('MODERATE'), 'medium');
  assert.equal(severityOfLabel('whatever'), undefined);
});

test('real records: the highest computed score counts; a label is used only without a vector', () => {
  const all = [...loadRealAdvisories('npm'), ...loadRealAdvisories('crates.io')].map(
    (r) => r.value as OsvRecord,
  );
  const byId = new Map(all.map((r) => [r.id, r]));
  assert.deepEqual(severityOfRecord(byId.get('GHSA-xvch-5gv4-984h')!), {
    severity: 'critical',
    score: 9.8,
    basis: 'CVSS_V3',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  });
  const rollup = severityOfRecord(byId.get('GHSA-gcx4-mw62-g8wm')!);
  assert.equal(rollup.basis, 'CVSS_V4');
  assert.equal(rollup.severity, 'high');
  assert.deepEqual(severityOfRecord(byId.get('GHSA-g98v-hv3f-hcfr')!), {
    severity: 'low',
    basis: 'label',
  });
  // Every record gets some severity.
  for (const r of all) assert.ok(severityOfRecord(r).severity, r.id);
});
