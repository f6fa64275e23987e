/**
 * yarn.lock into the model, both formats:
 *
 * - classic (yarn 1, `# yarn lockfile v1`): its own indentation format, read by the small parser
 *   below. Hashes come from `integrity` and from the sha1 in the `resolved` URL's fragment (both
 *   are digests of the npm tarball). The lockfile has no dev / optional flags: scopes follow the
 *   graph from the manifests' dependency fields.
 * - berry (yarn 2+, YAML with `__metadata`): one component per `resolution` locator. Berry's
 *   `checksum` is a digest of yarn's own cache archive, not of the npm tarball, so it is kept as
 *   the property `vouch:yarn:checksum` and never presented as a tarball hash. Workspaces
 *   (`workspace:`) become workspace components, builtin `patch:` resolutions (yarn's compat
 *   patches) sit between the dependent and the patched package, and dev scopes come from the
 *   workspaces' package.json files since berry folds devDependencies into `dependencies`.
 */
import { VouchError } from '../../../errors.ts';
import { isUnsafeKey, parseYamlSafe } from '../../safe-parse.ts';
import { addEdge, propagateScopes, toDependencies, type ScopedEdges } from '../graph.ts';
import { hashesFromIntegrity, hashFromHex } from '../integrity.ts';
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
  nameFromTarballUrl,
  rootComponent,
  sourceOf,
  splitAtVersion,
  throwOutOfSync,
  workspaceComponent,
  type ManifestDepField,
  type WorkspaceManifests,
} from './js-common.ts';

const LIMITS = { maxBytes: 256 * 1024 * 1024, maxNodes: 20_000_000, maxDepth: 16, maxAliases: 0 };
/** Berry `__metadata.version`s read: yarn 2 wrote 4, yarn 4 writes 8 and 10. */
const BERRY_VERSIONS = new Set([4, 5, 6, 7, 8, 9, 10]);

// ---------------------------------------------------------------------------------------------
// The classic format

function classicError(source: string, line: number, column: number, message: string): VouchError {
  return new VouchError('SBOM_LOCKFILE_INVALID', `${source}:${line}:${column}: ${message}`);
}

/**
 * Reads one token at `i` of `text`: a JSON-quoted string or a bare word (up to whitespace,
 * `:` or `,`). Returns the token and the index after it.
 */
function readToken(
  text: string,
  i: number,
  source: string,
  line: number,
  indent: number,
): { value: string; end: number } {
  if (text[i] === '"') {
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    if (j >= text.length) throw classicError(source, line, indent + i + 1, 'unterminated string');
    try {
      return { value: JSON.parse(text.slice(i, j + 1)) as string, end: j + 1 };
    } catch {
      throw classicError(source, line, indent + i + 1, 'invalid string escape');
    }
  }
  let j = i;
  while (j < text.length && !/[\s:,]/.test(text[j]!)) j++;
  if (j === i) throw classicError(source, line, indent + i + 1, `unexpected "${text[i]}"`);
  return { value: text.slice(i, j), end: j };
}

/**
 * Parses the yarn classic lockfile format: `# comments`, `key1, "key2":` section headers,
 * `key value` pairs and two-space indentation for nesting. Values are strings (booleans and
 * numbers stay strings; the reader does not need them typed). Unsafe keys are refused.
 */
