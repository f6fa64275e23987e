/**
 * What the pnpm and yarn readers share: the root and workspace components from package.json
 * files, the manifest-against-lockfile check, names recovered from registry tarball URLs, and
 * purl qualifiers for the sources a JavaScript package can come from.
 */
import { VouchError } from '../../../errors.ts';
import { normalizeLicense } from '../license.ts';
import type { ExternalReference, SbomComponent } from '../model.ts';
import {
  buildPurl,
  isObject,
  makeComponent,
  manifestReferences,
  RefAllocator,
  splitNpmName,
  str,
  type Json,
  type ManifestInput,
} from './common.ts';

/** The dependency fields of a package.json that lockfiles record, in the order scopes rank. */
export const MANIFEST_DEP_FIELDS = [
  'dependencies',
  'optionalDependencies',
  'devDependencies',
] as const;
export type ManifestDepField = (typeof MANIFEST_DEP_FIELDS)[number];

export const DEFAULT_REGISTRIES = ['https://registry.npmjs.org/', 'https://registry.yarnpkg.com/'];

/** Workspace manifests by path relative to the lockfile's directory (`packages/cli`). */
export type WorkspaceManifests = ReadonlyMap<string, ManifestInput>;

/** `name@x` → `name`, `@scope/name@x` → `@scope/name` (the first `@` after the start). */
export function splitAtVersion(spec: string): { name: string; rest: string } | undefined {
  const at = spec.indexOf('@', 1);
  if (at <= 0) return undefined;
  return { name: spec.slice(0, at), rest: spec.slice(at + 1) };
}

/**
 * The package name and version in an npm-registry-shaped tarball URL
 * (`…/is-number/-/is-number-7.0.0.tgz`, `…/@scope/name/-/name-1.0.0.tgz`), else undefined.
 */
export function nameFromTarballUrl(url: string): { name: string; version: string } | undefined {
  const m = /\/((?:@[^/]+\/)?([^/@]+))\/-\/([^/]+)\.tgz(?:[?#].*)?$/.exec(url);
  if (!m) return undefined;
  const [, full, base, file] = m as unknown as [string, string, string, string];
  if (!file.startsWith(`${base}-`)) return undefined;
  const version = file.slice(base.length + 1);
  return version ? { name: decodeURIComponent(full), version } : undefined;
}

/** Purl qualifiers and references for where a package was fetched from. */
export function sourceOf(
  resolved: string | undefined,
  git?: { repo: string; commit?: string },
): {
  qualifiers: Record<string, string>;
  references: ExternalReference[];
  local?: string;
} {
  const qualifiers: Record<string, string> = {};
  const references: ExternalReference[] = [];
  if (git) {
    const repo = /^git\+|^git:\/\//.test(git.repo) ? git.repo : `git+${git.repo}`;
    const url = git.commit ? `${repo}#${git.commit}` : repo;
    qualifiers['vcs_url'] = url;
    references.push({ type: 'vcs', url });
    return { qualifiers, references };
  }
  if (!resolved) return { qualifiers, references };
  if (/^(git\+|git:\/\/)/.test(resolved)) {
    qualifiers['vcs_url'] = resolved;
    references.push({ type: 'vcs', url: resolved });
  } else if (/^https?:\/\//.test(resolved)) {
    if (!DEFAULT_REGISTRIES.some((r) => resolved.startsWith(r)))
      qualifiers['download_url'] = resolved;
    references.push({ type: 'distribution', url: resolved });
  } else {
    return { qualifiers, references, local: resolved };
  }
  return { qualifiers, references };
}

/** The root component, from package.json (or a fallback name). */
export function rootComponent(
  refs: RefAllocator,
  manifest: ManifestInput | undefined,
  fallbackName: string,
): SbomComponent {
  const pkg: Json = manifest && isObject(manifest.value) ? manifest.value : {};
  const full = str(pkg['name']) ?? fallbackName;
  const version = str(pkg['version']);
  const { group, name } = splitNpmName(full);
  return makeComponent({
    ref: refs.take(version ? `${full}@${version}` : full, 'root'),
    type: 'application',
    name,
    group,
    version,
    purl: buildPurl('npm', group, name, version),
    ecosystem: 'npm',
    scope: 'required',
    license: normalizeLicense(pkg['license']),
    externalReferences: manifestReferences(pkg),
  });
}

/** A workspace member's component, named by its package.json when there is one. */
export function workspaceComponent(
  refs: RefAllocator,
  path: string,
  manifest: ManifestInput | undefined,
  fallback: { name?: string; version?: string } = {},
): SbomComponent {
  const pkg: Json = manifest && isObject(manifest.value) ? manifest.value : {};
  const full = str(pkg['name']) ?? fallback.name ?? path.slice(path.lastIndexOf('/') + 1);
  const version = str(pkg['version']) ?? fallback.version;
  const { group, name } = splitNpmName(full);
  return makeComponent({
    ref: refs.take(version ? `${full}@${version}` : full, `workspace:${path}`),
    name,
    group,
    version,
    purl: buildPurl('npm', group, name, version),
    ecosystem: 'npm',
    scope: 'required',
    license: normalizeLicense(pkg['license']),
    externalReferences: manifestReferences(pkg),
    properties: { 'vouch:npm:workspace': 'true', 'vouch:npm:workspace:path': path },
  });
}

/** `{dependencies: {a: '^1'}, …}` of a manifest, as field → name → spec. */
export function manifestDeps(manifest: ManifestInput | undefined): Map<string, ManifestDepField> {
  const out = new Map<string, ManifestDepField>();
  const pkg = manifest?.value;
  if (!isObject(pkg)) return out;
  // Later fields do not override: a name in both dependencies and optionalDependencies is optional
  // (npm's rule), and dev only when it is nowhere else.
  for (const field of ['optionalDependencies', 'dependencies', 'devDependencies'] as const) {
    const deps = pkg[field];
    if (!isObject(deps)) continue;
    for (const name of Object.keys(deps)) if (!out.has(name)) out.set(name, field);
  }
  return out;
}

export function manifestSpec(
  manifest: ManifestInput | undefined,
  field: ManifestDepField,
  name: string,
): string | undefined {
  const pkg = manifest?.value;
  if (!isObject(pkg) || !isObject(pkg[field])) return undefined;
  const spec = pkg[field][name];
  return typeof spec === 'string' ? spec : undefined;
}

/** Throws SBOM_LOCKFILE_OUT_OF_SYNC listing the first few problems, if any. */
export function throwOutOfSync(source: string, against: string, problems: string[]): void {
  if (problems.length === 0) return;
  throw new VouchError(
    'SBOM_LOCKFILE_OUT_OF_SYNC',
    `${source} does not match ${against}: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}`,
  );
}
