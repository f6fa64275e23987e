/**
 * Deep nesting in a policy or exceptions file is refused with the depth cap (64 levels), at any
 * depth: the yaml library's composer recurses once per level and overflows the stack from about
 * 1,000 levels, which must not surface as "Maximum call stack size exceeded".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExceptions } from '../../../src/core/exceptions/parse.ts';
import { parsePolicy } from '../../../src/core/policy/parse.ts';
import { parseYamlSafe, parseYamlSafeFast } from '../../../src/core/safe-parse.ts';

const messageOf = (fn: () => unknown): { code: string; message: string } => {
  try {
    fn();
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
  assert.fail('accepted');
};

const nested = {
  'block sequences (- - - …)': (n: number) => `${'- '.repeat(n)}x\n`,
  'flow sequences ([[[…]]])': (n: number) => `${'['.repeat(n)}${']'.repeat(n)}\n`,
  'flow mappings ({a: {a: …}})': (n: number) => `${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`,
};

test('5,000 and 20,000 levels give the depth-cap error, at the same place as 100 levels do', () => {
  for (const [what, make] of Object.entries(nested)) {
    const shallow = messageOf(() => parseYamlSafe(make(100), 'x.yml'));
    assert.match(shallow.message, /^x\.yml:1:\d+: nesting deeper than 64 levels$/, what);
    for (const n of [5_000, 20_000]) {
      for (const parse of [parseYamlSafe, parseYamlSafeFast]) {
        const deep = messageOf(() => parse(make(n), 'x.yml'));
        assert.equal(deep.code, 'YAML_INVALID', `${what}, ${n}`);
        assert.equal(deep.message, shallow.message, `${what}, ${n} levels`);
      }
    }
  }
});

test('a deeply nested policy or exceptions file is POLICY_INVALID / EXCEPTIONS_INVALID with the depth cap', () => {
  const policy = messageOf(() =>
    parsePolicy(`version: 1\nbans: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`, 'policy.yml'),
  );
  assert.equal(policy.code, 'POLICY_INVALID');
  assert.equal(policy.message, 'policy.yml:2:71: nesting deeper than 64 levels');
  const blocks = messageOf(() =>
    parsePolicy(`version: 1\nbans:\n  ${'- '.repeat(5_000)}x\n`, 'policy.yml'),
  );
  assert.equal(blocks.code, 'POLICY_INVALID');
  assert.match(blocks.message, /^policy\.yml:3:\d+: nesting deeper than 64 levels$/);
  const exceptions = messageOf(() =>
    parseExceptions(
      `version: 1\nexceptions: ${'{a: '.repeat(5_000)}1${'}'.repeat(5_000)}\n`,
      'exceptions.yml',
    ),
  );
  assert.equal(exceptions.code, 'EXCEPTIONS_INVALID');
  assert.match(exceptions.message, /^exceptions\.yml:2:\d+: nesting deeper than 64 levels$/);
  // Unclosed: the depth is what is wrong first.
  const unclosed = messageOf(() =>
    parsePolicy(`version: 1\nbans: ${'['.repeat(5_000)}\n`, 'p.yml'),
  );
  assert.equal(unclosed.message, 'p.yml:2:71: nesting deeper than 64 levels');
  for (const m of [policy, blocks, exceptions]) assert.doesNotMatch(m.message, /call stack/i);
});

test('64 levels are still accepted', () => {
  const value = parseYamlSafe(`${'['.repeat(64)}${']'.repeat(64)}\n`, 'x.yml').value;
  let depth = 0;
  for (let v: unknown = value; Array.isArray(v); v = v[0]) depth++;
  assert.equal(depth, 64);
});
