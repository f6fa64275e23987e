/**
 * Versions and version ranges in the ecosystems vouch evaluates: SemVer 2.0 precedence (npm and
 * crates.io both use it; build metadata is ignored when comparing), and range syntax in each
 * ecosystem's own grammar: npm (node-semver ranges) and Cargo version requirements.
 */
import semver from 'semver';

export type VersionEcosystem = 'npm' | 'cargo' | 'generic';

export interface ParsedVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Prerelease identifiers; numeric ones as numbers. Empty for a release. */
  readonly pre: readonly (string | number)[];
}

const VERSION_RE =
  /^v?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

const cache = new Map<string, ParsedVersion | null>();

/**
 * Parses a SemVer 2.0 version. Two-part and one-part versions (`1.0`, `0`) found in real advisory
 * data are padded with zeros. Returns undefined for anything else.
 */
export function parseVersion(text: string): ParsedVersion | undefined {
  const hit = cache.get(text);
  if (hit !== undefined) return hit ?? undefined;
  const m = VERSION_RE.exec(text.trim());
  let parsed: ParsedVersion | null = null;
  if (m) {
    parsed = {
      major: Number(m[1]),
      minor: Number(m[2] ?? 0),
      patch: Number(m[3] ?? 0),
      pre: m[4] ? m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [],
    };
  }
  if (cache.size > 200_000) cache.clear();
  cache.set(text, parsed);
  return parsed ?? undefined;
}

/** SemVer 2.0 precedence: negative when a < b, 0 when equal (build metadata ignored). */
export function comparePrecedence(a: ParsedVersion, b: ParsedVersion): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor !== b.minor) return a.minor - b.minor;
  if (a.patch !== b.patch) return a.patch - b.patch;
  if (a.pre.length === 0) return b.pre.length === 0 ? 0 : 1;
  if (b.pre.length === 0) return -1;
  const n = Math.min(a.pre.length, b.pre.length);
  for (let i = 0; i < n; i++) {
    const x = a.pre[i]!;
    const y = b.pre[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return a.pre.length - b.pre.length;
}

/** The canonical `major.minor.patch[-pre]` text, for libraries that need strict SemVer. */
export function formatVersion(v: ParsedVersion): string {
  return `${v.major}.${v.minor}.${v.patch}${v.pre.length ? `-${v.pre.join('.')}` : ''}`;
}

export interface VersionRange {
  /** The range as written. */
  readonly text: string;
  /** True when every version matches (`*` or empty). */
  readonly all: boolean;
  matches(version: string | undefined): boolean;
}

/** Maps a purl type to the range grammar it uses. */
export function ecosystemOfPurlType(type: string): VersionEcosystem {
  if (type === 'npm') return 'npm';
  if (type === 'cargo') return 'cargo';
  return 'generic';
}

/** Cargo requirement (`^1.2, <1.5`, `=0.4.0`, `1.2` meaning `^1.2`) → node-semver range text. */
function cargoToNpm(text: string): string {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) throw new Error('empty requirement');
  return parts
    .map((p) => {
      if (p.includes('||')) throw new Error('"||" is not Cargo syntax');
      const m = /^(>=|<=|>|<|=|\^|~)?\s*(.+)$/.exec(p)!;
      const op = m[1] ?? '';
      const version = m[2]!.trim();
      if (/\s/.test(version)) throw new Error(`"${p}" needs a comma between comparators`);
      if (op === '') return version.includes('*') ? version : `^${version}`;
      return `${op}${version}`;
    })
    .join(' ');
}

/**
 * Parses a range in the ecosystem's own syntax. Throws an Error (message for a person) when the
 * range is not valid. Prereleases inside the bounds match (a banned `>=3.3.6 <4` also bans 3.4.0-beta.1).
 */
export function parseVersionRange(text: string, ecosystem: VersionEcosystem): VersionRange {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === '*') {
    return { text, all: true, matches: () => true };
  }
  const npmText = ecosystem === 'cargo' ? cargoToNpm(trimmed) : trimmed;
  let range: semver.Range;
  try {
    range = new semver.Range(npmText, { includePrerelease: true });
  } catch {
    throw new Error(
      `"${text}" is not a valid ${ecosystem === 'cargo' ? 'Cargo' : 'npm'} version range`,
    );
  }
  return {
    text,
    all: false,
    matches(version) {
      if (version === undefined) return false;
      const parsed = parseVersion(version);
      if (!parsed) return false;
      return range.test(formatVersion(parsed));
    },
  };
}
