/**
 * pnpm-lock.yaml (lockfileVersion 5.x, 6.x and 9.x) into the model. One component per locked
 * package (peer-dependency variants of a package are one component, as they are one tarball),
 * every importer of a workspace as a workspace component hung off the root, `npm:` aliases named
 * by the real package, integrity as hashes, tarball / git / directory resolutions as purl
 * qualifiers or properties, and scopes from the graph: reachable by required edges from an
 * importer's `dependencies` → required, only through `optionalDependencies` → optional, only
 * through `devDependencies` → dev.
 */
import { VouchError } from '../../../errors.ts';
import { parseYamlSafe, type ParsedYaml } from '../../safe-parse.ts';
import { addEdge, propagateScopes, toDependencies, type ScopedEdges } from '../graph.ts';
import { hashesFromIntegrity } from '../integrity.ts';
import type { ComponentScope, SbomComponent } from '../model.ts';
import {
  buildPurl,
  invalid,
  isObject,
  makeComponent,
  RefAllocator,
  splitNpmName,
  str,
  type Json,
  type LockfileResult,
  type ManifestInput,
} from './common.ts';
import {
  manifestDeps,
  manifestSpec,
  nameFromTarballUrl,
  rootComponent,
  sourceOf,
  splitAtVersion,
  throwOutOfSync,
  workspaceComponent,
  type ManifestDepField,
  type WorkspaceManifests,
} from './js-common.ts';

/** Largest lockfile text read and YAML nodes allowed; pnpm never writes anchors or aliases. */
const LIMITS = { maxBytes: 256 * 1024 * 1024, maxNodes: 20_000_000, maxDepth: 16, maxAliases: 0 };

export interface PnpmLockfile {
  readonly value: Json;
  readonly source: string;
  /** 5, 6 or 9. */
  readonly major: number;
  /** As written (`5.4`, `6.0`, `9.0`). */
  readonly version: string;
  readonly yaml: ParsedYaml;
}

/** Parses and version-checks pnpm-lock.yaml text (no aliases, no unsafe keys; errors with line:column). */
export function parsePnpmLockfile(text: string, source: string): PnpmLockfile {
  const yaml = parseYamlSafe(text, source, LIMITS);
  const value = yaml.value;
  if (!isObject(value)) throw invalid(source, 'the lockfile is not a YAML mapping');
  const raw = value['lockfileVersion'];
  const version = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw : '';
  const major = Number.parseInt(version, 10);
  if (major !== 5 && major !== 6 && major !== 9) {
    throw new VouchError(
      'SBOM_LOCKFILE_UNSUPPORTED',
      `${source} has lockfileVersion ${JSON.stringify(raw)}; vouch reads pnpm lockfile versions 5.x, 6.x and 9.x`,
    );
  }
  return { value, source, major, version, yaml };
}

interface ImporterDep {
  readonly name: string;
  readonly field: ManifestDepField;
  readonly ref: string;
  readonly specifier?: string;
}

const IMPORTER_FIELDS = ['dependencies', 'optionalDependencies', 'devDependencies'] as const;

function at(lock: PnpmLockfile, path: (string | number)[]): string {
  const p = lock.yaml.locate(path);
  return p ? `${lock.source}:${p.line}:${p.column}` : lock.source;
}

function importerDeps(
  lock: PnpmLockfile,
  importer: Json,
  path: (string | number)[],
): ImporterDep[] {
  const out: ImporterDep[] = [];
  const specifiers = isObject(importer['specifiers']) ? importer['specifiers'] : {};
  for (const field of IMPORTER_FIELDS) {
    const deps = importer[field];
    if (deps === undefined) continue;
    if (!isObject(deps))
      throw new VouchError(
        'SBOM_LOCKFILE_INVALID',
        `${at(lock, [...path, field])}: "${field}" must be a mapping`,
      );
    for (const [name, v] of Object.entries(deps)) {
      // 5.x: `name: ref` with `specifiers` beside; 6.x / 9.x: `name: {specifier, version}`.
      const ref = typeof v === 'string' ? v : isObject(v) ? str(v['version']) : undefined;
      if (!ref)
        throw new VouchError(
          'SBOM_LOCKFILE_INVALID',
          `${at(lock, [...path, field, name])}: dependency "${name}" has no version`,
        );
      const specifier = isObject(v) ? str(v['specifier']) : str(specifiers[name]);
      out.push({ name, field, ref, ...(specifier !== undefined ? { specifier } : {}) });
    }
  }
  return out;
}

