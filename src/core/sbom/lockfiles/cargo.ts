/**
 * Cargo.lock (v2, v3, v4) with its Cargo.toml files into the model. crates.io packages carry
 * their sha256 `checksum`; git sources get a `vcs_url` purl qualifier (`git+URL@commit`), other
 * registries a `repository_url`, path / workspace packages a `download_url` of their directory
 * (`file://crates/foo`, as cargo-cyclonedx) so no purl equals a crates.io crate's. Members'
 * manifests give their licenses and which crates only their dev-dependencies reach (scope dev).
 */
import { posix } from 'node:path';
import semver from 'semver';
import { parse as parseToml } from 'smol-toml';
import { VouchError } from '../../../errors.ts';
import { isUnsafeKey } from '../../safe-parse.ts';
import { hashFromHex } from '../integrity.ts';
import { normalizeLicense } from '../license.ts';
import type { ExternalReference, SbomComponent } from '../model.ts';
import {
  cargoWorkspaceGlobs,
  pathCrateUrl,
  readCargoWorkspace,
  type CargoDependencyKind,
  type CargoManifestInput,
  type CargoWorkspaceInfo,
} from './cargo-manifest.ts';
import {
  buildPurl,
  invalid,
  isObject,
  makeComponent,
  RefAllocator,
  str,
  type Json,
  type LockfileResult,
} from './common.ts';

const CRATES_IO = new Set([
  'registry+https://github.com/rust-lang/crates.io-index',
  'sparse+https://index.crates.io/',
]);

function checkKeys(value: unknown, source: string, depth = 0): void {
  if (depth > 64)
    throw new VouchError('SBOM_TOML_INVALID', `${source}: nesting deeper than 64 levels`);
  if (Array.isArray(value)) {
    for (const v of value) checkKeys(v, source, depth + 1);
    return;
  }
  if (!isObject(value)) return;
  for (const key of Object.keys(value)) {
    if (isUnsafeKey(key)) {
      throw new VouchError('UNSAFE_KEY', `${source}: key "${key}" is not allowed`);
    }
    checkKeys(value[key], source, depth + 1);
  }
}

/** TOML with unsafe keys refused; errors carry file, line and column. */
export function parseTomlSafe(text: string, source: string): Json {
  let value: Json;
  try {
    value = parseToml(text) as Json;
  } catch (error) {
    const e = error as { line?: number; column?: number; message: string };
    const where = e.line ? `:${e.line}:${e.column ?? 0}` : '';
    throw new VouchError('SBOM_TOML_INVALID', `${source}${where}: ${e.message.split('\n')[0]}`, {
      cause: error,
    });
  }
  checkKeys(value, source);
  return value;
}

interface CargoPackage {
  readonly name: string;
  readonly version: string;
  readonly source?: string;
  readonly checksum?: string;
  readonly dependencies: string[];
}

function readPackages(lock: Json, source: string): CargoPackage[] {
  const list = lock['package'];
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw invalid(source, '"package" must be an array of tables');
  return list.map((p, i) => {
    if (!isObject(p)) throw invalid(source, `package #${i + 1} is not a table`);
    const name = str(p['name']);
    const version = str(p['version']);
    if (!name || !version) throw invalid(source, `package #${i + 1} lacks "name" or "version"`);
    const deps = p['dependencies'];
    if (deps !== undefined && (!Array.isArray(deps) || deps.some((d) => typeof d !== 'string')))
      throw invalid(source, `package ${name} ${version}: "dependencies" must be a list of strings`);
    return {
      name,
      version,
      ...(str(p['source']) ? { source: str(p['source'])! } : {}),
      ...(str(p['checksum']) ? { checksum: str(p['checksum'])! } : {}),
      dependencies: (deps as string[] | undefined) ?? [],
    };
  });
}

/** `git+https://host/repo?rev=x#commit` → `git+https://host/repo@commit`, the purl vcs_url form. */
function gitVcsUrl(source: string): { url: string; commit?: string } {
  const body = source.slice('git+'.length);
  const hash = body.indexOf('#');
  const commit = hash >= 0 ? body.slice(hash + 1) : undefined;
  const base = (hash >= 0 ? body.slice(0, hash) : body).replace(/\?.*$/, '');
  return { url: `git+${base}${commit ? `@${commit}` : ''}`, ...(commit ? { commit } : {}) };
}

