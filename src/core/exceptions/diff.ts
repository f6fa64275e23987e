/**
 * What a change to the exceptions file does (base → head), and which dependencies the same change
 * adds or upgrades. Pure: the texts come in as arguments.
 */
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { packageKey as keyOf, purlKey } from '../policy/purl.ts';
import type { ExceptionsFile, PolicyException } from './model.ts';

export type ChangeKind = 'added' | 'changed' | 'extended' | 'removed' | 'shortened';

export interface ExceptionChange {
  readonly kind: ChangeKind;
  /** The head entry (absent for `removed`). */
  readonly head?: PolicyException;
  /** The base entry (absent for `added`). */
  readonly base?: PolicyException;
  /** Field names whose value differs (for `changed`, `extended`, `shortened`). */
  readonly fields: readonly string[];
}

const COMPARED: ReadonlyArray<keyof PolicyException> = [
  'id',
  'package',
  'versions',
  'reason',
  'owner',
  'approvedBy',
  'approval',
  'created',
  'expires',
];

/** Removal and shortening an expiry take risk away: they need no approval. */
export function needsApproval(change: ExceptionChange): boolean {
  return change.kind === 'added' || change.kind === 'changed' || change.kind === 'extended';
}

function exactKey(e: PolicyException): string {
  return `${e.id}\u0000${e.package}\u0000${e.versions ?? ''}`;
}

function looseKey(e: PolicyException): string {
  return `${e.id}\u0000${e.package}`;
}

function classify(base: PolicyException, head: PolicyException): ExceptionChange | undefined {
  const fields = COMPARED.filter((f) => (base[f] ?? '') !== (head[f] ?? ''));
  if (fields.length === 0) return undefined;
  const later = head.expires > base.expires;
  const earlier = head.expires < base.expires;
  // Metadata that documents the decision may be corrected alongside a shorter expiry.
  const harmless = new Set(['expires', 'reason', 'owner']);
  if (earlier && fields.every((f) => harmless.has(f)))
    return { kind: 'shortened', base, head, fields };
  if (later) return { kind: 'extended', base, head, fields };
  return { kind: 'changed', base, head, fields };
}

/**
 * Pairs entries of the two versions (same id, package and range first, then same id and
 * package) and classifies each difference. Unchanged entries are left out. A missing base (the
 * file is new) makes every entry `added`.
 */
export function diffExceptions(
  base: ExceptionsFile | undefined,
  head: ExceptionsFile | undefined,
): ExceptionChange[] {
  const baseLeft = [...(base?.exceptions ?? [])];
  const headLeft: PolicyException[] = [];
  const changes: ExceptionChange[] = [];
  const pairs: Array<[PolicyException, PolicyException]> = [];
  for (const entry of head?.exceptions ?? []) {
    const i = baseLeft.findIndex((b) => exactKey(b) === exactKey(entry));
    if (i >= 0) pairs.push([baseLeft.splice(i, 1)[0]!, entry]);
    else headLeft.push(entry);
  }
  for (const entry of headLeft) {
    const i = baseLeft.findIndex((b) => looseKey(b) === looseKey(entry));
    if (i >= 0) pairs.push([baseLeft.splice(i, 1)[0]!, entry]);
    else changes.push({ kind: 'added', head: entry, fields: [] });
  }
  for (const [b, h] of pairs) {
    const change = classify(b, h);
    if (change) changes.push(change);
  }
  for (const b of baseLeft) changes.push({ kind: 'removed', base: b, fields: [] });
  const order = (c: ExceptionChange): number => c.head?.line ?? c.base?.line ?? 0;
  return changes.sort((a, b) => order(a) - order(b));
}

// --- dependencies changed by the same pull request -------------------------------------------

/** A package, as `<type>/<namespace>/<name>` (the policy engine's package key). */
export type PackageKey = string;