export function parseYarnClassic(text: string, source: string, maxDepth = 8): Json {
  const root: Json = {};
  const stack: { indent: number; node: Json }[] = [{ indent: -1, node: root }];
  const lines = text.split(/\r?\n/);
  let expectChildAt: number | undefined;
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    const lineNo = n + 1;
    const trimmed = raw.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const indentText = raw.slice(0, raw.length - trimmed.length);
    if (indentText.includes('\t'))
      throw classicError(source, lineNo, 1, 'tabs are not allowed for indentation');
    const indent = indentText.length;
    if (indent % 2 !== 0)
      throw classicError(
        source,
        lineNo,
        1,
        `indentation of ${indent} spaces is not a multiple of 2`,
      );
    while (stack.length > 1 && indent <= stack[stack.length - 1]!.indent) stack.pop();
    const parent = stack[stack.length - 1]!;
    if (expectChildAt !== undefined && indent !== expectChildAt && indent > parent.indent + 2)
      throw classicError(source, lineNo, 1, 'unexpected indentation');
    if (indent > parent.indent + 2 && stack.length > 1)
      throw classicError(source, lineNo, 1, 'unexpected indentation');
    expectChildAt = undefined;
    const body = raw.slice(indent).replace(/\s+$/, '');
    // Keys: one or more tokens separated by ", ".
    const keys: string[] = [];
    let i = 0;
    for (;;) {
      const t = readToken(body, i, source, lineNo, indent);
      keys.push(t.value);
      i = t.end;
      if (body[i] === ',') {
        i++;
        while (body[i] === ' ') i++;
        continue;
      }
      break;
    }
    for (const k of keys) {
      if (isUnsafeKey(k))
        throw new VouchError(
          'UNSAFE_KEY',
          `${source}:${lineNo}:${indent + 1}: key "${k}" is not allowed`,
        );
    }
    const put = (value: Json | string): void => {
      for (const k of keys) {
        if (Object.prototype.hasOwnProperty.call(parent.node, k))
          throw classicError(source, lineNo, indent + 1, `duplicate key "${k}"`);
        parent.node[k] = value;
      }
    };
    if (body[i] === ':' && i === body.length - 1) {
      if (stack.length > maxDepth)
        throw classicError(source, lineNo, indent + 1, `nesting deeper than ${maxDepth} levels`);
      const child: Json = {};
      put(child);
      stack.push({ indent, node: child });
      expectChildAt = indent + 2;
      continue;
    }
    if (keys.length !== 1 || body[i] !== ' ')
      throw classicError(source, lineNo, indent + i + 1, 'expected a value after the key');
    while (body[i] === ' ') i++;
    const v = readToken(body, i, source, lineNo, indent);
    if (v.end !== body.length)
      throw classicError(source, lineNo, indent + v.end + 1, 'unexpected text after the value');
    put(v.value);
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// Shared reading

export type YarnLockfile =
  | { readonly format: 'classic'; readonly value: Json; readonly source: string }
  | {
      readonly format: 'berry';
      readonly value: Json;
      readonly source: string;
      readonly version: number;
    };

/** Tells classic from berry and parses either (no aliases, no unsafe keys, positions in errors). */
export function parseYarnLockfile(text: string, source: string): YarnLockfile {
  if (/^__metadata:/m.test(text)) {
    const value = parseYamlSafe(text, source, LIMITS).value;
    if (!isObject(value)) throw invalid(source, 'the lockfile is not a YAML mapping');
    const meta = value['__metadata'];
    const version = isObject(meta) ? Number(meta['version']) : NaN;
    if (!BERRY_VERSIONS.has(version)) {
      throw new VouchError(
        'SBOM_LOCKFILE_UNSUPPORTED',
        `${source} has __metadata.version ${JSON.stringify(isObject(meta) ? meta['version'] : undefined)}; vouch reads yarn berry lockfile versions 4 to 10`,
      );
    }
    return { format: 'berry', value, source, version };
  }
  if (Buffer.byteLength(text, 'utf8') > LIMITS.maxBytes)
    throw new VouchError('FILE_TOO_LARGE', `${source} is larger than ${LIMITS.maxBytes} bytes`);
  const header = /^# yarn lockfile v(\d+)/m.exec(text.slice(0, 512));
  if (header && header[1] !== '1') {
    throw new VouchError(
      'SBOM_LOCKFILE_UNSUPPORTED',
      `${source} is a yarn lockfile v${header[1]}; vouch reads v1 (classic) and berry lockfiles`,
    );
  }
  return { format: 'classic', value: parseYarnClassic(text, source), source };
}

/** Workspace paths a berry lockfile names (`name@workspace:packages/a`), other than `.`. */
export function yarnWorkspacePaths(lock: YarnLockfile): string[] {
  if (lock.format !== 'berry') return [];
  const out = new Set<string>();
  for (const [key, entry] of Object.entries(lock.value)) {
    if (key === '__metadata' || !isObject(entry)) continue;
    const resolution = str(entry['resolution']);
    const split = resolution ? splitAtVersion(resolution) : undefined;
    if (split?.rest.startsWith('workspace:')) {
      const path = split.rest.slice('workspace:'.length);
      if (path !== '.') out.add(path);
    }
  }
  return [...out].sort();
}

const KIND: Record<ManifestDepField, ComponentScope> = {
  dependencies: 'required',
  optionalDependencies: 'optional',
  devDependencies: 'dev',
};

interface Draft {
  readonly ref: string;
  readonly fields: Omit<Parameters<typeof makeComponent>[0], 'scope' | 'ref'>;
}

function finish(
  kind: 'classic' | 'berry',
  version: string,
  root: SbomComponent,
  workspaces: readonly SbomComponent[],
  drafts: Iterable<Draft>,
  edges: ScopedEdges,
  warnings: string[],
): LockfileResult {
  const scopes = propagateScopes([root.ref], edges);
  const components: SbomComponent[] = workspaces.map((w) => ({
    ...w,
    scope: scopes.get(w.ref) ?? 'required',
  }));
  for (const d of drafts) {
    let scope = scopes.get(d.ref);
    if (!scope) {
      scope = 'required';
      warnings.push(`${d.ref} is locked but nothing in the project depends on it`);
    }
    components.push(makeComponent({ ...d.fields, ref: d.ref, scope }));
  }
  void kind;
  return {
    kind: 'yarn',
    lockfileVersion: version,
    root,
    components,
    dependencies: toDependencies(edges),
    warnings,
  };
}

// ---------------------------------------------------------------------------------------------
// classic

function readClassic(
  lock: Json,
  source: string,
  manifest: ManifestInput | undefined,
  workspaces: WorkspaceManifests,
): LockfileResult {
  const warnings: string[] = [];
  const refs = new RefAllocator();
  const root = rootComponent(refs, manifest, 'project');
  // Pattern (`name@range`) → entry; entries shared by several patterns are one object.
  const byPattern = new Map<string, Json>();
  const entries = new Map<Json, string[]>();
  for (const [pattern, entry] of Object.entries(lock)) {
    if (!isObject(entry)) throw invalid(source, `entry "${pattern}" is not a section`);
    byPattern.set(pattern, entry);
    const list = entries.get(entry);
    if (list) list.push(pattern);
    else entries.set(entry, [pattern]);
  }
  const drafts = new Map<Json, Draft>();
  const sorted = [...entries].sort((a, b) => (a[1][0]! < b[1][0]! ? -1 : 1));
  for (const [entry, patterns] of sorted) {
    const first = splitAtVersion(patterns[0]!);
    if (!first) throw invalid(source, `"${patterns[0]}" is not a name@range pattern`);
    const version = str(entry['version']);
    if (!version) throw invalid(source, `"${patterns[0]}" has no version`);
    const resolvedRaw = str(entry['resolved']);
    const hash = resolvedRaw?.indexOf('#') ?? -1;
    const resolved = resolvedRaw && hash >= 0 ? resolvedRaw.slice(0, hash) : resolvedRaw;
    const fragment = resolvedRaw && hash >= 0 ? resolvedRaw.slice(hash + 1) : undefined;
    // The real name: `npm:` aliases name it, registry tarball URLs name it, else the pattern does.
    const alias = /^npm:((?:@[^/@]+\/)?[^@]+)@/.exec(first.rest);
    const fromUrl = resolved ? nameFromTarballUrl(resolved) : undefined;
    const full = alias?.[1] ?? fromUrl?.name ?? first.name;
    const isGit =
      /^(git\+|git:\/\/|github:)/.test(resolvedRaw ?? '') ||
      /^(git\+|git:\/\/|github:)/.test(first.rest);
    const src = isGit
      ? sourceOf(resolvedRaw ?? first.rest)
      : sourceOf(resolved ?? (first.rest.startsWith('file:') ? first.rest : undefined));
    const hashes = hashesFromIntegrity(entry['integrity'], {
      source,
      entry: `entry "${patterns[0]}"`,
    });
    if (!isGit && fragment && !hashes.some((h) => h.alg === 'SHA-1'))
      hashes.push(...hashFromHex(fragment, 'SHA-1'));
    const properties: Record<string, string> = {};
    if (src.local) properties['vouch:npm:resolved'] = src.local;
    if (full !== first.name) properties['vouch:npm:alias'] = first.name;
    const { group, name } = splitNpmName(full);
    drafts.set(entry, {
      ref: refs.take(`${full}@${version}`, patterns[0]!),
      fields: {
        name,
        group,
        version,
        purl: buildPurl('npm', group, name, version, src.qualifiers),
        ecosystem: 'npm',
        hashes,
        externalReferences: src.references,
        properties,
      },
    });
  }
  const edges: ScopedEdges = new Map();
  const lookup = (name: string, range: string): string | undefined => {
    const entry = byPattern.get(`${name}@${range}`);
    return entry ? drafts.get(entry)!.ref : undefined;
  };
  const wsComponents: SbomComponent[] = [];
  const wsByName = new Map<string, SbomComponent>();
  for (const [path, ws] of [...workspaces].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const c = workspaceComponent(refs, path, ws);
    wsComponents.push(c);
    wsByName.set(c.group ? `${c.group}/${c.name}` : c.name, c);
    addEdge(edges, root.ref, c.ref, 'required');
  }
  const fromManifest = (from: string, m: ManifestInput | undefined, label: string): void => {
    const problems: string[] = [];
    for (const [name, field] of manifestDeps(m)) {
      const spec = (m!.value as Json)[field] as Json;
      const range = String(spec[name]);
      const to = lookup(name, range) ?? wsByName.get(name)?.ref;
      if (to) addEdge(edges, from, to, KIND[field]);
      else if (!(field === 'optionalDependencies'))
        problems.push(`${field}.${name}@${range} of ${label} is not in the lockfile`);
      else
        warnings.push(
          `${label} optionally depends on ${name}@${range}, which the lockfile does not list`,
        );
    }
    if (m) throwOutOfSync(source, m.source, problems);
  };
  fromManifest(root.ref, manifest, 'the root');
  for (const c of wsComponents) {
    const path = c.properties!['vouch:npm:workspace:path']!;
    fromManifest(c.ref, workspaces.get(path), path);
  }
  if (!manifest) {
    // No package.json: every locked package hangs off the root.
    for (const d of drafts.values()) addEdge(edges, root.ref, d.ref, 'required');
  }
  for (const [entry, draft] of drafts) {
    for (const field of ['dependencies', 'optionalDependencies'] as const) {
      const deps = entry[field];
      if (deps === undefined) continue;
      if (!isObject(deps)) throw invalid(source, `${draft.ref}: "${field}" must be a section`);
      for (const [name, range] of Object.entries(deps)) {
        const to = lookup(name, String(range)) ?? wsByName.get(name)?.ref;
        if (to) addEdge(edges, draft.ref, to, field === 'dependencies' ? 'required' : 'optional');
        else if (field === 'dependencies')
          warnings.push(
            `${draft.ref} depends on ${name}@${String(range)}, which the lockfile does not list`,
          );
      }
    }
  }
  return finish('classic', 'classic', root, wsComponents, drafts.values(), edges, warnings);
}

// ---------------------------------------------------------------------------------------------
// berry

/** `name@npm%3A1.0.0` inside a patch locator → `name@npm:1.0.0`. */
function patchSource(rest: string): string | undefined {
  // rest = `patch:<encoded source descriptor>#<patch path>[::params]`
  const body = rest.slice('patch:'.length);
  const hash = body.indexOf('#');
  if (hash < 0) return undefined;
  try {
    return decodeURIComponent(body.slice(0, hash));
  } catch {
    return undefined;
  }
}

function readBerry(
  lock: Json,
  source: string,
  version: number,
  manifest: ManifestInput | undefined,
  workspaces: WorkspaceManifests,
): LockfileResult {
  const warnings: string[] = [];
  const refs = new RefAllocator();
  const root = rootComponent(refs, manifest, 'project');
  const byDescriptor = new Map<string, string>(); // descriptor → resolution
  const byResolution = new Map<string, Json>();
  for (const [key, entry] of Object.entries(lock)) {
    if (key === '__metadata') continue;
    if (!isObject(entry)) throw invalid(source, `entry "${key}" is not a mapping`);
    const resolution = str(entry['resolution']);
    if (!resolution) throw invalid(source, `entry "${key}" has no "resolution"`);
    if (!splitAtVersion(resolution)) throw invalid(source, `"${resolution}" is not a locator`);
    for (const d of key.split(/,\s*/)) byDescriptor.set(d.trim(), resolution);
    if (!byResolution.has(resolution)) byResolution.set(resolution, entry);
  }
  // yarn applies its builtin compat patches (fsevents, resolve, typescript) to a dependency in
  // place: a descriptor with a builtin patch resolves to the patched package.
  const builtinPatch = new Map<string, string>();
  for (const [descriptor, resolution] of byDescriptor) {
    const split = splitAtVersion(descriptor)!;
    if (!split?.rest.startsWith('patch:') || !split.rest.includes('builtin<')) continue;
    const inner = patchSource(split.rest);
    if (inner) builtinPatch.set(inner, resolution);
  }

  const wsComponents: SbomComponent[] = [];
  const refOf = new Map<string, string>(); // resolution → ref
  const drafts: Draft[] = [];
  for (const resolution of [...byResolution.keys()].sort()) {
    const entry = byResolution.get(resolution)!;
    const { name: locName, rest } = splitAtVersion(resolution)!;
    if (rest.startsWith('workspace:')) {
      const path = rest.slice('workspace:'.length);
      if (path === '.') {
        refOf.set(resolution, root.ref);
        continue;
      }
      const c = workspaceComponent(refs, path, workspaces.get(path), { name: locName });
      wsComponents.push(c);
      refOf.set(resolution, c.ref);
      continue;
    }
    const version = str(entry['version']);
    const properties: Record<string, string> = { 'vouch:yarn:resolution': resolution };
    const checksum = str(entry['checksum']);
    if (checksum) properties['vouch:yarn:checksum'] = checksum;
    const linkType = str(entry['linkType']);
    if (linkType === 'soft') properties['vouch:yarn:linkType'] = 'soft';
    const conditions = str(entry['conditions']);
    if (conditions) properties['vouch:yarn:conditions'] = conditions;
    let full = locName;
    let src: ReturnType<typeof sourceOf> = { qualifiers: {}, references: [] };
    if (rest.startsWith('npm:')) {
      // registry package; the registry is yarn's configuration, not the lockfile's
    } else if (rest.startsWith('patch:')) {
      const inner = patchSource(rest);
      if (inner) properties['vouch:yarn:patch'] = inner;
    } else if (/^https?:\/\//.test(rest) || /^(git\+|git:\/\/|github:)/.test(rest)) {
      const commit = /#(?:.*&)?commit=([0-9a-f]+)/.exec(rest)?.[1];
      const url = rest.replace(/#.*$/, '');
      if (commit || /\.git$/.test(url) || rest.startsWith('git')) {
        src = sourceOf(undefined, { repo: url, ...(commit ? { commit } : {}) });
      } else {
        src = sourceOf(url);
        full = nameFromTarballUrl(url)?.name ?? locName;
      }
    } else {
      // file:, link:, portal:, exec: and other local protocols
      const local = rest.replace(/::.*$/, '');
      properties['vouch:npm:resolved'] = local.includes('#')
        ? local.slice(local.indexOf('#') + 1)
        : local;
    }
    const { group, name } = splitNpmName(full);
    const ref = refs.take(version ? `${full}@${version}` : full, resolution);
    refOf.set(resolution, ref);
    drafts.push({
      ref,
      fields: {
        name,
        group,
        version,
        purl: buildPurl('npm', group, name, version, src.qualifiers),
        ecosystem: 'npm',
        externalReferences: src.references,
        properties,
      },
    });
  }

  const resolve = (name: string, range: string, parent: string): string | undefined => {
    // file: and other relative descriptors are bound to the locator of the package naming them.
    const bound = `${name}@${range}::locator=${encodeURIComponent(parent)}`;
    for (const d of [`${name}@${range}`, `${name}@npm:${range}`, bound]) {
      const patched = builtinPatch.get(d);
      const resolution = patched ?? byDescriptor.get(d);
      if (resolution) return refOf.get(resolution);
    }
    return undefined;
  };
  const edges: ScopedEdges = new Map();
  for (const c of wsComponents) addEdge(edges, root.ref, c.ref, 'required');
  const manifestOf = (resolution: string): ManifestInput | undefined => {
    const rest = splitAtVersion(resolution)!.rest;
    if (!rest.startsWith('workspace:')) return undefined;
    const path = rest.slice('workspace:'.length);
    return path === '.' ? manifest : workspaces.get(path);
  };
  for (const [resolution, entry] of byResolution) {
    const from = refOf.get(resolution)!;
    const deps = entry['dependencies'];
    if (deps !== undefined && !isObject(deps))
      throw invalid(source, `"${resolution}": "dependencies" must be a mapping`);
    const meta = isObject(entry['dependenciesMeta']) ? entry['dependenciesMeta'] : {};
    const wsManifest = manifestOf(resolution);
    const fields = manifestDeps(wsManifest);
    const listed = new Set<string>();
    for (const [name, range] of Object.entries(deps ?? {})) {
      listed.add(name);
      const to = resolve(name, String(range), resolution);
      const m = meta[name];
      const optional = isObject(m) && m['optional'] === true;
      const field = fields.get(name);
      const kind: ComponentScope = field ? KIND[field] : optional ? 'optional' : 'required';
      if (to) addEdge(edges, from, to, kind);
      else
        warnings.push(
          `${resolution} depends on ${name}@${String(range)}, which the lockfile does not list`,
        );
    }
    if (wsManifest) {
      const problems: string[] = [];
      for (const name of fields.keys())
        if (!listed.has(name))
          problems.push(`${fields.get(name)}.${name} is in package.json but not in the lockfile`);
      for (const name of listed)
        if (!fields.has(name)) problems.push(`${name} is in the lockfile but not in package.json`);
      throwOutOfSync(source, wsManifest.source, problems);
    }
    // A patched package is built from its source package.
    const patch = splitAtVersion(resolution)!.rest;
    if (patch.startsWith('patch:')) {
      const inner = patchSource(patch);
      const base = inner ? byDescriptor.get(inner) : undefined;
      if (base && refOf.get(base)) addEdge(edges, from, refOf.get(base)!, 'required');
    }
  }
  return finish('berry', `berry-${version}`, root, wsComponents, drafts, edges, warnings);
}

/**
 * Reads yarn.lock (text or already parsed), classic or berry. `manifest` is the package.json
 * beside it; `workspaces` the package.json of each workspace member by path, when read.
 */
export function readYarnLockfile(
  input: string | YarnLockfile,
  source: string,
  manifest?: ManifestInput,
  workspaces: WorkspaceManifests = new Map(),
): LockfileResult {
  const lock = typeof input === 'string' ? parseYarnLockfile(input, source) : input;
  return lock.format === 'berry'
    ? readBerry(lock.value, source, lock.version, manifest, workspaces)
    : readClassic(lock.value, source, manifest, workspaces);
}
