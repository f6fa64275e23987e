/**
 * package-lock.json (v1, v2, v3) and npm-shrinkwrap.json into the model, the way cyclonedx-npm
 * reads them: one component per installed location (nested duplicates kept), workspace links
 * followed to their targets, `npm:` aliases named by the real package, git dependencies with a
 * `vcs_url` purl qualifier, and npm's dev / optional flags as scopes.
 */
import { VouchError } from '../../../errors.ts';
import { hashesFromIntegrity } from '../integrity.ts';
import { normalizeLicense } from '../license.ts';
import type { ComponentScope, ExternalReference, SbomComponent } from '../model.ts';
import {
  buildPurl,
  invalid,
  isObject,
  makeComponent,
  manifestReferences,
  RefAllocator,
  splitNpmName,
  str,
  type Json,
  type LockfileResult,
  type ManifestInput,
} from './common.ts';

const DEP_FIELDS = [
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
] as const;

const DEFAULT_REGISTRIES = ['https://registry.npmjs.org/', 'https://registry.yarnpkg.com/'];

/** The package name installed at a lockfile path (`node_modules/@a/b/node_modules/c` → `c`). */
export function nameFromPath(path: string): string {
  const i = path.lastIndexOf('node_modules/');
  return i >= 0 ? path.slice(i + 'node_modules/'.length) : path.slice(path.lastIndexOf('/') + 1);
}

function isGit(resolved: string): boolean {
  return /^(git\+|git:\/\/|github:|gitlab:|bitbucket:)/.test(resolved);
}

/** v1 `dependencies` tree → v2-style `packages` map. */
function packagesFromV1(lock: Json, source: string): Record<string, Json> {
  const out: Record<string, Json> = {};
  const walk = (deps: unknown, prefix: string, depth: number): void => {
    if (deps === undefined) return;
    if (!isObject(deps)) throw invalid(source, '"dependencies" must be an object');
    if (depth > 200) throw invalid(source, 'dependencies nest deeper than 200 levels');
    for (const [name, raw] of Object.entries(deps)) {
      if (!isObject(raw)) throw invalid(source, `dependency "${name}" is not an object`);
      const path = `${prefix}node_modules/${name}`;
      if (raw['version'] !== undefined && typeof raw['version'] !== 'string')
        throw invalid(source, `dependency "${path}" has a "version" that is not a string`);
      const version = str(raw['version']) ?? '';
      const entry: Json = {
        resolved: raw['resolved'],
        integrity: raw['integrity'],
        dev: raw['dev'],
        optional: raw['optional'],
        inBundle: raw['bundled'],
        dependencies: raw['requires'],
      };
      const alias = /^npm:((?:@[^/@]+\/)?[^@]+)@(.+)$/.exec(version);
      if (alias) {
        entry['name'] = alias[1];
        entry['version'] = alias[2];
      } else if (version.startsWith('file:')) {
        entry['link'] = true;
        entry['resolved'] = version.slice(5);
      } else if (isGit(version)) {
        entry['version'] = undefined;
        entry['resolved'] = version;
      } else {
        entry['version'] = version;
      }
      out[path] = entry;
      walk(raw['dependencies'], `${path}/`, depth + 1);
    }
  };
  walk(lock['dependencies'], '', 0);
  return out;
}