/** Importer path → its dependencies. A single-project lockfile has only `.`. */
function importersOf(lock: PnpmLockfile): Map<string, ImporterDep[]> {
  const out = new Map<string, ImporterDep[]>();
  const importers = lock.value['importers'];
  if (importers === undefined) {
    out.set('.', importerDeps(lock, lock.value, []));
    return out;
  }
  if (!isObject(importers)) throw invalid(lock.source, '"importers" must be a mapping');
  for (const [path, importer] of Object.entries(importers)) {
    if (!isObject(importer))
      throw new VouchError(
        'SBOM_LOCKFILE_INVALID',
        `${at(lock, ['importers', path])}: importer is not a mapping`,
      );
    out.set(path, importerDeps(lock, importer, ['importers', path]));
  }
  if (!out.has('.')) out.set('.', []);
  return out;
}

/** The workspace members a lockfile names (importer paths other than `.`). */
export function pnpmWorkspacePaths(lock: PnpmLockfile): string[] {
  const importers = lock.value['importers'];
  return isObject(importers)
    ? Object.keys(importers)
        .filter((p) => p !== '.')
        .sort()
    : [];
}

/** A package key without its peer-dependency suffix (`(react@18.3.1)` or `_react@18.3.1`). */
function baseKey(key: string, major: number): string {
  const paren = key.indexOf('(');
  if (paren > 0) return key.slice(0, paren);
  if (major === 5 && key.startsWith('/')) {
    const parts = key.slice(1).split('/');
    const nameParts = parts[0]?.startsWith('@') ? 2 : 1;
    const version = parts.slice(nameParts).join('/');
    const underscore = version.indexOf('_');
    if (underscore > 0)
      return `/${parts.slice(0, nameParts).join('/')}/${version.slice(0, underscore)}`;
  }
  return key;
}

/** Name and version from a package key (`/a/1.0.0`, `/a@1.0.0`, `a@1.0.0`), when the key has them. */
function nameVersionOfKey(base: string, major: number): { name?: string; version?: string } {
  if (major === 5) {
    if (!base.startsWith('/')) return {};
    const parts = base.slice(1).split('/');
    const nameParts = parts[0]?.startsWith('@') ? 2 : 1;
    return {
      name: parts.slice(0, nameParts).join('/'),
      version: parts.slice(nameParts).join('/'),
    };
  }
  const body = major === 6 ? (base.startsWith('/') ? base.slice(1) : undefined) : base;
  if (body === undefined) return {};
  const split = splitAtVersion(body);
  if (!split) return {};
  const plain = !/[:/]/.test(split.rest);
  return { name: split.name, ...(plain ? { version: split.rest } : {}) };
}

/** Posix `join(base, rel)` without leaving a leading `./`. */
function joinPath(base: string, rel: string): string {
  const parts = base === '.' || base === '' ? [] : base.split('/');
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(seg);
  }
  return parts.length === 0 ? '.' : parts.join('/');
}

interface Draft {
  readonly ref: string;
  readonly fields: Omit<Parameters<typeof makeComponent>[0], 'scope' | 'ref'>;
  /** 5.x / 6.x entry flags, used for packages no importer reaches. */
  readonly flag?: ComponentScope;
}

function checkImporterInSync(
  source: string,
  deps: readonly ImporterDep[],
  manifest: ManifestInput,
): void {
  const want = manifestDeps(manifest);
  const have = new Map(deps.map((d) => [d.name, d]));
  const problems: string[] = [];
  for (const [name, field] of want) {
    const dep = have.get(name);
    const spec = manifestSpec(manifest, field, name);
    if (!dep) problems.push(`${field}.${name} is in package.json but not in the lockfile`);
    else if (dep.specifier !== undefined && spec !== undefined && dep.specifier !== spec)
      problems.push(
        `${field}.${name} is "${spec}" in package.json but "${dep.specifier}" in the lockfile`,
      );
  }
  for (const dep of deps) {
    if (!want.has(dep.name))
      problems.push(`${dep.field}.${dep.name} is in the lockfile but not in package.json`);
  }
  throwOutOfSync(source, manifest.source, problems);
}

