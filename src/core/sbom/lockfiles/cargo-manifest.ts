/**
 * What Cargo.toml files say that Cargo.lock does not: each workspace member's license
 * (`license`, or `license.workspace = true` from `[workspace.package]`), where path crates live
 * (for their purl), and which of a member's dependencies are `[dev-dependencies]` or
 * `[build-dependencies]` (Cargo.lock merges all three kinds in one `dependencies` list).
 */
import { posix } from 'node:path';
import { normalizeLicense } from '../license.ts';
import { isObject, str, type Json } from './common.ts';

/** A Cargo.toml of the workspace, parsed; `dir` is relative to the lockfile's directory. */
export interface CargoManifestInput {
  /** POSIX path relative to the lockfile's directory: `.` for the root, `crates/foo`. */
  readonly dir: string;
  /** The parsed Cargo.toml; absent when the workspace names the member but its file is missing. */
  readonly value?: Json;
  readonly source: string;
}

export type CargoDependencyKind = 'normal' | 'build' | 'dev';

export interface CargoCrateManifest {
  readonly name: string;
  readonly dir: string;
  readonly source: string;
  readonly license?: string;
  /** Real crate name (after `package = "…"` renames) → the kinds it is declared with. */
  readonly kinds: ReadonlyMap<string, ReadonlySet<CargoDependencyKind>>;
}

export interface CargoWorkspaceInfo {
  /** Workspace members (and the root package) with a readable Cargo.toml, by crate name. */
  readonly members: ReadonlyMap<string, CargoCrateManifest>;
  /** Where a path crate lives (members, and `path` dependencies of members), by crate name. */
  readonly dirs: ReadonlyMap<string, string>;
}

/** `[workspace] members` / `exclude` of a root Cargo.toml. */
export function cargoWorkspaceGlobs(root: Json | undefined): {
  members: string[];
  exclude: string[];
} {
  const ws = root && isObject(root['workspace']) ? root['workspace'] : undefined;
  const list = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  return { members: list(ws?.['members']), exclude: list(ws?.['exclude']) };
}

const KIND_TABLES: readonly [string, CargoDependencyKind][] = [
  ['dependencies', 'normal'],
  ['build-dependencies', 'build'],
  ['build_dependencies', 'build'],
  ['dev-dependencies', 'dev'],
  ['dev_dependencies', 'dev'],
];

interface DeclaredDependency {
  readonly name: string;
  readonly kind: CargoDependencyKind;
  /** POSIX path relative to the lockfile's directory, for `path` dependencies. */
  readonly dir?: string;
}

/** Every dependency a manifest declares, in every kind and `[target.*]` table. */
function declaredDependencies(
  manifest: Json,
  dir: string,
  workspaceDeps: Json,
): DeclaredDependency[] {
  const out: DeclaredDependency[] = [];
  const tables: Json[] = [manifest];
  const target = manifest['target'];
  if (isObject(target)) for (const t of Object.values(target)) if (isObject(t)) tables.push(t);
  for (const table of tables) {
    for (const [key, kind] of KIND_TABLES) {
      const deps = table[key];
      if (!isObject(deps)) continue;
      for (const [alias, spec] of Object.entries(deps)) {
        let name = alias;
        let path: string | undefined;
        let base = dir;
        if (isObject(spec)) {
          if (spec['workspace'] === true) {
            const inherited = workspaceDeps[alias];
            if (isObject(inherited)) {
              name = str(inherited['package']) ?? alias;
              path = str(inherited['path']);
              base = '.';
            }
          }
          name = str(spec['package']) ?? name;
          path = str(spec['path']) ?? path;
          if (str(spec['path'])) base = dir;
        }
        out.push({ name, kind, ...(path ? { dir: posix.normalize(posix.join(base, path)) } : {}) });
      }
    }
  }
  return out;
}

/** Directories (relative to the lockfile's) of a manifest's `path` dependencies. */
export function cargoPathDependencyDirs(
  manifest: Json,
  dir: string,
  root: Json | undefined,
): string[] {
  const ws = root && isObject(root['workspace']) ? root['workspace'] : {};
  const wsDeps = isObject(ws['dependencies']) ? ws['dependencies'] : {};
  return [
    ...new Set(
      declaredDependencies(manifest, dir, wsDeps)
        .map((d) => d.dir)
        .filter((d): d is string => d !== undefined),
    ),
  ];
}

/** `license`, or the workspace's when `license.workspace = true`. */
function licenseOf(pkg: Json, wsPackage: Json): string | undefined {
  const l = pkg['license'];
  if (isObject(l) && l['workspace'] === true) return normalizeLicense(wsPackage['license']);
  return normalizeLicense(l);
}

/** Reads the members' manifests: names, licenses, dependency kinds and path-crate locations. */
export function readCargoWorkspace(
  root: Json | undefined,
  manifests: readonly CargoManifestInput[],
): CargoWorkspaceInfo {
  const ws = root && isObject(root['workspace']) ? root['workspace'] : {};
  const wsPackage = isObject(ws['package']) ? ws['package'] : {};
  const wsDeps = isObject(ws['dependencies']) ? ws['dependencies'] : {};
  const members = new Map<string, CargoCrateManifest>();
  const dirs = new Map<string, string>();
  for (const m of manifests) {
    const pkg = m.value && isObject(m.value['package']) ? m.value['package'] : undefined;
    const name = pkg ? str(pkg['name']) : undefined;
    if (!m.value || !pkg || !name) continue;
    const kinds = new Map<string, Set<CargoDependencyKind>>();
    for (const d of declaredDependencies(m.value, m.dir, wsDeps)) {
      const set = kinds.get(d.name) ?? new Set<CargoDependencyKind>();
      set.add(d.kind);
      kinds.set(d.name, set);
      if (d.dir && !dirs.has(d.name)) dirs.set(d.name, d.dir);
    }
    const license = licenseOf(pkg, wsPackage);
    members.set(name, {
      name,
      dir: m.dir,
      source: m.source,
      ...(license ? { license } : {}),
      kinds,
    });
    dirs.set(name, m.dir);
  }
  return { members, dirs };
}

/** `download_url` of a path crate, as cargo-cyclonedx writes it: `file://<dir relative to the root>`. */
export function pathCrateUrl(dir: string): string {
  return `file://${dir === '' ? '.' : dir}`;
}
