/**
 * Reads an exceptions file (docs/exceptions.md). Every problem a reviewer must fix is an error
 * with its line and column: unknown keys and typos, missing or non-UTC dates, match-everything
 * entries, duplicates (THREATS 40, 41, 43). Validation against the remediation windows and the
 * clock lives in validate.ts.
 */
import { PackageURL } from 'packageurl-js';
import { VouchError } from '../../errors.ts';
import { parsePackagePattern } from '../policy/purl.ts';
import { parseVersionRange } from '../osv/version.ts';
import { parseYamlSafeFast, type PathSegment, type Position } from '../safe-parse.ts';
import type { ExceptionsFile, PolicyException } from './model.ts';

export interface ExceptionsSyntaxProblem {
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  /** Index of the entry in `exceptions`, when the problem is inside one. */
  readonly index?: number;
}

const ENTRY_KEYS = [
  'id',
  'package',
  'versions',
  'reason',
  'owner',
  'approved-by',
  'approval',
  'created',
  'expires',
] as const;
const REQUIRED_KEYS = ENTRY_KEYS.filter((k) => k !== 'versions');
const TOP_KEYS = ['version', 'exceptions'] as const;

/** Advisory ids: GHSA-…, CVE-…, RUSTSEC-…, PYSEC-…, GO-…, OSV-…; prefix upper-case, then an id. */
const ADVISORY_ID_RE = /^[A-Z][A-Z0-9]*-[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const LICENSE_ID_RE = /^license:[A-Za-z0-9][A-Za-z0-9.+-]*$/;
const BAN_ID_RE = /^ban:[A-Za-z0-9][A-Za-z0-9._-]*$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Edit distance, for "did you mean" on typos. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** `unknown key "expries" (did you mean "expires"?)`. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const best = known
    .map((k) => [k, distance(key.toLowerCase(), k)] as const)
    .sort((x, y) => x[1] - y[1])[0];
  const hint =
    best && best[1] <= Math.max(2, Math.floor(key.length / 3))
      ? ` (did you mean "${best[0]}"?)`
      : '';
  return `unknown key "${key}"${hint}`;
}

// Exceptions files repeat a handful of dates across thousands of entries: each date text is
// checked and converted once (bounded: cleared when full).
const DATE_MEMO_MAX = 10_000;
const dateProblems = new Map<string, string | undefined>();
const dateMs = new Map<string, number>();

/** Checks a UTC calendar date `YYYY-MM-DD`; returns a problem text or undefined. */
export function checkUtcDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a date written YYYY-MM-DD (UTC)';
  const hit = dateProblems.get(value);
  if (hit !== undefined || dateProblems.has(value)) return hit;
  const problem = checkDateText(value);
  if (dateProblems.size >= DATE_MEMO_MAX) dateProblems.clear();
  dateProblems.set(value, problem);
  return problem;
}

function checkDateText(value: string): string | undefined {
  const m = DATE_RE.exec(value);
  if (!m) {
    if (/T|[+-]\d{2}:?\d{2}$|Z$/.test(value)) {
      return `"${value}" is not a plain UTC date; write YYYY-MM-DD (dates are UTC, no time or offset)`;
    }
    return `"${value}" is not a date written YYYY-MM-DD (UTC)`;
  }
  const d = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    return `"${value}" is not a real calendar date`;
  }
  return undefined;
}

/** Milliseconds of 00:00 UTC on a YYYY-MM-DD date. */
export function utcDateMs(date: string): number {
  let ms = dateMs.get(date);
  if (ms === undefined) {
    ms = Date.parse(`${date}T00:00:00Z`);
    if (dateMs.size >= DATE_MEMO_MAX) dateMs.clear();
    dateMs.set(date, ms);
  }
  return ms;
}

const PACKAGE_MEMO_MAX = 10_000;
const canonicalPackages = new Map<string, string>();