/** Versions (or version specs, for manifests) of each package a dependency file names. */
export type DependencySet = Map<PackageKey, Set<string>>;

/** Dependency files whose changes reveal an added or upgraded package. */
export function isDependencyFile(path: string): boolean {
  const name = path.split('/').pop() ?? '';
  return [
    'package.json',
    'package-lock.json',
    'npm-shrinkwrap.json',
    'yarn.lock',
    'pnpm-lock.yaml',
    'Cargo.toml',
    'Cargo.lock',
  ].includes(name);
}

/** Normalises a purl (with or without version, qualifiers) to the key used for matching. */
export function packageKey(purl: string): PackageKey | undefined {
  return purlKey(purl);
}

function npmKey(name: string): PackageKey {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  return slash > 0
    ? keyOf('npm', name.slice(0, slash), name.slice(slash + 1))
    : keyOf('npm', undefined, name);
}

function add(set: DependencySet, key: PackageKey, version: string): void {
  let versions = set.get(key);
  if (!versions) set.set(key, (versions = new Set()));
  versions.add(version);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fromPackageJson(doc: unknown, set: DependencySet): void {
  if (!isRecord(doc)) return;
  for (const field of [
    'dependencies',
    'devDependencies',
    'optionalDependencies',
    'peerDependencies',
  ]) {
    const deps = doc[field];
    if (!isRecord(deps)) continue;
    for (const [name, spec] of Object.entries(deps)) add(set, npmKey(name), String(spec));
  }
}

function fromNpmLock(doc: unknown, set: DependencySet): void {
  if (!isRecord(doc)) return;
  const packages = doc['packages'];
  if (isRecord(packages)) {
    for (const [path, entry] of Object.entries(packages)) {
      if (path === '' || !isRecord(entry)) continue;
      const name =
        typeof entry['name'] === 'string'
          ? entry['name']
          : path.slice(path.lastIndexOf('node_modules/') + 13);
      if (typeof entry['version'] === 'string' && name) add(set, npmKey(name), entry['version']);
    }
    return;
  }
  const walk = (deps: unknown): void => {
    if (!isRecord(deps)) return;
    for (const [name, entry] of Object.entries(deps)) {
      if (!isRecord(entry)) continue;
      if (typeof entry['version'] === 'string') add(set, npmKey(name), entry['version']);
      walk(entry['dependencies']);
    }
  };
  walk(doc['dependencies']);
}

function fromYarnLock(text: string, set: DependencySet): void {
  let names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    if (!line.startsWith(' ')) {
      // `"@scope/a@^1", a@npm:^2:` → the names before the last `@` of each descriptor.
      names = line
        .replace(/:$/, '')
        .split(',')
        .map((d) => d.trim().replace(/^"|"$/g, ''))
        .map((d) => d.slice(0, d.indexOf('@', 1)))
        .filter(Boolean);
      continue;
    }
    const m = /^\s+version:?\s+"?([^"\s]+)"?/.exec(line);
    if (m) for (const name of names) add(set, npmKey(name), m[1]!);
  }
}

