/**
 * The plain-block YAML fast path (src/core/safe-parse.ts) against the full parser: for every text
 * it takes, the same value and the same positions; everything else (hostile or unusual input) it
 * hands to the full parser, which refuses what it always refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  parseYamlFastPath,
  parseYamlSafe,
  parseYamlSafeFast,
  type PathSegment,
} from '../../../src/core/safe-parse.ts';
import { parseExceptions } from '../../../src/core/exceptions/parse.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** Every path into a value: keys of mappings, indices of lists, and one past the end. */
function paths(value: unknown, prefix: PathSegment[] = []): PathSegment[][] {
  const out: PathSegment[][] = [prefix];
  if (Array.isArray(value)) {
    value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
    out.push([...prefix, value.length], [...prefix, 'x']);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
    out.push([...prefix, 'no-such-key'], [...prefix, 0]);
  } else out.push([...prefix, 'deeper']);
  return out;
}

function assertSame(text: string, label: string): void {
  const fast = parseYamlFastPath(text);
  assert.ok(fast, `${label}: the fast path takes it`);
  const full = parseYamlSafe(text, 'x.yml');
  assert.deepEqual(fast.value, full.value, `${label}: value`);
  for (const p of paths(full.value))
    assert.deepEqual(fast.locate(p), full.locate(p), `${label}: position of ${JSON.stringify(p)}`);
}

const entry = (i: number) => ({
  id:
    i % 3 === 0
      ? `GHSA-xvch-5gv4-98${i}h`
      : i % 3 === 1
        ? `CVE-2021-4490${i}`
        : 'license:GPL-3.0-only',
  package: i % 2 ? 'pkg:npm/%40sentry/browser' : `pkg:cargo/time-c${i}`,
  ...(i % 4 === 1 ? { versions: '>=1.0.0 <1.2.6' } : {}),
  reason:
    i % 5 === 0 ? 'only reachable from build scripts, never at run time' : "it's fine — reviewed",
  owner: '@acme/web',
  'approved-by': '@acme-release-manager',
  approval: `https://github.com/acme/widget/pull/${100 + i}`,
  created: '2026-11-20',
  expires: '2026-12-20',
});

test('plain block YAML as people and yaml.stringify write it: the same values and positions as the full parser', () => {
  const docs = readFileSync(join(ROOT, 'docs', 'exceptions.md'), 'utf8');
  const blocks = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const examples = blocks.filter((b) => parseYamlFastPath(b) !== undefined);
  assert.ok(examples.length > 0, 'the documented example takes the fast path');
  examples.forEach((b, i) => assertSame(b, `docs/exceptions.md block ${i}`));
  const generated = stringify(
    { version: 1, exceptions: [0, 1, 2, 3, 4, 5].map(entry) },
    { lineWidth: 0 },
  );
  assertSame(generated, 'yaml.stringify');
  const handWritten = [
    '# Exceptions: approved in pull requests',
    'version: 1',
    '',
    'exceptions:',
    '- id: GHSA-xvch-5gv4-984h   # minimist',
    '  package: pkg:npm/minimist',
    '  versions: "<1.2.6"',
    "  reason: 'only reachable from build scripts'",
    '  owner: "@acme/web"',
    '  approved-by: "@acme-release-manager"',
    '  approval: https://github.com/acme/widget/pull/123',
    '  created: 2026-11-20',
    '  expires: 2026-12-20',
    '  # a comment inside an entry',
    '-   id: CVE-2021-44906',
    '    package: pkg:npm/minimist',
    '    reason: a:b, [c] {d} it\'s "quoted" 100%',
    '    owner: x',
    '    approved-by:',
    '    approval: y',
    '    created: 2026-11-20',
    '    expires: 20261220',
    '    extra: 0123',
    '    list:',
    '      - one',
    '      - pkg:npm/two',
    '      - "three"',
    '    empty: []',
    '    none: {}',
    '    nested:',
    '      deeper:',
    '        deepest: yes',
    '      other: on',
    'trailing:   ',
    '',
  ].join('\n');
  assertSame(handWritten, 'hand-written');
  assertSame('version: 1\nexceptions: []\n', 'empty list');
  assertSame('- a\n- b: c\n  d: e\n', 'top-level list');
});

