import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateLicense } from '../../../src/core/policy/licenses.ts';
import type { LicensePolicy } from '../../../src/core/policy/model.ts';

const policy: LicensePolicy = {
  allow: ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'ISC', 'GPL-2.0-only WITH Classpath-exception-2.0'],
  deny: ['GPL-3.0-only'],
  unknown: 'fail',
  overrides: [],
};
const status = (expr: string | undefined, p: LicensePolicy = policy) =>
  evaluateLicense(expr, p).status;

test('OR passes when any branch is allowed; AND needs both', () => {
  assert.equal(status('MIT OR GPL-3.0-only'), 'allowed');
  assert.equal(status('MIT AND GPL-3.0-only'), 'denied');
  assert.equal(status('MIT AND Apache-2.0'), 'allowed');
  assert.equal(status('(MIT OR GPL-3.0-only) AND ISC'), 'allowed');
  assert.equal(status('(MIT OR GPL-3.0-only) AND GPL-2.0-only'), 'not-allowed');
  assert.deepEqual(evaluateLicense('MIT AND GPL-3.0-only', policy).offending, ['GPL-3.0-only']);
});

test('WITH exceptions are their own terms', () => {
  assert.equal(status('GPL-2.0-only WITH Classpath-exception-2.0'), 'allowed');
  assert.equal(status('GPL-2.0-only'), 'not-allowed');
  assert.equal(status('Apache-2.0 WITH LLVM-exception'), 'allowed', 'the plain id is allowed');
});

test('unknown: missing, NOASSERTION, LicenseRef and free text; case is normalised', () => {
  assert.equal(status(undefined), 'unknown');
  assert.equal(status('NOASSERTION'), 'unknown');
  assert.equal(status('LicenseRef-Proprietary'), 'unknown');
  assert.equal(status('SEE LICENSE IN LICENSE.md'), 'unknown');
  assert.equal(status('MIT OR LicenseRef-x'), 'allowed');
  assert.equal(status('Apache-2.0 AND LicenseRef-x'), 'unknown');
  assert.equal(status('mit or apache-2.0'), 'allowed');
});

test('deny-only policies allow every known license not denied', () => {
  const denyOnly: LicensePolicy = {
    deny: ['GPL-3.0-only', 'AGPL-3.0-only'],
    unknown: 'warn',
    overrides: [],
  };
  assert.equal(status('BSD-2-Clause', denyOnly), 'allowed');
  assert.equal(status('AGPL-3.0-only OR MIT', denyOnly), 'allowed');
  assert.equal(status('AGPL-3.0-only', denyOnly), 'denied');
});

test('plus ranges go through spdx-satisfies', () => {
  assert.equal(
    status('GPL-2.0+', { allow: ['GPL-3.0-only'], unknown: 'fail', overrides: [] }),
    'allowed',
  );
  assert.equal(
    status('GPL-2.0+', { allow: ['GPL-1.0-only'], unknown: 'fail', overrides: [] }),
    'not-allowed',
  );
});

test('a deny list catches the denied license in every spelling: deprecated ids, -only, + and -or-later', () => {
  const denyOnly: LicensePolicy = { deny: ['GPL-3.0-only'], unknown: 'warn', overrides: [] };
  // The deprecated id and the current one are the same license.
  assert.equal(status('GPL-3.0', denyOnly), 'denied');
  assert.equal(status('gpl-3.0', denyOnly), 'denied');
  assert.equal(status('GPL-3.0-only', denyOnly), 'denied');
  assert.deepEqual(evaluateLicense('GPL-3.0', denyOnly).offending, ['GPL-3.0']);
  // GPL-3.0 is the latest GPL: "3.0 or later" can only be taken under the denied version.
  assert.equal(status('GPL-3.0+', denyOnly), 'denied');
  assert.equal(status('GPL-3.0-or-later', denyOnly), 'denied');
  assert.equal(status('GPL-3.0-or-later WITH Classpath-exception-2.0', denyOnly), 'denied');
  // "2.0 or later" may be taken under GPL-2.0-only, which is not denied (spdx-satisfies' choice).
  assert.equal(status('GPL-2.0-or-later', denyOnly), 'allowed');
  assert.equal(status('GPL-2.0+', denyOnly), 'allowed');
  // Other families are other licenses.
  assert.equal(status('LGPL-3.0-only', denyOnly), 'allowed');
  assert.equal(status('AGPL-3.0', denyOnly), 'allowed');
  // Real npm spellings (package-lock.json "license" fields): a choice with an allowed branch passes.
  assert.equal(status('(MIT OR GPL-3.0-or-later)', denyOnly), 'allowed');
  assert.equal(status('(BSD-3-Clause OR GPL-2.0)', denyOnly), 'allowed');
  assert.equal(status('GPL-3.0 AND MIT', denyOnly), 'denied');
});

test('a deny of an -or-later form denies that version and every later one', () => {
  const denyOnly: LicensePolicy = { deny: ['GPL-2.0-or-later'], unknown: 'warn', overrides: [] };
  for (const spelling of ['GPL-2.0', 'GPL-2.0-only', 'GPL-2.0+', 'GPL-3.0', 'GPL-3.0-or-later'])
    assert.equal(status(spelling, denyOnly), 'denied', spelling);
  // 1.0-or-later may still be taken under GPL-1.0-only.
  assert.equal(status('GPL-1.0-or-later', denyOnly), 'allowed');
  assert.equal(status('LGPL-2.1-only', denyOnly), 'allowed');
  const plusDeny: LicensePolicy = { deny: ['LGPL-2.1+'], unknown: 'warn', overrides: [] };
  assert.equal(status('LGPL-3.0-only', plusDeny), 'denied');
  assert.equal(status('LGPL-2.1', plusDeny), 'denied');
  assert.equal(status('LGPL-2.0-only', plusDeny), 'allowed');
});

test('allow and deny together: the deny wins over an allowed or-later range', () => {
  const both: LicensePolicy = {
    allow: ['MIT', 'GPL-2.0-or-later'],
    deny: ['GPL-3.0-only'],
    unknown: 'fail',
    overrides: [],
  };
  assert.equal(status('GPL-3.0', both), 'denied');
  assert.equal(status('GPL-3.0-or-later', both), 'denied');
  assert.equal(status('GPL-2.0-or-later', both), 'allowed');
});