export interface CargoManifests {
  /** The Cargo.toml beside the lockfile, parsed. */
  readonly root?: { readonly value: Json; readonly source: string };
  /** Name for a virtual workspace's root component (the directory name). */
  readonly directoryName?: string;
  /**
   * The workspace members' Cargo.toml files (from `[workspace] members` / `exclude`, and path
   * dependencies inside the workspace); the root package's is taken from `root`.
   */
  readonly members?: readonly CargoManifestInput[];
}

/** Reads Cargo.lock text with the workspace's Cargo.toml files (when given). */
export function readCargoLockfile(
  text: string,
  source: string,
  manifests: CargoManifests = {},
): LockfileResult {
  const lock = parseTomlSafe(text, source);
  const version = lock['version'];
  if (version === undefined && isObject(lock['metadata'])) {
    throw new VouchError(
      'SBOM_LOCKFILE_UNSUPPORTED',
      `${source} is a version 1 Cargo.lock; vouch reads versions 2, 3 and 4 (run \`cargo update -w\` with a current Cargo)`,
    );
  }
  if (version !== undefined && version !== 3 && version !== 4 && version !== 2) {
    throw new VouchError(
      'SBOM_LOCKFILE_UNSUPPORTED',
      `${source} has version ${JSON.stringify(version)}; vouch reads Cargo.lock versions 2, 3 and 4`,
    );
  }
  const packages = readPackages(lock, source);
  const manifest = manifests.root?.value ?? {};
  const pkgTable = isObject(manifest['package']) ? manifest['package'] : undefined;
  const workspace = isObject(manifest['workspace']) ? manifest['workspace'] : undefined;
  const wsPackage = workspace && isObject(workspace['package']) ? workspace['package'] : {};

  const memberInputs: CargoManifestInput[] = [...(manifests.members ?? [])];
  if (manifests.root && pkgTable && !memberInputs.some((m) => m.dir === '.'))
    memberInputs.unshift({ dir: '.', value: manifests.root.value, source: manifests.root.source });
  const info = readCargoWorkspace(manifests.root?.value, memberInputs);

  // Out of sync: the root package and every member must be path packages of the lockfile.
  const rootName = pkgTable ? str(pkgTable['name']) : undefined;
  if (packages.length > 0) {
    for (const m of info.members.values()) {
      if (!packages.some((p) => p.name === m.name && !p.source)) {
        throw new VouchError(
          'SBOM_LOCKFILE_OUT_OF_SYNC',
          `${source} does not list the package "${m.name}" that ${m.source} declares`,
        );
      }
    }
  }

  const byName = new Map<string, CargoPackage[]>();
  for (const p of packages) {
    const list = byName.get(p.name) ?? [];
    list.push(p);
    byName.set(p.name, list);
  }
  if (packages.length > 0) checkRequirements(memberInputs, manifests.root?.value, byName, source);
  const keyOf = (p: CargoPackage): string => `${p.name} ${p.version} ${p.source ?? ''}`;
  const resolveDep = (spec: string): CargoPackage | undefined => {
    const m = /^(\S+)(?: (\S+))?(?: \((.+)\))?$/.exec(spec.trim());
    if (!m) return undefined;
    const [, name, ver, src] = m;
    return (byName.get(name!) ?? []).find(
      (p) => (!ver || p.version === ver) && (!src || p.source === src),
    );
  };
  const warnings: string[] = [];
  const edges = new Map<string, CargoPackage[]>();
  for (const p of packages) {
    const out: CargoPackage[] = [];
    for (const d of p.dependencies) {
      const target = resolveDep(d);
      if (target) out.push(target);
      else warnings.push(`${p.name} ${p.version} depends on "${d}", which ${source} does not list`);
    }
    edges.set(keyOf(p), out);
  }
  const kinds = classifyCargo(packages, edges, keyOf, info);

  // Path crates whose Cargo.toml is missing: located by a member directory of the same name.
  const dirOf = (name: string): string | undefined =>
    info.dirs.get(name) ??
    memberInputs.find((m) => !m.value && posix.basename(m.dir) === name)?.dir;

  const refs = new RefAllocator();
  const byKey = new Map<string, SbomComponent>();
  const components: SbomComponent[] = [];
  let rootComponent: SbomComponent | undefined;
  const members: SbomComponent[] = [];
  const sorted = [...packages].sort((a, b) =>
    keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0,
  );
  for (const p of sorted) {
    const qualifiers: Record<string, string> = {};
    const externalReferences: ExternalReference[] = [];
    const properties: Record<string, string> = {};
    let hashes = p.checksum ? hashFromHex(p.checksum, 'SHA-256') : [];
    const src = p.source;
    const isRoot = !src && rootName === p.name && !rootComponent;
    let purl = true;
    if (!src) {
      properties['cargo:source'] = 'path';
      // Not the crates.io crate of the same name: a download_url to the local directory, as
      // cargo-cyclonedx writes it; no purl when the directory is not known.
      const dir = isRoot ? '.' : dirOf(p.name);
      if (dir) {
        qualifiers['download_url'] = pathCrateUrl(dir);
        properties['cargo:path'] = dir;
      } else purl = false;
    } else if (CRATES_IO.has(src)) {
      externalReferences.push({
        type: 'distribution',
        url: `https://crates.io/api/v1/crates/${p.name}/${p.version}/download`,
      });
    } else if (src.startsWith('git+')) {
      const git = gitVcsUrl(src);
      qualifiers['vcs_url'] = git.url;
      externalReferences.push({ type: 'vcs', url: src });
      properties['cargo:source'] = src;
    } else if (src.startsWith('registry+') || src.startsWith('sparse+')) {
      qualifiers['repository_url'] = src.slice(src.indexOf('+') + 1);
      properties['cargo:source'] = src;
    } else {
      properties['cargo:source'] = src;
      hashes = hashes.length > 0 ? hashes : [];
    }
    const kind = kinds.get(keyOf(p));
    if (kind === 'build' || kind === 'dev') properties['cargo:dependency-kind'] = kind;
    const member = !src ? info.members.get(p.name) : undefined;
    const c = makeComponent({
      ref: refs.take(`${p.name}@${p.version}`, src ?? 'path'),
      type: isRoot ? 'application' : 'library',
      name: p.name,
      version: p.version,
      purl: purl ? buildPurl('cargo', undefined, p.name, p.version, qualifiers) : undefined,
      ecosystem: 'cargo',
      scope: kind === 'dev' ? 'dev' : 'required',
      hashes,
      license: member?.license,
      externalReferences,
      properties,
    });
    byKey.set(keyOf(p), c);
    if (isRoot) rootComponent = c;
    else {
      components.push(c);
      if (!src) members.push(c);
    }
  }

  // Root: the [package], else a virtual workspace named after the directory.
  const root =
    rootComponent ??
    makeComponent({
      ref: refs.take(manifests.directoryName ?? 'workspace', 'root'),
      type: 'application',
      name: manifests.directoryName ?? 'workspace',
      version: str(wsPackage['version']),
      ecosystem: 'cargo',
      scope: 'required',
      license: normalizeLicense(wsPackage['license']),
      properties: { 'cargo:virtual-workspace': 'true' },
    });

  const dependencies = new Map<string, string[]>();
  for (const p of packages) {
    const out = new Set((edges.get(keyOf(p)) ?? []).map((t) => byKey.get(keyOf(t))!.ref));
    if (out.size > 0) dependencies.set(byKey.get(keyOf(p))!.ref, [...out].sort());
  }
  // A virtual workspace depends on its members (path packages).
  if (!rootComponent) {
    const rootDeps = members.map((m) => m.ref).sort();
    if (rootDeps.length > 0) dependencies.set(root.ref, rootDeps);
  }
  return {
    kind: 'cargo',
    lockfileVersion: String(version ?? 2),
    root,
    components,
    dependencies,
    warnings,
  };
}

