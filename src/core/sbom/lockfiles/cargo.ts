/**
 * Cargo.lock (v2, v3, v4) with its Cargo.toml into the model. crates.io packages carry their
 * sha256 `checksum`; git sources get a `vcs_url` purl qualifier (`git+URL@commit`), other
 * registries a `repository_url`, and path / workspace packages are marked as such.
 */
import { parse as parseToml } from 'smol-toml';
import { VouchError } from '../../../errors.ts';
import { isUnsafeKey } from '../../safe-parse.ts';
import { hashFromHex } from '../integrity.ts';
import { normalizeLicense } from '../license.ts';
import type { ExternalReference, SbomComponent } from '../model.ts';
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
}

/** Reads Cargo.lock text with the workspace's Cargo.toml (when given). */
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

  // Out of sync: the root package must be in the lockfile.
  const rootName = pkgTable ? str(pkgTable['name']) : undefined;
  if (
    manifests.root &&
    rootName &&
    packages.length > 0 &&
    !packages.some((p) => p.name === rootName && !p.source)
  ) {
    throw new VouchError(
      'SBOM_LOCKFILE_OUT_OF_SYNC',
      `${source} does not list the package "${rootName}" that ${manifests.root.source} declares`,
    );
  }

  const refs = new RefAllocator();
  const byKey = new Map<string, SbomComponent>();
  const byName = new Map<string, CargoPackage[]>();
  for (const p of packages) {
    const list = byName.get(p.name) ?? [];
    list.push(p);
    byName.set(p.name, list);
  }
  const keyOf = (p: CargoPackage): string => `${p.name} ${p.version} ${p.source ?? ''}`;
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
    if (!src) {
      properties['cargo:source'] = 'path';
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
    const isRoot = !src && rootName === p.name && !rootComponent;
    const c = makeComponent({
      ref: refs.take(`${p.name}@${p.version}`, src ?? 'path'),
      type: isRoot ? 'application' : 'library',
      name: p.name,
      version: p.version,
      purl: buildPurl('cargo', undefined, p.name, p.version, qualifiers),
      ecosystem: 'cargo',
      scope: 'required',
      hashes,
      license: isRoot && pkgTable ? normalizeLicense(pkgTable['license']) : undefined,
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

  const resolveDep = (spec: string): SbomComponent | undefined => {
    const m = /^(\S+)(?: (\S+))?(?: \((.+)\))?$/.exec(spec.trim());
    if (!m) return undefined;
    const [, name, ver, src] = m;
    const candidates = (byName.get(name!) ?? []).filter(
      (p) => (!ver || p.version === ver) && (!src || p.source === src),
    );
    return candidates.length > 0 ? byKey.get(keyOf(candidates[0]!)) : undefined;
  };
  const dependencies = new Map<string, string[]>();
  const warnings: string[] = [];
  for (const p of packages) {
    const from = byKey.get(keyOf(p))!;
    const out = new Set<string>();
    for (const d of p.dependencies) {
      const target = resolveDep(d);
      if (target) out.add(target.ref);
      else warnings.push(`${p.name} ${p.version} depends on "${d}", which ${source} does not list`);
    }
    if (out.size > 0) dependencies.set(from.ref, [...out].sort());
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
