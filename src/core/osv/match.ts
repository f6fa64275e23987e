/**
 * OSV range evaluation (https://ossf.github.io/osv-schema/#evaluation): SEMVER and ECOSYSTEM
 * ranges with `introduced` (inclusive), `fixed` (exclusive), `last_affected` (inclusive) and
 * `limit`, plus explicit `versions`, with SemVer 2.0 precedence (npm and crates.io; build
 * metadata ignored). GIT ranges cannot be evaluated against package versions and are ignored.
 *
 * Real data is not always well-formed. Repairs lean toward reporting, never toward silence:
 * - an event whose version does not parse (GitHub wrote `"fixed": "7.2.4, 6.11.4"`) is dropped
 *   and the range is bounded by the entry's `database_specific.last_known_affected_version_range`
 *   when there is one, else by the highest version listed in the bad event, else left open;
 * - two-part versions (`1.0`) are padded (`1.0.0`);
 * - `versions` entries match exactly (SemVer equality), so a release line like `0.20` never
 *   matches `0.20.8`.
 * When strict evaluation says affected but `last_known_affected_version_range` disagrees, the
 * finding stands and carries a note saying so (an exception can waive it after review).
 */
import type { OsvAffected } from './model.ts';
import {
  comparePrecedence,
  parseVersion,
  parseVersionRange,
  type ParsedVersion,
  type VersionRange,
} from './version.ts';

interface CompiledEvent {
  readonly kind: 'introduced' | 'fixed' | 'last_affected';
  /** undefined means "0": before every version. */
  readonly version?: ParsedVersion;
  readonly text: string;
}

interface CompiledRange {
  readonly events: readonly CompiledEvent[];
  readonly limits: readonly ParsedVersion[];
  /** Extra upper bound from a repair (see above). */
  readonly bound?: VersionRange;
}

export interface CompiledAffected {
  readonly ranges: readonly CompiledRange[];
  readonly versions: readonly { readonly text: string; readonly parsed?: ParsedVersion }[];
  /** database_specific.last_known_affected_version_range, parsed, when present. */
  readonly lastKnown?: VersionRange;
  /** Problems found and repaired while compiling, for the run's warnings. */
  readonly repairs: readonly string[];
}

export interface AffectedResult {
  readonly affected: boolean;
  /** Versions that fix the evaluated version (the nearest `fixed` above it in each range that matched). */
  readonly fixedIn: readonly string[];
  readonly notes: readonly string[];
}

function compileLastKnown(entry: OsvAffected): VersionRange | undefined {
  const text = entry.database_specific?.['last_known_affected_version_range'];
  if (typeof text !== 'string') return undefined;
  try {
    return { ...parseVersionRange(text.replace(/([<>=]+)\s+/g, '$1'), 'npm'), text };
  } catch {
    return undefined;
  }
}

/** Precompiles one `affected[]` entry; pure and cacheable. */
export function compileAffected(entry: OsvAffected): CompiledAffected {
  const repairs: string[] = [];
  const lastKnown = compileLastKnown(entry);
  const ranges: CompiledRange[] = [];
  for (const range of entry.ranges ?? []) {
    if (range.type === 'GIT') continue;
    const events: CompiledEvent[] = [];
    const limits: ParsedVersion[] = [];
    let bound: VersionRange | undefined;
    for (const event of range.events) {
      const [kind, text] = Object.entries(event)[0] as [keyof typeof event, string];
      if (kind === 'introduced' && text === '0') {
        events.push({ kind, text });
        continue;
      }
      const parsed = parseVersion(text);
      if (!parsed) {
        const listed = text
          .split(/[,\s]+/)
          .map((s) => parseVersion(s))
          .filter((v): v is ParsedVersion => v !== undefined);
        if (lastKnown) {
          bound = lastKnown;
          repairs.push(
            `${kind} "${text}" is not a version; bounded by last_known_affected_version_range "${lastKnown.text}"`,
          );
        } else if (kind !== 'introduced' && kind !== 'limit' && listed.length > 0) {
          const highest = listed.reduce((a, b) => (comparePrecedence(a, b) >= 0 ? a : b));
          events.push({ kind, version: highest, text });
          repairs.push(`${kind} "${text}" is not a version; using the highest version it lists`);
        } else {
          repairs.push(`${kind} "${text}" is not a version; event ignored (range left open)`);
        }
        continue;
      }
      if (kind === 'limit') limits.push(parsed);
      else events.push({ kind, version: parsed, text });
    }
    events.sort((a, b) => {
      if (!a.version) return b.version ? -1 : 0;
      if (!b.version) return 1;
      return comparePrecedence(a.version, b.version);
    });
    ranges.push({ events, limits, ...(bound ? { bound } : {}) });
  }
  const versions = (entry.versions ?? []).map((text) => {
    const parsed = parseVersion(text);
    return parsed ? { text, parsed } : { text };
  });
  return { ranges, versions, ...(lastKnown ? { lastKnown } : {}), repairs };
}

/** Evaluates one compiled `affected[]` entry for one package version. */
export function evaluateAffected(entry: CompiledAffected, version: string): AffectedResult {
  const v = parseVersion(version);
  const fixedIn: string[] = [];
  let affected = false;
  if (v) {
    for (const exact of entry.versions) {
      if (exact.parsed ? comparePrecedence(exact.parsed, v) === 0 : exact.text === version)
        affected = true;
    }
    for (const range of entry.ranges) {
      let inRange = false;
      for (const event of range.events) {
        if (event.kind === 'introduced') {
          if (!event.version || comparePrecedence(v, event.version) >= 0) inRange = true;
        } else if (event.kind === 'fixed') {
          if (comparePrecedence(v, event.version!) >= 0) inRange = false;
        } else if (comparePrecedence(v, event.version!) > 0) inRange = false;
      }
      if (
        inRange &&
        range.limits.length > 0 &&
        !range.limits.some((l) => comparePrecedence(v, l) < 0)
      )
        inRange = false;
      if (inRange && range.bound && !range.bound.matches(version)) inRange = false;
      if (!inRange) continue;
      affected = true;
      const next = range.events.find(
        (e) => e.kind === 'fixed' && comparePrecedence(e.version!, v) > 0,
      );
      if (next && !fixedIn.includes(next.text)) fixedIn.push(next.text);
    }
  } else {
    for (const exact of entry.versions) if (exact.text === version) affected = true;
  }
  const notes: string[] = [];
  if (affected && entry.lastKnown && !entry.lastKnown.matches(version)) {
    notes.push(
      `the advisory's last_known_affected_version_range "${entry.lastKnown.text}" excludes ${version}; strict OSV evaluation of its events says affected`,
    );
  }
  return { affected, fixedIn, notes };
}
