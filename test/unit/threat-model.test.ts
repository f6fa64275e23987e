/**
 * docs/threat-model.md cannot drift: every numbered threat of the design list has exactly one row,
 * every code a row names is in the error catalogue (src/errors.ts and docs/errors.md), and every
 * test a row names exists in its file under that exact title.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES } from '../../src/errors.ts';
import { ROOT, SHARED } from '../helpers/cli.ts';

interface Row {
  readonly number: number;
  readonly line: number;
  readonly codes: readonly string[];
  readonly tests: ReadonlyArray<{ readonly file: string; readonly title: string }>;
}

const DOC = 'docs/threat-model.md';
const doc = readFileSync(join(ROOT, DOC), 'utf8');
const threats = readFileSync(join(SHARED, 'design', 'THREATS.md'), 'utf8');

/** Splits a Markdown table row into cells; `\|` inside a cell is not a separator. */
function cells(line: string): string[] {
  return line
    .slice(1, line.endsWith('|') ? -1 : undefined)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));
}

function parseRows(text: string): Row[] {
  const rows: Row[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (!/^\|\s*\d+\s*\|/.test(line)) continue;
    const c = cells(line);
    assert.equal(
      c.length,
      5,
      `${DOC}:${index + 1}: a row has 5 cells (#, threat, how, codes, tests)`,
    );
    const [number, threat, how, codeCell, testCell] = c as [string, string, string, string, string];
    assert.ok(
      threat.length > 0 && how.length > 0,
      `${DOC}:${index + 1}: threat and refusal are described`,
    );
    const codes =
      codeCell === '—'
        ? []
        : codeCell.split(',').map((s) => {
            const m = /^`([A-Z0-9_]+)`$/.exec(s.trim());
            assert.ok(m, `${DOC}:${index + 1}: "${s.trim()}" is not a \`CODE\``);
            return m[1]!;
          });
    const tests = testCell.split('<br>').map((ref) => {
      const m = /^`(test\/[^`]+\.test\.ts)` › (.+)$/.exec(ref.trim());
      assert.ok(m, `${DOC}:${index + 1}: "${ref}" is not \`test/…test.ts\` › title`);
      return { file: m[1]!, title: m[2]! };
    });
    assert.ok(tests.length > 0, `${DOC}:${index + 1}: at least one test`);
    rows.push({ number: Number(number), line: index + 1, codes, tests });
  }
  return rows;
}

const rows = parseRows(doc);

/** Documented codes: the `| \`CODE\` | kind |` rows of docs/errors.md. */
const documented = new Set(
  [...readFileSync(join(ROOT, 'docs/errors.md'), 'utf8').matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map(
    (m) => m[1]!,
  ),
);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A test, it or describe call whose title is exactly `title`, in any quote style. */
function declaresTest(source: string, title: string): boolean {
  const quoted = [
    `'${title.replace(/'/g, "\\'")}'`,
    `"${title.replace(/"/g, '\\"')}"`,
    `\`${title}\``,
  ];
  const literal = quoted.map(escapeRegExp).join('|');
  return new RegExp(`\\b(?:test|it|describe|suite)\\(\\s*(?:${literal})\\s*,`).test(source);
}

test('the threat model has one row for every numbered threat of the design list, and no other', () => {
  const listed = [...threats.matchAll(/^(\d+)\. /gm)].map((m) => Number(m[1]));
  assert.ok(listed.length >= 50, `THREATS.md lists ${listed.length} threats`);
  const numbers = rows.map((r) => r.number);
  const duplicates = numbers.filter((n, i) => numbers.indexOf(n) !== i);
  assert.deepEqual(duplicates, [], 'threats with more than one row');
  assert.deepEqual(
    listed.filter((n) => !numbers.includes(n)),
    [],
    'threats of THREATS.md with no row in docs/threat-model.md',
  );
  assert.deepEqual(
    numbers.filter((n) => !listed.includes(n)),
    [],
    'rows for threats THREATS.md does not list',
  );
});

test('every code the threat model names is in src/errors.ts and docs/errors.md', () => {
  const problems: string[] = [];
  for (const row of rows) {
    for (const code of row.codes) {
      if (!(code in ERROR_CODES))
        problems.push(`threat ${row.number}: ${code} is not in src/errors.ts`);
      if (!documented.has(code))
        problems.push(`threat ${row.number}: ${code} is not in docs/errors.md`);
    }
  }
  assert.deepEqual(problems, []);
  const withoutCode = rows.filter((r) => r.codes.length === 0).map((r) => r.number);
  assert.ok(
    withoutCode.length <= 2,
    `only threats met without an error may have no code: ${withoutCode}`,
  );
});

test('every test the threat model names exists in its file under that exact title', () => {
  const problems: string[] = [];
  const sources = new Map<string, string>();
  for (const row of rows) {
    for (const { file, title } of row.tests) {
      const path = join(ROOT, file);
      if (!existsSync(path)) {
        problems.push(`threat ${row.number} (line ${row.line}): ${file} does not exist`);
        continue;
      }
      if (!sources.has(file)) sources.set(file, readFileSync(path, 'utf8'));
      if (!declaresTest(sources.get(file)!, title)) {
        problems.push(`threat ${row.number} (line ${row.line}): ${file} has no test "${title}"`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('the drift checks themselves catch a missing test, a wrong code and a missing row', () => {
  const good =
    '| 1 | t | h | `FILE_TOO_LARGE` | `test/unit/errors.test.ts` › every code has a one-line hint |';
  const [row] = parseRows(good);
  assert.deepEqual(row!.codes, ['FILE_TOO_LARGE']);
  const source = readFileSync(join(ROOT, row!.tests[0]!.file), 'utf8');
  assert.equal(declaresTest(source, row!.tests[0]!.title), true);
  assert.equal(
    declaresTest(source, 'every code has a one-line hin'),
    false,
    'a prefix is not a title',
  );
  assert.equal(declaresTest(source, 'no such test'), false);
  assert.equal('NO_SUCH_CODE' in ERROR_CODES, false);
  assert.throws(() => parseRows('| 2 | t | h | FILE_TOO_LARGE | `test/unit/errors.test.ts` › x |'));
  assert.throws(() => parseRows('| 3 | t | h | `FILE_TOO_LARGE` | test/unit/errors.test.ts › x |'));
});