test('anything outside the subset goes to the full parser, which refuses hostile input as before', () => {
  const outside = [
    'a: &x 1\nb: *x\n', // anchors and aliases
    'a: !!str 1\n', // tags
    'a: !custom 1\n',
    '__proto__: 1\n', // unsafe keys: the full parser names them
    'a:\n  constructor: 1\n',
    'a: 1\na: 2\n', // duplicate keys
    'a: [1, 2]\n', // flow collections
    'a: {b: 1}\n',
    'a: |\n  text\n', // block scalars
    'a: first\n  continued\n', // multi-line plain scalar
    'a: "esc\\"aped"\n',
    "a: 'it''s'\n",
    'a:\tb\n', // tab
    'a: b\r\n', // CR
    '\ufeffa: b\n', // BOM
    'a: b\u00a0\n', // Unicode space
    '---\na: b\n', // document markers
    '%YAML 1.2\n---\na: b\n',
    'a: ~\n', // core schema non-strings other than decimal integers
    'a: null\n',
    'a: true\n',
    'a: 1.5\n',
    'a: 1e3\n',
    'a: 0x1f\n',
    'a: -1\n',
    'a: .inf\n',
    'true: 1\n', // non-string keys
    '"quoted key": 1\n',
    'a : 1\n',
    'a: b: c\n',
    'a: @x\n', // reserved indicator
    '  a: 1\n', // indented root
    'just a scalar\n',
    '# only a comment\n',
    '',
    '- - nested\n',
    '-\n  a: 1\n',
    'a:\n    b: 1\n  c: 2\n', // bad indentation
    'a: 1\n- b\n',
    'a: 😀\n', // astral
  ];
  for (const text of outside) {
    assert.equal(parseYamlFastPath(text), undefined, JSON.stringify(text));
    let full: unknown;
    let fast: unknown;
    try {
      full = parseYamlSafe(text, 'x.yml').value;
    } catch (error) {
      full = { error: (error as { code?: string }).code, message: (error as Error).message };
    }
    try {
      fast = parseYamlSafeFast(text, 'x.yml').value;
    } catch (error) {
      fast = { error: (error as { code?: string }).code, message: (error as Error).message };
    }
    assert.deepEqual(fast, full, JSON.stringify(text));
  }
  // Deep nesting is left to the full parser's cap.
  let deep = '';
  for (let i = 0; i < 70; i++) deep += `${'  '.repeat(i)}k${i}:\n`;
  deep += `${'  '.repeat(70)}k: v\n`;
  assert.equal(parseYamlFastPath(deep), undefined);
  assert.throws(() => parseYamlSafeFast(deep, 'x.yml'), /nesting deeper than 64 levels/);
  // So is the node cap.
  const many = stringify({ l: Array.from({ length: 200 }, (_, i) => i) });
  assert.equal(parseYamlFastPath(many, { maxNodes: 100 }), undefined);
  assert.throws(() => parseYamlSafeFast(many, 'x.yml', { maxNodes: 100 }), /more than 100 nodes/);
});

test('an exceptions file parses the same through the fast path as through the full parser, problems and lines included', () => {
  const good = stringify({ version: 1, exceptions: [0, 1, 2, 3].map(entry) }, { lineWidth: 0 });
  assert.ok(parseYamlFastPath(good));
  const parsed = parseExceptions(good, 'exceptions.yml');
  assert.deepEqual(
    parsed.exceptions.map((e) => e.line),
    [3, 11, 20, 28],
  );
  // Typos and bad values: reported with the same lines and columns either way.
  const bad = good
    .replace('expires:', 'expries:')
    .replace('created: 2026-11-20', 'created: 2026-13-01');
  assert.ok(parseYamlFastPath(bad));
  const messageOf = (text: string) => {
    try {
      parseExceptions(text, 'exceptions.yml');
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };
  const viaFast = messageOf(bad);
  assert.match(
    viaFast,
    /exceptions\.yml:10:5: exception #1: unknown key "expries" \(did you mean "expires"\?\)/,
  );
  assert.match(
    viaFast,
    /exceptions\.yml:9:5: exception #1: "created" "2026-13-01" is not a real calendar date/,
  );
  // The same file with a document end marker takes the full parser: the same messages.
  assert.equal(parseYamlFastPath(`${bad}...\n`), undefined);
  assert.equal(messageOf(`${bad}...\n`), viaFast);
});
