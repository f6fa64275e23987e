/** Shared shapes and helpers of the lockfile readers. */
import { PackageURL } from 'packageurl-js';
import { VouchError } from '../../../errors.ts';
import type { ComponentScope, Ecosystem, ExternalReference, SbomComponent } from '../model.ts';

export type LockfileKind = 'npm' | 'pnpm' | 'yarn' | 'cargo';

/** What a lockfile reader returns: the root, every locked package, and the graph. */
export interface LockfileResult {
  readonly kind: LockfileKind;
  /** As written in the lockfile (`3`, `9.0`, `classic`, `berry-8`). */
  readonly lockfileVersion: string;
  readonly root: SbomComponent;
  readonly components: SbomComponent[];
  /** ref → refs, every ref naming root or a component. */
  readonly dependencies: Map<string, string[]>;
  /** Things a person may want to know (an unresolved dependency, an unknown source). */
  readonly warnings: string[];
}

/** A manifest (package.json or Cargo.toml) already parsed, with its path for messages. */
export interface ManifestInput {
  readonly value: unknown;
  readonly source: string;
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function invalid(source: string, message: string): VouchError {
  return new VouchError('SBOM_LOCKFILE_INVALID', `${source}: ${message}`);
}

/** Splits `@scope/name` into npm's group and name. */
export function splitNpmName(full: string): { group?: string; name: string } {
  if (full.startsWith('@')) {
    const slash = full.indexOf('/');
    if (slash > 0) return { group: full.slice(0, slash), name: full.slice(slash + 1) };
  }
  return { name: full };
}

export function buildPurl(
  type: string,
  namespace: string | undefined,
  name: string,
  version: string | undefined,
  qualifiers?: Record<string, string>,
): string {
  const q = qualifiers && Object.keys(qualifiers).length > 0 ? qualifiers : undefined;
  return new PackageURL(
    type,
    namespace ?? undefined,
    name,
    version ?? undefined,
    q,
    undefined,
  ).toString();
}

/** Hands out unique refs: the first `base` gets it plain, later ones `base|suffix`. */
export class RefAllocator {
  readonly #used = new Set<string>();
  take(base: string, suffix: string): string {
    let ref = this.#used.has(base) ? `${base}|${suffix}` : base;
    let n = 1;
    while (this.#used.has(ref)) ref = `${base}|${suffix}#${++n}`;
    this.#used.add(ref);
    return ref;
  }
}

export interface ComponentFields {
  readonly ref: string;
  readonly type?: SbomComponent['type'];
  readonly name: string;
  readonly group?: string | undefined;
  readonly version?: string | undefined;
  readonly purl?: string | undefined;
  readonly ecosystem: Ecosystem;
  readonly scope: ComponentScope;
  readonly hashes?: SbomComponent['hashes'];
  readonly license?: string | undefined;
  readonly externalReferences?: readonly ExternalReference[];
  readonly properties?: Record<string, string>;
}

/** A component with absent fields left out (so output never carries `undefined`). */
export function makeComponent(f: ComponentFields): SbomComponent {
  return {
    ref: f.ref,
    type: f.type ?? 'library',
    name: f.name,
    ...(f.group ? { group: f.group } : {}),
    ...(f.version ? { version: f.version } : {}),
    ...(f.purl ? { purl: f.purl } : {}),
    ecosystem: f.ecosystem,
    scope: f.scope,
    hashes: f.hashes ?? [],
    ...(f.license ? { license: f.license } : {}),
    externalReferences: f.externalReferences ?? [],
    ...(f.properties && Object.keys(f.properties).length > 0 ? { properties: f.properties } : {}),
  };
}

/** External references from a package.json `repository` and `homepage`. */
export function manifestReferences(manifest: Json): ExternalReference[] {
  const out: ExternalReference[] = [];
  const repo = manifest['repository'];
  const url = typeof repo === 'string' ? repo : isObject(repo) ? str(repo['url']) : undefined;
  if (url) out.push({ type: 'vcs', url });
  const homepage = str(manifest['homepage']);
  if (homepage) out.push({ type: 'website', url: homepage });
  return out;
}
