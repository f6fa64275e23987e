import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ERROR_CODES,
  EXIT_CODES,
  VouchError,
  toVouchError,
  exitCodeFor,
} from '../../src/errors.ts';
import { ROOT } from '../helpers/cli.ts';

const doc = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');

test('docs/errors.md lists every error code with its kind, and no code the source lacks', () => {
  const documented = new Map<string, string>();
  for (const m of doc.matchAll(/^\| `([A-Z0-9_]+)` \| (user|refusal|internal) \|/gm)) {
    assert.ok(!documented.has(m[1]!), `${m[1]} is documented twice`);
    documented.set(m[1]!, m[2]!);
  }
  const inSource = new Map(Object.entries(ERROR_CODES).map(([code, spec]) => [code, spec.kind]));
  const missing = [...inSource.keys()].filter((c) => !documented.has(c));
  const extra = [...documented.keys()].filter((c) => !inSource.has(c));
  assert.deepEqual(missing, [], 'codes missing from docs/errors.md');
  assert.deepEqual(extra, [], 'codes in docs/errors.md that src/errors.ts lacks');
  for (const [code, kind] of inSource) assert.equal(documented.get(code), kind, `kind of ${code}`);
});

test('docs/errors.md documents each exit code the CLI uses', () => {
  for (const [kind, code] of Object.entries(EXIT_CODES)) {
    assert.match(
      doc,
      new RegExp(`^\\| ${code} \\| ${kind === 'pass' ? '—' : `\`${kind}\``} \\|`, 'm'),
      `exit ${code}`,
    );
  }
  assert.equal(
    new Set(Object.values(EXIT_CODES)).size,
    Object.keys(EXIT_CODES).length,
    'exit codes are distinct',
  );
});

test('every code has a one-line hint', () => {
  for (const [code, spec] of Object.entries(ERROR_CODES)) {
    assert.ok(spec.hint.length > 10 && !spec.hint.includes('\n'), code);
  }
});

test('a VouchError carries code, kind, hint and cause; anything else becomes INTERNAL', () => {
  const cause = new Error('disk on fire');
  const e = new VouchError('FILE_UNREADABLE', 'cannot read x', { cause });
  assert.equal(e.code, 'FILE_UNREADABLE');
  assert.equal(e.kind, 'user');
  assert.equal(e.cause, cause);
  assert.equal(exitCodeFor(e.kind), 2);
  const wrapped = toVouchError(new TypeError('boom'));
  assert.equal(wrapped.code, 'INTERNAL');
  assert.equal(exitCodeFor(wrapped.kind), 3);
});