/** A dependency a member's Cargo.toml declares, with its version requirement (registry only). */
interface CargoRequirement {
  /** The crate's real name (after `package = "…"`). */
  readonly name: string;
  /** The key in the manifest (differs from `name` for renames). */
  readonly alias: string;
  /** `dependencies`, `target.'cfg(unix)'.dev-dependencies`, … */
  readonly table: string;
  /** Cargo's version requirement; absent for path and git dependencies (checked by name). */
  readonly req?: string;
}

const REQUIREMENT_TABLES = [
  'dependencies',
  'build-dependencies',
  'build_dependencies',
  'dev-dependencies',
  'dev_dependencies',
] as const;

function requirementOf(
  alias: string,
  spec: unknown,
  table: string,
  workspaceDeps: Json,
): CargoRequirement | undefined {
  if (typeof spec === 'string') return { name: alias, alias, table, req: spec };
  if (!isObject(spec)) return undefined;
  // `workspace = true` takes everything but `features` / `optional` from [workspace.dependencies].
  const inherited: unknown = spec['workspace'] === true ? workspaceDeps[alias] : undefined;
  const base: Json =
    typeof inherited === 'string' ? { version: inherited } : isObject(inherited) ? inherited : spec;
  const name = str(spec['package']) ?? str(base['package']) ?? alias;
  const local = base['path'] !== undefined || base['git'] !== undefined;
  const req = local ? undefined : str(base['version']);
  return { name, alias, table, ...(req ? { req } : {}) };
}

