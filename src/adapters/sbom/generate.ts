/**
 * The one SBOM generation function the CLI and the action share: find and read the lockfile,
 * fill licenses from node_modules, hash release files, build the model and serialise it.
 * Nothing is written here; callers write the returned text atomically.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, posix, resolve, sep } from 'node:path';
import { buildSbom, timestampFromEpoch, type OmitScope } from '../../core/sbom/build.ts';
import { writeCycloneDx, type CycloneDxVersion } from '../../core/sbom/cyclonedx.ts';
import { normalizeLicense } from '../../core/sbom/license.ts';
import type {
  LockfileKind,
  LockfileResult,
  ManifestInput,
} from '../../core/sbom/lockfiles/common.ts';
import type { CargoManifestInput } from '../../core/sbom/lockfiles/cargo-manifest.ts';
import type { Sbom } from '../../core/sbom/model.ts';
import { writeSpdx } from '../../core/sbom/spdx.ts';
import type { Logger } from '../../core/logger.ts';
import { parseJsonSafe } from '../../core/safe-parse.ts';
import { VouchError } from '../../errors.ts';
import { releaseFileComponents } from './files.ts';
import { assertSchemaValid, type SbomFormat } from './validate.ts';

/** Lockfile names looked for, in this order. */
export const LOCKFILE_NAMES = [
  'npm-shrinkwrap.json',
  'package-lock.json',
  'pnpm-lock.yaml',
  'yarn.lock',
  'Cargo.lock',
] as const;

/** Largest lockfile or manifest read: 256 MiB. */
export const MAX_LOCKFILE_BYTES = 256 * 1024 * 1024;

export interface GenerateOptions {
  /** Project directory (absolute, or relative to `workspace`). */
  readonly dir: string;
  /** Root that release-file globs are confined to. */
  readonly workspace: string;
  /** A lockfile to use instead of detecting one (relative to `dir`). */
  readonly lockfile?: string;
  readonly formats: readonly SbomFormat[];
  readonly specVersion?: CycloneDxVersion;
  readonly omit?: readonly OmitScope[];
  readonly files?: readonly string[];
  /** Byte-identical output: timestamp from SOURCE_DATE_EPOCH (else 1970-01-01), content-derived ids. */
  readonly reproducible?: boolean;
  readonly sourceDateEpoch?: string;
  /** Validate each document against its schema before returning it (default false). */
  readonly validate?: boolean;
  /** Size cap for lockfiles (default MAX_LOCKFILE_BYTES). */
  readonly maxBytes?: number;
}

export interface GenerateDeps {
  readonly logger: Logger;
  /** The clock, for non-reproducible timestamps. */
  readonly now?: () => Date;
}

export interface GenerateResult {
  readonly sbom: Sbom;
  readonly lockfile: string;
  readonly kind: LockfileKind;
  readonly documents: { readonly cyclonedx?: string; readonly spdx?: string };
  readonly warnings: readonly string[];
}