function fromPnpmLock(doc: unknown, set: DependencySet): void {
  if (!isRecord(doc)) return;
  for (const section of ['packages', 'snapshots']) {
    const packages = doc[section];
    if (!isRecord(packages)) continue;
    for (const key of Object.keys(packages)) {
      const clean = key.replace(/^\//, '').replace(/\(.*$/, '');
      // v9: name@version; v6: /name@version; v5: /name/version
      const at = clean.lastIndexOf('@');
      if (at > 0) add(set, npmKey(clean.slice(0, at)), clean.slice(at + 1));
      else {
        const slash = clean.lastIndexOf('/');
        if (slash > 0) add(set, npmKey(clean.slice(0, slash)), clean.slice(slash + 1));
      }
    }
  }
}

function fromCargoLock(doc: unknown, set: DependencySet): void {
  if (!isRecord(doc) || !Array.isArray(doc['package'])) return;
  for (const p of doc['package']) {
    if (isRecord(p) && typeof p['name'] === 'string' && typeof p['version'] === 'string') {
      add(set, keyOf('cargo', undefined, p['name']), p['version']);
    }
  }
}

function fromCargoToml(doc: unknown, set: DependencySet): void {
  if (!isRecord(doc)) return;
  const tables: unknown[] = [
    doc['dependencies'],
    doc['dev-dependencies'],
    doc['build-dependencies'],
  ];
  const target = doc['target'];
  if (isRecord(target)) {
    for (const t of Object.values(target)) {
      if (isRecord(t))
        tables.push(t['dependencies'], t['dev-dependencies'], t['build-dependencies']);
    }
  }
  const workspace = doc['workspace'];
  if (isRecord(workspace)) tables.push(workspace['dependencies']);
  for (const table of tables) {
    if (!isRecord(table)) continue;
    for (const [name, spec] of Object.entries(table)) {
      const crate = isRecord(spec) && typeof spec['package'] === 'string' ? spec['package'] : name;
      const version =
        typeof spec === 'string'
          ? spec
          : isRecord(spec)
            ? String(spec['version'] ?? JSON.stringify(spec))
            : '';
      add(set, keyOf('cargo', undefined, crate), version);
    }
  }
}

/**
 * The packages a dependency file names, with their versions. Files that do not parse give an
 * empty set: they cannot hide a dependency from the comparison because the head side is what
 * counts, and an unparseable head lockfile is reported by `diffDependencies` as `unreadable`.
 */
export function extractDependencies(path: string, text: string): DependencySet {
  const set: DependencySet = new Map();
  const name = path.split('/').pop() ?? '';
  if (name === 'package.json') fromPackageJson(JSON.parse(text), set);
  else if (name === 'package-lock.json' || name === 'npm-shrinkwrap.json')
    fromNpmLock(JSON.parse(text), set);
  else if (name === 'yarn.lock') fromYarnLock(text, set);
  else if (name === 'pnpm-lock.yaml') fromPnpmLock(parseYaml(text, { maxAliasCount: 100 }), set);
  else if (name === 'Cargo.lock') fromCargoLock(parseToml(text), set);
  else if (name === 'Cargo.toml') fromCargoToml(parseToml(text), set);
  return set;
}

export interface DependencyChange {
  readonly package: PackageKey;
  readonly kind: 'added' | 'upgraded';
  readonly file: string;
  /** Versions present in the head that the base did not have. */
  readonly versions: readonly string[];
}

export interface DependencyFileVersions {
  readonly path: string;
  /** Undefined when the file does not exist on that side. */
  readonly base?: string;
  readonly head?: string;
}

export interface DependencyDiff {
  readonly changes: readonly DependencyChange[];
  /** Dependency files whose head version could not be read: treated as touching every package. */
  readonly unreadable: readonly string[];
}

/** Packages a pull request adds or moves to a version the base did not have. */
export function diffDependencies(files: readonly DependencyFileVersions[]): DependencyDiff {
  const changes: DependencyChange[] = [];
  const unreadable: string[] = [];
  for (const file of files) {
    if (file.head === undefined) continue;
    let head: DependencySet;
    let base: DependencySet = new Map();
    try {
      head = extractDependencies(file.path, file.head);
    } catch {
      unreadable.push(file.path);
      continue;
    }
    try {
      if (file.base !== undefined) base = extractDependencies(file.path, file.base);
    } catch {
      base = new Map();
    }
    for (const [pkg, versions] of head) {
      const before = base.get(pkg);
      const fresh = [...versions].filter((v) => !before?.has(v));
      if (fresh.length === 0) continue;
      changes.push({
        package: pkg,
        kind: before ? 'upgraded' : 'added',
        file: file.path,
        versions: fresh.sort(),
      });
    }
  }
  return { changes, unreadable };
}