/** A purl with nothing to decode or fold: lower case, no percent-escapes, qualifiers or subpath. */
const PLAIN_PURL = /^pkg:[a-z][a-z0-9.+-]*\/[^%?#A-Z\s]+$/;

/**
 * A package URL in one spelling: parsed by packageurl-js (so percent-escapes are decoded and type
 * rules such as npm's lower-case names apply), written back with its namespace, name and version
 * decoded, and lower-cased: `pkg:npm/@sentry/browser` and `pkg:npm/%40sentry/browser` are one
 * package. A purl already in that form skips the parse. Text that is not a purl is only trimmed
 * and lower-cased.
 */
export function canonicalPackage(text: string): string {
  const hit = canonicalPackages.get(text);
  if (hit !== undefined) return hit;
  const trimmed = text.trim();
  let canonical: string;
  if (PLAIN_PURL.test(trimmed)) {
    // Already in the decoded, lower-case form the slow path builds: no purl parse needed.
    canonical = trimmed;
  } else {
    try {
      const p = PackageURL.fromString(trimmed);
      const full = p.toString();
      const tail = /[?#]/.exec(full);
      canonical = `pkg:${p.type}/${p.namespace ? `${p.namespace}/` : ''}${p.name}${
        p.version ? `@${p.version}` : ''
      }${tail ? full.slice(tail.index) : ''}`.toLowerCase();
    } catch {
      canonical = trimmed.toLowerCase();
    }
  }
  if (canonicalPackages.size >= PACKAGE_MEMO_MAX) canonicalPackages.clear();
  canonicalPackages.set(text, canonical);
  return canonical;
}

/**
 * Identity of an entry for duplicate detection: id (or the id given instead, e.g. the canonical
 * id of its alias group), package (canonicalPackage: one package however its purl is spelled)
 * and versions, case and spacing aside.
 */
export function exceptionIdentity(
  e: { id: string; package: string; versions?: string },
  id: string = e.id,
): string {
  return `${id.toLowerCase()}\u0000${canonicalPackage(e.package)}\u0000${(e.versions ?? '*').replace(/\s+/g, ' ').trim()}`;
}

const entryKey = (e: { id: string; package: string; versions?: string }): string =>
  exceptionIdentity(e);

/**
 * Checks an exceptions file without throwing: the parsed file (when there were no problems) and
 * every problem found, each with a position. parseExceptions is the throwing form.
 */
export function checkExceptions(
  text: string,
  source: string,
): { file?: ExceptionsFile; problems: ExceptionsSyntaxProblem[] } {
  let parsed;
  try {
    parsed = parseYamlSafeFast(text, source, { maxBytes: 2 * 1024 * 1024 });
  } catch (error) {
    if (error instanceof VouchError && error.code !== 'YAML_INVALID') throw error;
    const m = /:(\d+):(\d+): /.exec((error as Error).message);
    return {
      problems: [
        {
          message: (error as Error).message.replace(/^.*?:\d+:\d+: /, ''),
          ...(m ? { line: Number(m[1]), column: Number(m[2]) } : {}),
        },
      ],
    };
  }
  const problems: ExceptionsSyntaxProblem[] = [];
  const at = (path: readonly PathSegment[]): Position | undefined => parsed.locate(path);
  const add = (message: string, path: readonly PathSegment[], index?: number): void => {
    const p = at(path);
    problems.push({
      message,
      ...(p ? { line: p.line, column: p.column } : {}),
      ...(index !== undefined ? { index } : {}),
    });
  };
  const root = parsed.value;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    add('the file must be a mapping with "version: 1" and "exceptions:"', []);
    return { problems };
  }
  const top = root as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (!(TOP_KEYS as readonly string[]).includes(key))
      add(unknownKeyMessage(key, TOP_KEYS), [key]);
  }
  if (top['version'] !== 1)
    add('"version" must be 1', top['version'] === undefined ? [] : ['version']);
  const list = top['exceptions'];
  if (list === undefined || list === null) {
    if (!('exceptions' in top)) add('"exceptions" is missing (use "exceptions: []" for none)', []);
  } else if (!Array.isArray(list)) {
    add('"exceptions" must be a list', ['exceptions']);
  }
  const entries: PolicyException[] = [];
  const seen = new Map<string, number>();
  (Array.isArray(list) ? list : []).forEach((raw: unknown, index) => {
    const base: PathSegment[] = ['exceptions', index];
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      add(`exception #${index + 1} must be a mapping`, base, index);
      return;
    }
    const entry = raw as Record<string, unknown>;
    let ok = true;
    const fail = (message: string, key?: string): void => {
      ok = false;
      add(`exception #${index + 1}: ${message}`, key ? [...base, key] : base, index);
    };
    for (const key of Object.keys(entry)) {
      if (!(ENTRY_KEYS as readonly string[]).includes(key))
        fail(unknownKeyMessage(key, ENTRY_KEYS), key);
    }
    for (const key of REQUIRED_KEYS) {
      if (!(key in entry)) {
        fail(
          key === 'expires'
            ? 'has no "expires" date: every exception must expire'
            : `"${key}" is missing`,
        );
      } else if (
        key !== 'created' &&
        key !== 'expires' &&
        (typeof entry[key] !== 'string' || (entry[key] as string).trim() === '')
      ) {
        fail(`"${key}" must be a non-empty string`, key);
      }
    }
    const id = typeof entry['id'] === 'string' ? entry['id'].trim() : '';
    if (id !== '' && !(ADVISORY_ID_RE.test(id) || LICENSE_ID_RE.test(id) || BAN_ID_RE.test(id))) {
      fail(
        `"id" "${id}" is not an advisory id (GHSA-…, CVE-…, RUSTSEC-…), license:<SPDX id> or ban:<name>; wildcards are not allowed`,
        'id',
      );
    }
    let pattern;
    if (typeof entry['package'] === 'string' && entry['package'].trim() !== '') {
      try {
        pattern = parsePackagePattern(entry['package']);
      } catch (error) {
        fail(`"package" ${(error as Error).message}`, 'package');
      }
    }
    if ('versions' in entry) {
      const v = entry['versions'];
      if (typeof v !== 'string' || v.trim() === '')
        fail('"versions" must be a non-empty range (omit it for every version)', 'versions');
      else if (pattern) {
        try {
          parseVersionRange(v, pattern.ecosystem);
        } catch (error) {
          fail(`"versions" ${(error as Error).message}`, 'versions');
        }
      }
    }
    if (typeof entry['approval'] === 'string' && entry['approval'].trim() !== '') {
      let url: URL | undefined;
      try {
        url = new URL(entry['approval']);
      } catch {
        url = undefined;
      }
      if (!url || url.protocol !== 'https:' || !/\/pull\/\d+\/?$/.test(url.pathname)) {
        fail(
          `"approval" must be the https URL of the pull request that approved it (…/pull/123)`,
          'approval',
        );
      }
    }
    for (const key of ['created', 'expires'] as const) {
      if (key in entry) {
        const problem = checkUtcDate(entry[key]);
        if (problem) fail(`"${key}" ${problem}`, key);
      }
    }
    if (ok && (entry['expires'] as string) < (entry['created'] as string)) {
      fail(
        `"expires" ${String(entry['expires'])} is before "created" ${String(entry['created'])}`,
        'expires',
      );
    }
    if (!ok) return;
    const p = at(base);
    const exception: PolicyException = {
      id,
      package: (entry['package'] as string).trim(),
      ...(typeof entry['versions'] === 'string' ? { versions: entry['versions'].trim() } : {}),
      reason: (entry['reason'] as string).trim(),
      owner: (entry['owner'] as string).trim(),
      approvedBy: (entry['approved-by'] as string).trim(),
      approval: (entry['approval'] as string).trim(),
      created: entry['created'] as string,
      expires: entry['expires'] as string,
      ...(p ? { line: p.line } : {}),
    };
    const key = entryKey(exception);
    const first = seen.get(key);
    if (first !== undefined) {
      add(
        `exception #${index + 1} duplicates exception #${first + 1} (same id, package and versions)`,
        base,
        index,
      );
      return;
    }
    seen.set(key, index);
    entries.push(exception);
  });
  if (problems.length > 0) return { problems };
  return { file: { version: 1, exceptions: entries }, problems };
}

/**
 * Parses an exceptions file. Throws VouchError EXCEPTIONS_INVALID listing every problem as
 * `source:line:column: message`; UNSAFE_KEY / FILE_TOO_LARGE for hostile input.
 */
export function parseExceptions(text: string, source: string): ExceptionsFile {
  const { file, problems } = checkExceptions(text, source);
  if (file && problems.length === 0) return file;
  const lines = problems.map(
    (p) => `${source}${p.line !== undefined ? `:${p.line}:${p.column ?? 1}` : ''}: ${p.message}`,
  );
  throw new VouchError(
    'EXCEPTIONS_INVALID',
    problems.length === 1
      ? lines[0]!
      : `${problems.length} problems in ${source}:\n${lines.join('\n')}`,
  );
}