function normalizeLinkTarget(resolved: string): string {
  const parts: string[] = [];
  for (const seg of resolved.replace(/^file:/, '').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

function depth(path: string): number {
  let n = 0;
  for (let i = path.indexOf('node_modules/'); i >= 0; i = path.indexOf('node_modules/', i + 1)) n++;
  return n;
}

function checkInSync(rootEntry: Json, manifest: ManifestInput, source: string): void {
  const pkg = manifest.value;
  if (!isObject(pkg)) return;
  const problems: string[] = [];
  for (const field of DEP_FIELDS) {
    const want = isObject(pkg[field]) ? pkg[field] : {};
    const have = isObject(rootEntry[field]) ? rootEntry[field] : {};
    for (const [name, spec] of Object.entries(want)) {
      if (!(name in have))
        problems.push(`${field}.${name} is in package.json but not in the lockfile`);
      else if (have[name] !== spec)
        problems.push(
          `${field}.${name} is "${String(spec)}" in package.json but "${String(have[name])}" in the lockfile`,
        );
    }
    for (const name of Object.keys(have)) {
      if (!(name in want))
        problems.push(`${field}.${name} is in the lockfile but not in package.json`);
    }
  }
  if (problems.length > 0) {
    throw new VouchError(
      'SBOM_LOCKFILE_OUT_OF_SYNC',
      `${source} does not match ${manifest.source}: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}`,
    );
  }
}

function checkInSyncV1(lock: Json, manifest: ManifestInput, source: string): void {
  const pkg = manifest.value;
  if (!isObject(pkg)) return;
  const have = isObject(lock['dependencies']) ? lock['dependencies'] : {};
  const missing: string[] = [];
  for (const field of ['dependencies', 'devDependencies'] as const) {
    const want = isObject(pkg[field]) ? pkg[field] : {};
    for (const name of Object.keys(want)) if (!(name in have)) missing.push(`${field}.${name}`);
  }
  if (missing.length > 0) {
    throw new VouchError(
      'SBOM_LOCKFILE_OUT_OF_SYNC',
      `${source} does not match ${manifest.source}: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` (and ${missing.length - 3} more)` : ''} not in the lockfile`,
    );
  }
}

/**
 * Reads a parsed package-lock.json / npm-shrinkwrap.json. `manifest` is the package.json beside
 * it, when there is one: it names the root and is checked against the lockfile.
 */
export function readNpmLockfile(
  lock: unknown,
  source: string,
  manifest?: ManifestInput,
): LockfileResult {
  if (!isObject(lock)) throw invalid(source, 'the lockfile is not a JSON object');
  const version = lock['lockfileVersion'];
  if (version !== 1 && version !== 2 && version !== 3) {
    throw new VouchError(
      'SBOM_LOCKFILE_UNSUPPORTED',
      `${source} has lockfileVersion ${JSON.stringify(version)}; vouch reads versions 1, 2 and 3`,
    );
  }
  let packages: Record<string, Json>;
  const fromV1 = version === 1 || lock['packages'] === undefined;
  const entryName = (path: string): string =>
    fromV1 ? `dependency "${path}"` : `packages["${path}"]`;
  if (fromV1) {
    packages = packagesFromV1(lock, source);
    if (manifest) checkInSyncV1(lock, manifest, source);
  } else {
    if (!isObject(lock['packages'])) throw invalid(source, '"packages" must be an object');
    packages = {};
    for (const [path, entry] of Object.entries(lock['packages'])) {
      if (!isObject(entry)) throw invalid(source, `packages["${path}"] is not an object`);
      if (entry['version'] !== undefined && typeof entry['version'] !== 'string')
        throw invalid(source, `packages["${path}"] has a "version" that is not a string`);
      packages[path] = entry;
    }
    const rootEntry = packages[''];
    if (manifest && rootEntry) checkInSync(rootEntry, manifest, source);
  }
  const warnings: string[] = [];
  const manifestObj: Json = manifest && isObject(manifest.value) ? manifest.value : {};
  const rootEntry: Json = packages[''] ?? {};

  // Links: installed path → target path; and the installed name of each link target.
  const links = new Map<string, string>();
  const linkName = new Map<string, string>();
  for (const [path, entry] of Object.entries(packages)) {
    if (path === '' || entry['link'] !== true) continue;
    const resolved = str(entry['resolved']);
    if (!resolved) throw invalid(source, `link packages["${path}"] has no "resolved" target`);
    const target = normalizeLinkTarget(resolved);
    links.set(path, target);
    if (!linkName.has(target)) linkName.set(target, nameFromPath(path));
  }

  const refs = new RefAllocator();
  const rootFull =
    str(manifestObj['name']) ?? str(rootEntry['name']) ?? str(lock['name']) ?? 'project';
  const rootVersion =
    str(manifestObj['version']) ?? str(rootEntry['version']) ?? str(lock['version']);
  const rootSplit = splitNpmName(rootFull);
  const root = makeComponent({
    ref: refs.take(rootVersion ? `${rootFull}@${rootVersion}` : rootFull, 'root'),
    type: 'application',
    name: rootSplit.name,
    group: rootSplit.group,
    version: rootVersion,
    purl: buildPurl('npm', rootSplit.group, rootSplit.name, rootVersion),
    ecosystem: 'npm',
    scope: 'required',
    license: normalizeLicense(manifestObj['license'] ?? rootEntry['license']),
    externalReferences: manifestReferences(manifestObj),
  });

  // Components, shallowest location first so the first of duplicates gets the plain ref.
  const depthOf = new Map<string, number>();
  for (const p of Object.keys(packages)) if (p !== '' && !links.has(p)) depthOf.set(p, depth(p));
  const paths = [...depthOf.keys()].sort(
    (a, b) => depthOf.get(a)! - depthOf.get(b)! || (a < b ? -1 : a > b ? 1 : 0),
  );
  const byPath = new Map<string, SbomComponent>();
  const components: SbomComponent[] = [];
  for (const path of paths) {
    const entry = packages[path]!;
    const installed = linkName.get(path) ?? nameFromPath(path);
    const full = str(entry['name']) ?? installed;
    const { group, name } = splitNpmName(full);
    const version = str(entry['version']);
    const resolved = str(entry['resolved']);
    const qualifiers: Record<string, string> = {};
    const externalReferences: ExternalReference[] = [];
    const properties: Record<string, string> = { 'cdx:npm:package:path': path };
    if (resolved) {
      if (isGit(resolved)) {
        qualifiers['vcs_url'] = resolved;
        externalReferences.push({ type: 'vcs', url: resolved });
      } else if (/^https?:\/\//.test(resolved)) {
        if (!DEFAULT_REGISTRIES.some((r) => resolved.startsWith(r)))
          qualifiers['download_url'] = resolved;
        externalReferences.push({ type: 'distribution', url: resolved });
      } else {
        properties['vouch:npm:resolved'] = resolved;
      }
    }
    const dev = entry['dev'] === true;
    const optional = entry['optional'] === true || entry['devOptional'] === true;
    const scope: ComponentScope = dev ? 'dev' : optional ? 'optional' : 'required';
    if (dev) properties['cdx:npm:package:development'] = 'true';
    if (entry['inBundle'] === true) properties['cdx:npm:package:bundled'] = 'true';
    if (full !== installed) properties['vouch:npm:alias'] = installed;
    if (!path.includes('node_modules/')) properties['vouch:npm:workspace'] = 'true';
    const base = version ? `${full}@${version}` : full;
    const component = makeComponent({
      ref: refs.take(base, path),
      name,
      group,
      version,
      purl: buildPurl('npm', group, name, version, qualifiers),
      ecosystem: 'npm',
      scope,
      hashes: hashesFromIntegrity(entry['integrity'], { source, entry: entryName(path) }),
      license: normalizeLicense(entry['license']),
      externalReferences,
      properties,
    });
    byPath.set(path, component);
    components.push(component);
  }

  // The graph, resolved the way Node does: nearest node_modules first, links followed.
  const resolve = (from: string, dep: string): SbomComponent | undefined => {
    let base = from;
    for (;;) {
      const candidate = base ? `${base}/node_modules/${dep}` : `node_modules/${dep}`;
      const target = links.get(candidate) ?? candidate;
      const found = byPath.get(target);
      if (found) return found;
      if (base === '') return undefined;
      const i = base.lastIndexOf('/node_modules/');
      base = i >= 0 ? base.slice(0, i) : '';
    }
  };
  const dependencies = new Map<string, string[]>();
  const addDeps = (path: string, ref: string, entry: Json, isTop: boolean): void => {
    const out = new Set<string>();
    for (const field of DEP_FIELDS) {
      if (field === 'devDependencies' && !isTop) continue;
      const deps = entry[field];
      if (!isObject(deps)) continue;
      for (const dep of Object.keys(deps)) {
        const target = resolve(path, dep);
        if (target) out.add(target.ref);
        else if (field === 'dependencies' && isTop)
          warnings.push(
            `${path || 'the root'} depends on ${dep}, which the lockfile does not list`,
          );
      }
    }
    if (out.size > 0) dependencies.set(ref, [...out].sort());
  };
  const topLevel = paths.filter((p) => p.startsWith('node_modules/') && depthOf.get(p) === 1);
  const rootDeps: Json =
    packages[''] ??
    (manifest
      ? manifestObj
      : { dependencies: Object.fromEntries(topLevel.map((p) => [nameFromPath(p), '*'])) });
  addDeps('', root.ref, rootDeps, true);
  // Workspaces hang off the root, as npm links them.
  const rootOut = new Set(dependencies.get(root.ref) ?? []);
  for (const target of links.values()) {
    const ws = byPath.get(target);
    if (ws && !target.includes('node_modules/')) rootOut.add(ws.ref);
  }
  if (rootOut.size > 0) dependencies.set(root.ref, [...rootOut].sort());
  for (const path of paths) {
    const c = byPath.get(path)!;
    addDeps(path, c.ref, packages[path]!, !path.includes('node_modules/'));
  }
  return {
    kind: 'npm',
    lockfileVersion: String(version),
    root,
    components,
    dependencies,
    warnings,
  };
}