/**
 * Reads pnpm-lock.yaml (text or already parsed). `manifest` is the package.json beside it;
 * `workspaces` the package.json of each workspace member by importer path, when read.
 */
export function readPnpmLockfile(
  input: string | PnpmLockfile,
  source: string,
  manifest?: ManifestInput,
  workspaces: WorkspaceManifests = new Map(),
): LockfileResult {
  const lock = typeof input === 'string' ? parsePnpmLockfile(input, source) : input;
  const { major } = lock;
  const importers = importersOf(lock);
  if (manifest) checkImporterInSync(source, importers.get('.') ?? [], manifest);
  for (const [path, ws] of workspaces) {
    const deps = importers.get(path);
    if (deps) checkImporterInSync(source, deps, ws);
  }

  const packages = lock.value['packages'] ?? {};
  if (!isObject(packages)) throw invalid(source, '"packages" must be a mapping');
  const snapshots = major === 9 ? (lock.value['snapshots'] ?? {}) : packages;
  if (!isObject(snapshots)) throw invalid(source, '"snapshots" must be a mapping');

  const warnings: string[] = [];
  const refs = new RefAllocator();
  const root = rootComponent(refs, manifest, 'project');

  // Workspace members.
  const workspaceRefs = new Map<string, SbomComponent>();
  for (const path of [...importers.keys()].sort()) {
    if (path === '.') continue;
    workspaceRefs.set(path, workspaceComponent(refs, path, workspaces.get(path)));
  }

  // Locked packages: one draft per key without peers, in key order for stable refs.
  const drafts = new Map<string, Draft>();
  const keyToBase = new Map<string, string>();
  for (const key of Object.keys(packages).sort()) {
    const entry = packages[key];
    if (!isObject(entry))
      throw new VouchError(
        'SBOM_LOCKFILE_INVALID',
        `${at(lock, ['packages', key])}: package entry is not a mapping`,
      );
    const base = baseKey(key, major);
    keyToBase.set(key, base);
    if (drafts.has(base)) continue;
    const resolution = isObject(entry['resolution']) ? entry['resolution'] : {};
    const fromKey = nameVersionOfKey(base, major);
    const tarball = str(resolution['tarball']);
    const fromUrl = tarball ? nameFromTarballUrl(tarball) : undefined;
    const full = str(entry['name']) ?? fromKey.name ?? fromUrl?.name;
    if (!full)
      throw new VouchError(
        'SBOM_LOCKFILE_INVALID',
        `${at(lock, ['packages', key])}: cannot tell the package name of "${key}"`,
      );
    const version = str(entry['version']) ?? fromKey.version ?? fromUrl?.version;
    const git =
      resolution['type'] === 'git' && str(resolution['repo'])
        ? {
            repo: str(resolution['repo'])!,
            ...(str(resolution['commit']) ? { commit: str(resolution['commit'])! } : {}),
          }
        : undefined;
    const directory = resolution['type'] === 'directory' ? str(resolution['directory']) : undefined;
    const src = sourceOf(tarball ?? (directory ? `file:${directory}` : undefined), git);
    const properties: Record<string, string> = { 'vouch:pnpm:key': base };
    if (src.local) properties['vouch:npm:resolved'] = src.local;
    const { group, name } = splitNpmName(full);
    const flag: ComponentScope | undefined =
      entry['dev'] === true
        ? 'dev'
        : entry['optional'] === true
          ? 'optional'
          : entry['dev'] === false
            ? 'required'
            : undefined;
    drafts.set(base, {
      ref: refs.take(version ? `${full}@${version}` : full, base),
      fields: {
        name,
        group,
        version,
        purl: buildPurl('npm', group, name, version, src.qualifiers),
        ecosystem: 'npm',
        hashes: hashesFromIntegrity(resolution['integrity'], {
          // Located only when reported: a lookup per package would be quadratic.
          get source() {
            return at(lock, ['packages', key, 'resolution', 'integrity']);
          },
          entry: `package "${key}"`,
        }),
        externalReferences: src.references,
        properties,
      },
      ...(flag ? { flag } : {}),
    });
  }
  // 9.x keeps the graph in `snapshots`; a snapshot names a package (with peers).
  if (major === 9) {
    for (const key of Object.keys(snapshots)) {
      const base = baseKey(key, major);
      if (!drafts.has(base))
        throw new VouchError(
          'SBOM_LOCKFILE_INVALID',
          `${at(lock, ['snapshots', key])}: snapshot "${key}" names no entry of "packages"`,
        );
      keyToBase.set(key, base);
    }
  }

  const edges: ScopedEdges = new Map();
  const linkDrafts = new Map<string, Draft>();
  const refOfDep = (from: string, name: string, ref: string): string | undefined => {
    if (ref.startsWith('link:')) {
      const target = joinPath(from, ref.slice('link:'.length));
      const ws = target === '.' ? root : workspaceRefs.get(target);
      if (ws) return ws.ref;
      let draft = linkDrafts.get(target);
      if (!draft) {
        const { group, name: n } = splitNpmName(name);
        draft = {
          ref: refs.take(name, `link:${target}`),
          fields: {
            name: n,
            group,
            purl: buildPurl('npm', group, n, undefined),
            ecosystem: 'npm',
            properties: { 'vouch:npm:resolved': target, 'vouch:pnpm:link': 'true' },
          },
        };
        linkDrafts.set(target, draft);
      }
      return draft.ref;
    }
    const candidates =
      major === 9
        ? [`${name}@${ref}`, ref]
        : major === 6
          ? [`/${name}@${ref}`, ref]
          : [`/${name}/${ref}`, ref];
    for (const c of candidates) {
      const base = keyToBase.get(c);
      if (base) return drafts.get(base)!.ref;
    }
    return undefined;
  };

  const KIND: Record<ManifestDepField, ComponentScope> = {
    dependencies: 'required',
    optionalDependencies: 'optional',
    devDependencies: 'dev',
  };
  for (const [path, deps] of importers) {
    const from = path === '.' ? root.ref : workspaceRefs.get(path)!.ref;
    if (path !== '.') addEdge(edges, root.ref, from, 'required');
    for (const dep of deps) {
      const to = refOfDep(path, dep.name, dep.ref);
      if (to) addEdge(edges, from, to, KIND[dep.field]);
      else
        warnings.push(
          `${path === '.' ? 'the root' : path} depends on ${dep.name} ${dep.ref}, which the lockfile does not list`,
        );
    }
  }
  for (const [key, entry] of Object.entries(snapshots)) {
    if (!isObject(entry))
      throw new VouchError(
        'SBOM_LOCKFILE_INVALID',
        `${at(lock, [major === 9 ? 'snapshots' : 'packages', key])}: entry is not a mapping`,
      );
    const from = drafts.get(keyToBase.get(key)!)!.ref;
    for (const field of ['dependencies', 'optionalDependencies'] as const) {
      const deps = entry[field];
      if (deps === undefined) continue;
      if (!isObject(deps)) throw invalid(source, `"${key}".${field} must be a mapping`);
      for (const [name, ref] of Object.entries(deps)) {
        if (typeof ref !== 'string')
          throw invalid(source, `"${key}".${field}.${name} must be a string`);
        const to = ref.startsWith('link:') ? undefined : refOfDep('.', name, ref);
        if (to) addEdge(edges, from, to, field === 'dependencies' ? 'required' : 'optional');
        else warnings.push(`${key} depends on ${name} ${ref}, which the lockfile does not list`);
      }
    }
  }

  const scopes = propagateScopes([root.ref], edges);
  const components: SbomComponent[] = [...workspaceRefs.values()].map((ws) => ({
    ...ws,
    scope: scopes.get(ws.ref) ?? 'required',
  }));
  for (const draft of [...drafts.values(), ...linkDrafts.values()]) {
    let scope = scopes.get(draft.ref);
    if (!scope) {
      scope = draft.flag ?? 'required';
      warnings.push(`${draft.ref} is locked but no importer depends on it`);
    }
    components.push(makeComponent({ ...draft.fields, ref: draft.ref, scope }));
  }
  return {
    kind: 'pnpm',
    lockfileVersion: lock.version,
    root,
    components,
    dependencies: toDependencies(edges),
    warnings,
  };
}
