/**
 * Package patterns: a package URL without version (`pkg:npm/%40babel/traverse`, `pkg:cargo/time`)
 * naming exactly one package, as used by license overrides and exceptions; bans may also use a
 * wildcard in the name (`pkg:npm/@sentry/*`, `pkg:cargo/tracing*`), never in the type or namespace.
 */
import { PackageURL } from 'packageurl-js';
import { ecosystemOfPurlType, type VersionEcosystem } from '../osv/version.ts';

export interface PackagePattern {
  readonly type: string;
  /** npm scope (`@babel`) or other namespace; undefined when none. */
  readonly namespace?: string;
  readonly name: string;
  readonly ecosystem: VersionEcosystem;
  /** `type/namespace/name`, lower-case type: the key components are matched on. */
  readonly key: string;
}

/** Key of a package by its parts; npm names are case-sensitive in purls but compared lower-case. */
export function packageKey(type: string, namespace: string | undefined, name: string): string {
  const t = type.toLowerCase();
  const fold = t === 'npm' || t === 'cargo' ? (s: string) => s.toLowerCase() : (s: string) => s;
  return `${t}/${namespace ? `${fold(namespace)}/` : ''}${fold(name)}`;
}

/**
 * Parses a package pattern. Throws an Error with a message for a person when the text is not a
 * purl, carries a version, or would match every package (`*`, empty name).
 */
export function parsePackagePattern(text: string): PackagePattern {
  // The same patterns are parsed by the exceptions reader and again by the evaluation; a pattern
  // is plain readonly data, so each text goes through the purl library once (errors every time).
  const hit = patternMemo.get(text);
  if (hit) return hit;
  const pattern = parsePatternText(text);
  if (patternMemo.size >= PATTERN_MEMO_MAX) patternMemo.clear();
  patternMemo.set(text, pattern);
  return pattern;
}

const PATTERN_MEMO_MAX = 10_000;
const patternMemo = new Map<string, PackagePattern>();

function parsePatternText(text: string): PackagePattern {
  let purl: PackageURL;
  try {
    purl = PackageURL.fromString(text.trim());
  } catch (error) {
    throw new Error(`"${text}" is not a package URL (${(error as Error).message})`);
  }
  if (purl.version !== undefined && purl.version !== null && purl.version !== '') {
    throw new Error(
      `"${text}" carries a version; give the package without version and use "versions" for the range`,
    );
  }
  const wild = (s: string | undefined | null): boolean => !!s && /[*?]/.test(s);
  if (!purl.name || wild(purl.name) || wild(purl.namespace) || wild(purl.type)) {
    throw new Error(`"${text}" would match every package; name exactly one package`);
  }
  const namespace = purl.namespace ?? undefined;
  return {
    type: purl.type,
    ...(namespace ? { namespace } : {}),
    name: purl.name,
    ecosystem: ecosystemOfPurlType(purl.type),
    key: packageKey(purl.type, namespace, purl.name),
  };
}

/** A ban's package pattern: one package, or (wildcard set) every package whose key it matches. */
export interface BanPattern extends PackagePattern {
  /** Set when the name has a `*`: tests a component's key (`*` never crosses a `/`). */
  readonly wildcard?: RegExp;
}

/**
 * Parses a ban's package pattern: an exact package as parsePackagePattern, or `*` in the name
 * (any run of characters): `pkg:npm/@sentry/*` (a whole namespace), `pkg:cargo/tracing*`. Refused:
 * a wildcard in the type or namespace, and a bare `*` name without a namespace (`pkg:npm/*`, every
 * package of a type).
 */
export function parseBanPattern(text: string): BanPattern {
  const trimmed = text.trim();
  if (/^pkg:[^/]*\*/i.test(trimmed)) {
    throw new Error(
      `"${text}" would match packages of every type; give the type (pkg:npm/…, pkg:cargo/…)`,
    );
  }
  if (!/\*|%2a/i.test(trimmed)) return parsePackagePattern(text);
  let purl: PackageURL;
  try {
    purl = PackageURL.fromString(trimmed);
  } catch (error) {
    throw new Error(`"${text}" is not a package URL (${(error as Error).message})`);
  }
  if (purl.version !== undefined && purl.version !== null && purl.version !== '') {
    throw new Error(
      `"${text}" carries a version; give the package without version and use "versions" for the range`,
    );
  }
  const namespace = purl.namespace ?? undefined;
  if (namespace?.includes('*')) {
    throw new Error(
      `"${text}" has a wildcard in the namespace; a wildcard is allowed only in the name (pkg:npm/@scope/*, pkg:cargo/name*)`,
    );
  }
  if (!purl.name || (!namespace && /^\**$/.test(purl.name))) {
    throw new Error(
      `"${text}" would match every ${purl.type} package; give a namespace (pkg:npm/@scope/*) or part of the name (pkg:cargo/name*)`,
    );
  }
  if (!purl.name.includes('*')) return parsePackagePattern(text);
  const key = packageKey(purl.type, namespace, purl.name);
  const source = key
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return {
    type: purl.type,
    ...(namespace ? { namespace } : {}),
    name: purl.name,
    ecosystem: ecosystemOfPurlType(purl.type),
    key,
    wildcard: new RegExp(`^${source}$`),
  };
}

// npm and Cargo purls with nothing to decode but an npm scope's `%40`, no qualifiers or subpath:
// the key is read off the text (packageKey folds both types' names to lower case anyway).
const SIMPLE_PURL =
  /^pkg:(npm|cargo)\/(?:%40([A-Za-z0-9._~-]+)\/)?([A-Za-z0-9._~-]+)(?:@[A-Za-z0-9._~+-]*)?$/;

/** Key of a component's purl (version and qualifiers dropped); undefined when not a purl. */
export function purlKey(purl: string | undefined): string | undefined {
  if (!purl) return undefined;
  const m = SIMPLE_PURL.exec(purl);
  if (m) return packageKey(m[1]!, m[2] !== undefined ? `@${m[2]}` : undefined, m[3]!);
  return purlKeySlow(purl);
}

/** purlKey through the purl library, for every purl (tests compare the two). */
export function purlKeySlow(purl: string): string | undefined {
  try {
    const p = PackageURL.fromString(purl);
    return packageKey(p.type, p.namespace ?? undefined, p.name);
  } catch {
    return undefined;
  }
}