/**
 * Every dependency a manifest declares in `[dependencies]`, `[build-dependencies]` and their
 * `[target.*]` forms, and in the `[dev-dependencies]` ones when `withDev` (Cargo.lock has a
 * crate's dev-dependencies only when the crate is a workspace member or the root package).
 */
function cargoRequirements(
  manifest: Json,
  workspaceDeps: Json,
  withDev: boolean,
): CargoRequirement[] {
  const tables: [string, Json][] = [['', manifest]];
  const target = manifest['target'];
  if (isObject(target))
    for (const [cfg, t] of Object.entries(target))
      if (isObject(t)) tables.push([`target.${JSON.stringify(cfg)}.`, t]);
  const out: CargoRequirement[] = [];
  for (const [prefix, table] of tables) {
    for (const key of REQUIREMENT_TABLES) {
      if (!withDev && key.startsWith('dev')) continue;
      const deps = table[key];
      if (!isObject(deps)) continue;
      for (const [alias, spec] of Object.entries(deps)) {
        const r = requirementOf(alias, spec, `${prefix}${key}`, workspaceDeps);
        if (r) out.push(r);
      }
    }
  }
  return out;
}

/**
 * A Cargo version requirement as a node-semver range: comparators separated by commas all
 * apply (a space in node-semver); a bare version is a caret requirement (`1.2` is `^1.2`) unless
 * it has a wildcard (`1.*`); `=`, `~`, `^`, `>`, `>=`, `<`, `<=` and partial versions mean the same
 * in both. Undefined when it does not parse (the requirement is then not checked).
 */
export function cargoRequirementRange(req: string): string | undefined {
  const parts = req.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) return undefined;
  const comparators = parts.map((p) => {
    if (!/^\d/.test(p)) return p;
    const wildcard = p
      .split(/[-+]/)[0]!
      .split('.')
      .some((s) => s === '*' || s === 'x' || s === 'X');
    return wildcard ? p : `^${p}`;
  });
  const range = comparators.join(' ');
  return semver.validRange(range, { loose: true }) ? range : undefined;
}

function satisfiesCargo(version: string, range: string): boolean {
  if (!semver.valid(version, { loose: true })) return true;
  return semver.satisfies(version, range, { loose: true, includePrerelease: true });
}

/**
 * Out of sync: every dependency a member declares must be a locked crate of that name, and for a
 * registry dependency one locked version of it must meet the requirement (as `cargo` would
 * refuse the lockfile with `--locked`). Path and git dependencies are checked by name.
 */