async function readCapped(path: string, maxBytes: number): Promise<string> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new VouchError('FILE_UNREADABLE', `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (size > maxBytes) {
    throw new VouchError(
      'FILE_TOO_LARGE',
      `${path} is ${size} bytes, more than the ${maxBytes}-byte limit for lockfiles and manifests`,
    );
  }
  return readFile(path, 'utf8');
}

/** The lockfile in `dir`, or a SBOM_LOCKFILE_NOT_FOUND error naming what was looked for. */
export function findLockfile(dir: string): string {
  for (const name of LOCKFILE_NAMES) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw new VouchError(
    'SBOM_LOCKFILE_NOT_FOUND',
    `no lockfile in ${dir}: looked for ${LOCKFILE_NAMES.join(', ')}`,
  );
}

function kindOf(path: string): LockfileKind {
  const name = basename(path);
  if (name.endsWith('.json')) return 'npm';
  if (name.startsWith('pnpm-lock') && /\.ya?ml$/.test(name)) return 'pnpm';
  if (name === 'yarn.lock' || (name.endsWith('.lock') && name.startsWith('yarn'))) return 'yarn';
  if (name === 'Cargo.lock' || name.endsWith('.lock')) return 'cargo';
  throw new VouchError(
    'SBOM_LOCKFILE_UNSUPPORTED',
    `${path} is not a lockfile vouch knows: it reads ${LOCKFILE_NAMES.join(', ')}`,
  );
}

async function readManifestJson(path: string, maxBytes: number): Promise<unknown> {
  if (!existsSync(path)) return undefined;
  return parseJsonSafe(await readCapped(path, maxBytes), path, { maxBytes });
}

const SUSPECT = /"(?:__proto__|constructor|prototype)"\s*:|\\u/;

/**
 * Lockfile JSON: when the text cannot hold an unsafe key (no such word, no `\u` escape) a plain
 * JSON.parse is enough; otherwise the full safe parse walks every key.
 */
function parseLockJson(text: string, path: string, maxBytes: number): unknown {
  if (SUSPECT.test(text)) return parseJsonSafe(text, path, { maxBytes, maxDepth: 512 });
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
  } catch (error) {
    throw new VouchError('JSON_INVALID', `${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Reads whichever lockfile kind `path` is, with its manifest. */
export async function readLockfile(path: string, maxBytes: number): Promise<LockfileResult> {
  const dir = dirname(path);
  const kind = kindOf(path);
  const text = await readCapped(path, maxBytes);
  switch (kind) {
    case 'npm': {
      const { readNpmLockfile } = await import('../../core/sbom/lockfiles/npm.ts');
      const lock = parseLockJson(text, path, maxBytes);
      const manifestPath = join(dir, 'package.json');
      const manifest = await readManifestJson(manifestPath, maxBytes);
      return readNpmLockfile(
        lock,
        path,
        manifest === undefined ? undefined : { value: manifest, source: manifestPath },
      );
    }
    case 'cargo': {
      const { readCargoLockfile, parseTomlSafe } =
        await import('../../core/sbom/lockfiles/cargo.ts');
      const manifestPath = join(dir, 'Cargo.toml');
      const root = existsSync(manifestPath)
        ? {
            value: parseTomlSafe(await readCapped(manifestPath, maxBytes), manifestPath),
            source: manifestPath,
          }
        : undefined;
      const members = root ? await readCargoMembers(dir, root.value, maxBytes) : [];
      return readCargoLockfile(text, path, {
        ...(root ? { root } : {}),
        directoryName: basename(resolve(dir)),
        members,
      });
    }
    case 'pnpm': {
      const { parsePnpmLockfile, pnpmWorkspacePaths, readPnpmLockfile } =
        await import('../../core/sbom/lockfiles/pnpm.ts');
      const lock = parsePnpmLockfile(text, path);
      const manifest = await readManifest(dir, '.', maxBytes);
      const workspaces = await readWorkspaceManifests(dir, pnpmWorkspacePaths(lock), maxBytes);
      return readPnpmLockfile(lock, path, manifest, workspaces);
    }
    case 'yarn': {
      const { parseYarnLockfile, readYarnLockfile, yarnWorkspacePaths } =
        await import('../../core/sbom/lockfiles/yarn.ts');
      const lock = parseYarnLockfile(text, path);
      const manifest = await readManifest(dir, '.', maxBytes);
      const paths =
        lock.format === 'berry'
          ? yarnWorkspacePaths(lock)
          : await expandWorkspaceGlobs(dir, workspaceGlobs(manifest?.value));
      const workspaces = await readWorkspaceManifests(dir, paths, maxBytes);
      return readYarnLockfile(lock, path, manifest, workspaces);
    }
  }
}

/**
 * The Cargo.toml of each workspace member: `[workspace] members` (literal paths and `*` / `?`
 * segments) minus `exclude` (paths and what is under them), then the `path` dependencies of
 * those inside the project directory (Cargo makes them members too). A literal member whose
 * Cargo.toml is missing is listed without a manifest. Paths leaving the directory are not read.
 */
async function readCargoMembers(
  dir: string,
  root: Record<string, unknown>,
  maxBytes: number,
): Promise<CargoManifestInput[]> {
  const { cargoPathDependencyDirs, cargoWorkspaceGlobs } =
    await import('../../core/sbom/lockfiles/cargo-manifest.ts');
  const { parseTomlSafe } = await import('../../core/sbom/lockfiles/cargo.ts');
  const { members, exclude } = cargoWorkspaceGlobs(root);
  const clean = (p: string): string => posix.normalize(p.replace(/\\/g, '/')).replace(/\/$/, '');
  const excluded = exclude.map(clean);
  const isExcluded = (rel: string): boolean =>
    excluded.some((e) => rel === e || rel.startsWith(`${e}/`));
  const queue: string[] = [];
  for (const glob of members) {
    if (/[*?[]/.test(glob)) queue.push(...(await expandWorkspaceGlobs(dir, [glob], 'Cargo.toml')));
    else queue.push(clean(glob));
  }
  const out: CargoManifestInput[] = [];
  const seen = new Set<string>(['.']);
  while (queue.length > 0) {
    const rel = clean(queue.shift()!);
    if (seen.has(rel) || rel.startsWith('..') || !inside(dir, rel) || isExcluded(rel)) continue;
    seen.add(rel);
    const source = join(dir, rel, 'Cargo.toml');
    if (!existsSync(source)) {
      out.push({ dir: rel, source });
      continue;
    }
    const value = parseTomlSafe(await readCapped(source, maxBytes), source);
    out.push({ dir: rel, value, source });
    queue.push(...cargoPathDependencyDirs(value, rel, root));
  }
  queue.push(...cargoPathDependencyDirs(root, '.', root));
  while (queue.length > 0) {
    const rel = clean(queue.shift()!);
    if (seen.has(rel) || rel.startsWith('..') || !inside(dir, rel)) continue;
    seen.add(rel);
    const source = join(dir, rel, 'Cargo.toml');
    if (!existsSync(source)) continue;
    const value = parseTomlSafe(await readCapped(source, maxBytes), source);
    out.push({ dir: rel, value, source });
    queue.push(...cargoPathDependencyDirs(value, rel, root));
  }
  return out;
}

/** package.json in `dir/rel`, parsed, or undefined when there is none. */
async function readManifest(
  dir: string,
  rel: string,
  maxBytes: number,
): Promise<ManifestInput | undefined> {
  const manifestPath = join(dir, rel, 'package.json');
  const value = await readManifestJson(manifestPath, maxBytes);
  return value === undefined ? undefined : { value, source: manifestPath };
}

/** True when `rel` stays inside the project directory. */
function inside(dir: string, rel: string): boolean {
  const abs = resolve(dir, rel);
  return abs === resolve(dir) || abs.startsWith(resolve(dir) + sep);
}

/**
 * The package.json of each workspace member the lockfile names. Paths leaving the project
 * directory are not read (their members stay named by the lockfile alone).
 */
async function readWorkspaceManifests(
  dir: string,
  paths: readonly string[],
  maxBytes: number,
): Promise<Map<string, ManifestInput>> {
  const out = new Map<string, ManifestInput>();
  for (const rel of paths) {
    if (!inside(dir, rel)) continue;
    const manifest = await readManifest(dir, rel, maxBytes);
    if (manifest) out.set(rel, manifest);
  }
  return out;
}

/** The `workspaces` globs of a package.json (array, or `{packages: [...]}` as yarn classic allows). */
function workspaceGlobs(pkg: unknown): string[] {
  if (typeof pkg !== 'object' || pkg === null) return [];
  const ws = (pkg as Record<string, unknown>)['workspaces'];
  const list = Array.isArray(ws)
    ? ws
    : typeof ws === 'object' && ws !== null
      ? (ws as Record<string, unknown>)['packages']
      : undefined;
  return Array.isArray(list) ? list.filter((g): g is string => typeof g === 'string') : [];
}

/**
 * Expands workspace globs (yarn classic, Cargo) made of literal and `*` / `?` segments (`packages/*`);
 * each wildcard segment matches one directory level. Directories holding `manifestName` only.
 */
async function expandWorkspaceGlobs(
  dir: string,
  globs: readonly string[],
  manifestName = 'package.json',
): Promise<string[]> {
  const out = new Set<string>();
  for (const glob of globs) {
    if (glob.startsWith('!')) continue;
    let current = [''];
    for (const seg of glob
      .replace(/^\.\//, '')
      .split('/')
      .filter((s) => s !== '' && s !== '.')) {
      const next: string[] = [];
      for (const base of current) {
        if (!/[*?]/.test(seg)) {
          next.push(base ? `${base}/${seg}` : seg);
          continue;
        }
        const re = new RegExp(
          `^${seg
            .replace(/[.+^${}()|\\]/g, '\\$&')
            .replace(/\*+/g, '[^/]*')
            .replace(/\?/g, '[^/]')}$`,
        );
        let names: string[] = [];
        try {
          names = (await readdir(join(dir, base), { withFileTypes: true }))
            .filter((d) => d.isDirectory() && d.name !== 'node_modules' && re.test(d.name))
            .map((d) => d.name);
        } catch {
          names = [];
        }
        for (const n of names.sort()) next.push(base ? `${base}/${n}` : n);
      }
      current = next;
    }
    for (const p of current)
      if (p && inside(dir, p) && existsSync(join(dir, p, manifestName))) out.add(p);
  }
  return [...out].sort();
}

/**
 * Where an installed copy of `c` may sit: npm records the path; for pnpm its virtual store
 * (`node_modules/.pnpm/<name>@<version>/node_modules/<name>`) and the top-level link; for yarn
 * the hoisted `node_modules/<name>`. Copies found by guessing must carry the same name and version.
 */
function installedPaths(
  kind: LockfileKind,
  c: LockfileResult['components'][number],
  dependents: readonly string[],
): { paths: string[]; check: boolean } {
  const recorded = c.properties?.['cdx:npm:package:path'];
  if (kind === 'npm') return { paths: recorded ? [recorded] : [], check: false };
  if (!c.version || c.properties?.['vouch:npm:workspace']) return { paths: [], check: true };
  const full = c.group ? `${c.group}/${c.name}` : c.name;
  const paths =
    kind === 'pnpm'
      ? [
          `node_modules/.pnpm/${full.replace('/', '+')}@${c.version}/node_modules/${full}`,
          `node_modules/${full}`,
        ]
      : [`node_modules/${full}`];
  const alias = c.properties?.['vouch:npm:alias'];
  if (alias) paths.push(`node_modules/${alias}`);
  // yarn nests a second version under the package that needs it.
  for (const parent of dependents) paths.push(`node_modules/${parent}/node_modules/${full}`);
  return { paths, check: true };
}

/** Licenses from installed package.json files, for npm components the lockfile has none for. */
async function licensesFromNodeModules(
  dir: string,
  lock: LockfileResult,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (lock.kind === 'cargo' || !existsSync(join(dir, 'node_modules'))) return out;
  const wanted = lock.components.filter((c) => !c.license);
  const nameOf = new Map(
    lock.components.map((c) => [c.ref, c.group ? `${c.group}/${c.name}` : c.name]),
  );
  const dependents = new Map<string, string[]>();
  if (lock.kind === 'yarn') {
    for (const [from, tos] of lock.dependencies) {
      const parent = nameOf.get(from);
      if (!parent) continue;
      for (const to of tos) dependents.set(to, [...(dependents.get(to) ?? []), parent]);
    }
  }
  await Promise.all(
    wanted.map(async (c) => {
      const { paths, check } = installedPaths(lock.kind, c, dependents.get(c.ref) ?? []);
      for (const rel of paths) {
        if (!rel.startsWith('node_modules/') || rel.split('/').includes('..')) continue;
        try {
          const text = await readFile(join(dir, rel, 'package.json'), 'utf8');
          const pkg = parseJsonSafe(text, rel, { maxBytes: 16 * 1024 * 1024 }) as Record<
            string,
            unknown
          >;
          const full = c.group ? `${c.group}/${c.name}` : c.name;
          if (check && (pkg['name'] !== full || pkg['version'] !== c.version)) continue;
          const license = normalizeLicense(pkg['license'] ?? pkg['licenses']);
          if (license) out.set(c.ref, license);
          return;
        } catch {
          // not installed there or unreadable: try the next place
        }
      }
    }),
  );
  return out;
}

/** Generates the SBOM documents asked for. */
export async function generateSbom(
  options: GenerateOptions,
  deps: GenerateDeps,
): Promise<GenerateResult> {
  const dir = resolve(options.workspace, options.dir || '.');
  if (!existsSync(dir)) {
    throw new VouchError('FILE_UNREADABLE', `the project directory ${dir} does not exist`);
  }
  const maxBytes = options.maxBytes ?? MAX_LOCKFILE_BYTES;
  const lockfile = options.lockfile ? resolve(dir, options.lockfile) : findLockfile(dir);
  deps.logger.debug(`reading ${lockfile}`);
  const lock = await readLockfile(lockfile, maxBytes);
  for (const w of lock.warnings.slice(0, 20)) deps.logger.warn(w);
  const [licenses, files] = await Promise.all([
    licensesFromNodeModules(dirname(lockfile), lock),
    releaseFileComponents(options.files ?? [], options.workspace),
  ]);
  const epoch = timestampFromEpoch(options.sourceDateEpoch);
  const reproducible = options.reproducible === true || epoch !== undefined;
  if (
    options.sourceDateEpoch !== undefined &&
    options.sourceDateEpoch !== '' &&
    epoch === undefined
  ) {
    throw new VouchError(
      'USAGE_INVALID_VALUE',
      `SOURCE_DATE_EPOCH must be a number of seconds, not "${options.sourceDateEpoch}"`,
    );
  }
  const timestamp = reproducible
    ? (epoch ?? '1970-01-01T00:00:00Z')
    : (deps.now ?? (() => new Date()))()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z');
  const sbom = buildSbom(lock, {
    omit: options.omit ?? [],
    files,
    timestamp,
    licenses,
  });
  const specVersion = options.specVersion ?? '1.6';
  const documents: { cyclonedx?: string; spdx?: string } = {};
  if (options.formats.includes('cyclonedx')) {
    documents.cyclonedx = writeCycloneDx(sbom, { specVersion, reproducible });
    if (options.validate) await assertSchemaValid(documents.cyclonedx, 'cyclonedx', specVersion);
  }
  if (options.formats.includes('spdx')) {
    documents.spdx = writeSpdx(sbom, { reproducible });
    if (options.validate) await assertSchemaValid(documents.spdx, 'spdx');
  }
  return { sbom, lockfile, kind: lock.kind, documents, warnings: lock.warnings };
}