function checkRequirements(
  memberInputs: readonly CargoManifestInput[],
  root: Json | undefined,
  byName: ReadonlyMap<string, readonly CargoPackage[]>,
  source: string,
): void {
  const ws = root && isObject(root['workspace']) ? root['workspace'] : undefined;
  const wsDeps = ws && isObject(ws['dependencies']) ? ws['dependencies'] : {};
  const exclude = cargoWorkspaceGlobs(root).exclude.map((e) =>
    posix.normalize(e).replace(/\/$/, ''),
  );
  const isMember = (dir: string): boolean =>
    dir === '.' || (ws !== undefined && !exclude.some((e) => dir === e || dir.startsWith(`${e}/`)));
  for (const m of memberInputs) {
    if (!m.value || !isObject(m.value['package'])) continue;
    for (const r of cargoRequirements(m.value, wsDeps, isMember(m.dir))) {
      const locked = byName.get(r.name) ?? [];
      const declared = `${r.alias}${r.req ? ` = "${r.req}"` : ''} in [${r.table}]`;
      const renamed = r.name !== r.alias ? ` (package "${r.name}")` : '';
      if (locked.length === 0) {
        throw new VouchError(
          'SBOM_LOCKFILE_OUT_OF_SYNC',
          `${m.source} declares ${declared}${renamed}, but ${source} does not list "${r.name}"`,
        );
      }
      const range = r.req ? cargoRequirementRange(r.req) : undefined;
      if (range && !locked.some((p) => satisfiesCargo(p.version, range))) {
        const versions = locked.map((p) => p.version).join(', ');
        throw new VouchError(
          'SBOM_LOCKFILE_OUT_OF_SYNC',
          `${m.source} declares ${declared}${renamed}, but ${source} locks ${r.name} ${versions}`,
        );
      }
    }
  }
}

/**
 * Which crates the workspace needs only for its tests and benches, or only to build: from each
 * member's manifest, the kind of each of its lockfile edges (a crate declared under
 * `[dependencies]` and `[dev-dependencies]` is a normal one); then what is reachable from the
 * members through normal edges is normal, what else is reachable through build edges is `build`,
 * what else through dev edges is `dev`. Edges of crates outside the workspace are all followed
 * (Cargo.lock lists no dev-dependencies for them). Path crates are members (never dev).
 * Without any member manifest, nothing is classified.
 */
function classifyCargo(
  packages: readonly CargoPackage[],
  edges: ReadonlyMap<string, readonly CargoPackage[]>,
  keyOf: (p: CargoPackage) => string,
  info: CargoWorkspaceInfo,
): Map<string, CargoDependencyKind> {
  const out = new Map<string, CargoDependencyKind>();
  if (info.members.size === 0) return out;
  const isMember = (p: CargoPackage): boolean => !p.source;
  const edgeKind = (from: CargoPackage, to: CargoPackage): CargoDependencyKind => {
    const declared = info.members.get(from.name)?.kinds.get(to.name);
    if (!declared || declared.has('normal')) return 'normal';
    return declared.has('build') ? 'build' : 'dev';
  };
  const walk = (starts: readonly CargoPackage[], kind: CargoDependencyKind): void => {
    const stack = starts.filter((p) => !out.has(keyOf(p)));
    for (const p of stack) out.set(keyOf(p), kind);
    while (stack.length > 0) {
      const p = stack.pop()!;
      for (const t of edges.get(keyOf(p)) ?? []) {
        if (out.has(keyOf(t))) continue;
        if (isMember(p) && edgeKind(p, t) !== 'normal') continue;
        out.set(keyOf(t), kind);
        stack.push(t);
      }
    }
  };
  const memberPkgs = packages.filter(isMember);
  walk(memberPkgs, 'normal');
  for (const kind of ['build', 'dev'] as const) {
    const starts = memberPkgs.flatMap((m) =>
      (edges.get(keyOf(m)) ?? []).filter((t) => edgeKind(m, t) === kind),
    );
    walk(starts, kind);
  }
  for (const [k, v] of out) if (v === 'normal') out.delete(k);
  return out;
}
