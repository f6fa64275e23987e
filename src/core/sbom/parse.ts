/**
 * Reads an existing SBOM (CycloneDX 1.2–1.6 JSON, SPDX 2.2/2.3 JSON, or an in-toto Statement
 * carrying one as its predicate) into the one internal model. Pure: text in, model out.
 */
import { PackageURL } from 'packageurl-js';
import { VouchError } from '../../errors.ts';
import { parseJsonSafe } from '../safe-parse.ts';
import type {
  ComponentHash,
  ComponentScope,
  Ecosystem,
  ExternalReference,
  HashAlgorithm,
  Sbom,
  SbomComponent,
  SbomTool,
} from './model.ts';

/** Largest SBOM text accepted: 512 MiB. */
export const MAX_SBOM_BYTES = 512 * 1024 * 1024;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function arr(value: unknown, field: string, source: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new VouchError('SBOM_INVALID', `${source}: "${field}" must be an array`);
  }
  return value;
}

const HASH_ALGS: Readonly<Record<string, HashAlgorithm>> = {
  'SHA-1': 'SHA-1',
  SHA1: 'SHA-1',
  'SHA-256': 'SHA-256',
  SHA256: 'SHA-256',
  'SHA-384': 'SHA-384',
  SHA384: 'SHA-384',
  'SHA-512': 'SHA-512',
  SHA512: 'SHA-512',
  'SHA3-256': 'SHA3-256',
  'SHA3-512': 'SHA3-512',
  'BLAKE2B-256': 'BLAKE2b-256',
  'BLAKE2b-256': 'BLAKE2b-256',
};

function toHash(alg: unknown, content: unknown): ComponentHash | undefined {
  const a = typeof alg === 'string' ? (HASH_ALGS[alg] ?? HASH_ALGS[alg.toUpperCase()]) : undefined;
  if (!a || typeof content !== 'string' || !/^[0-9a-fA-F]+$/.test(content)) return undefined;
  return { alg: a, content: content.toLowerCase() };
}

export function ecosystemOfPurl(purl: string | undefined): Ecosystem {
  if (!purl) return 'generic';
  if (purl.startsWith('pkg:npm/')) return 'npm';
  if (purl.startsWith('pkg:cargo/')) return 'cargo';
  return 'generic';
}

function parsePurl(purl: string | undefined): PackageURL | undefined {
  if (!purl) return undefined;
  try {
    return PackageURL.fromString(purl);
  } catch {
    return undefined;
  }
}

/** `(A OR B)` → `A OR B`, only when the outer parentheses enclose the whole expression. */
export function stripOuterParens(expression: string): string {
  let e = expression.trim();
  while (e.startsWith('(') && e.endsWith(')')) {
    let depth = 0;
    let encloses = true;
    for (let i = 0; i < e.length - 1; i++) {
      if (e[i] === '(') depth++;
      else if (e[i] === ')') depth--;
      if (depth === 0) {
        encloses = false;
        break;
      }
    }
    if (!encloses) break;
    e = e.slice(1, -1).trim();
  }
  return e;
}

/** `LicenseRef-` form of a free-text license name. */
export function licenseRefOf(name: string): string {
  const id = name.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '');
  return `LicenseRef-${id || 'unknown'}`;
}

// npm purls with nothing to decode but a scope's `%40`, and Cargo purls without namespace, no
// qualifiers or subpath: the namespace is read off the text (the purl library lower-cases npm's).
const SIMPLE_PURL =
  /^pkg:(?:npm\/(?:%40([A-Za-z0-9._~-]+)\/)?|cargo\/)[A-Za-z0-9._~-]+(?:@[A-Za-z0-9._~+-]*)?$/;

/** Namespace of a purl as the purl library reads it; undefined when none or not a purl. */
export function purlNamespace(purl: string | undefined): string | undefined {
  if (!purl) return undefined;
  const m = SIMPLE_PURL.exec(purl);
  if (m) return m[1] !== undefined ? `@${m[1].toLowerCase()}` : undefined;
  return purlNamespaceSlow(purl);
}

/** purlNamespace through the purl library, for every purl (tests compare the two). */
export function purlNamespaceSlow(purl: string): string | undefined {
  return parsePurl(purl)?.namespace ?? undefined;
}

/** `@scope/name` written as one name (npm sbom) becomes group `@scope` and name `name`. */
function splitName(
  name: string,
  group: string | undefined,
  purl: string | undefined,
): { name: string; group?: string } {
  if (group) return { name, group };
  const ns = purlNamespace(purl);
  if (ns && name.startsWith(`${ns}/`)) return { name: name.slice(ns.length + 1), group: ns };
  return { name };
}

const COMPONENT_TYPES = new Set(['application', 'library', 'file', 'framework', 'container']);

function componentType(value: unknown): SbomComponent['type'] {
  return typeof value === 'string' && COMPONENT_TYPES.has(value)
    ? (value as SbomComponent['type'])
    : 'other';
}

const REF_TYPES = new Set(['distribution', 'vcs', 'website']);

function externalRefType(value: unknown): ExternalReference['type'] {
  return typeof value === 'string' && REF_TYPES.has(value)
    ? (value as ExternalReference['type'])
    : 'other';
}

function cdxLicense(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined;
  const parts: string[] = [];
  for (const entry of value) {
    if (!isObject(entry)) continue;
    const expression = str(entry['expression']);
    if (expression) {
      parts.push(value.length > 1 ? `(${expression})` : expression);
      continue;
    }
    const lic = entry['license'];
    if (!isObject(lic)) continue;
    const id = str(lic['id']);
    const name = str(lic['name']);
    if (id) parts.push(id);
    else if (name) parts.push(licenseRefOf(name));
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? stripOuterParens(parts[0]!) : parts.join(' AND ');
}

function cdxTools(metadata: Json): SbomTool[] {
  const tools = metadata['tools'];
  const list: unknown[] = Array.isArray(tools)
    ? tools
    : isObject(tools)
      ? [
          ...(Array.isArray(tools['components']) ? tools['components'] : []),
          ...(Array.isArray(tools['services']) ? tools['services'] : []),
        ]
      : [];
  const out: SbomTool[] = [];
  for (const t of list) {
    if (!isObject(t)) continue;
    const name = str(t['name']);
    if (!name) continue;
    const version = str(t['version']);
    const vendor = str(t['vendor']) ?? str(t['group']) ?? str(t['publisher']);
    out.push({ name, ...(version ? { version } : {}), ...(vendor ? { vendor } : {}) });
  }
  return out;
}

function readCdxComponent(c: Json, source: string, fallbackRef: string): SbomComponent {
  const name = str(c['name']);
  if (!name) throw new VouchError('SBOM_INVALID', `${source}: a component has no "name"`);
  const purl = str(c['purl']);
  const props: Record<string, string> = {};
  for (const p of arr(c['properties'], 'properties', source)) {
    if (isObject(p) && typeof p['name'] === 'string' && typeof p['value'] === 'string')
      props[p['name']] = p['value'];
  }
  const hashes: ComponentHash[] = [];
  for (const h of arr(c['hashes'], 'hashes', source)) {
    if (!isObject(h)) continue;
    const hash = toHash(h['alg'], h['content']);
    if (hash) hashes.push(hash);
  }
  const externalReferences: ExternalReference[] = [];
  for (const r of arr(c['externalReferences'], 'externalReferences', source)) {
    if (!isObject(r)) continue;
    const url = str(r['url']);
    if (url) externalReferences.push({ type: externalRefType(r['type']), url });
  }
  const dev = props['cdx:npm:package:development'] === 'true' || c['scope'] === 'excluded';
  const scope: ComponentScope = dev ? 'dev' : c['scope'] === 'optional' ? 'optional' : 'required';
  const version = str(c['version']);
  const license = cdxLicense(c['licenses']);
  const split = splitName(name, str(c['group']), purl);
  const group = split.group;
  return {
    ref: str(c['bom-ref']) ?? purl ?? fallbackRef,
    type: componentType(c['type']),
    name: split.name,
    ...(group ? { group } : {}),
    ...(version ? { version } : {}),
    ...(purl ? { purl } : {}),
    ecosystem: ecosystemOfPurl(purl),
    scope,
    hashes,
    ...(license ? { license } : {}),
    externalReferences,
    ...(Object.keys(props).length > 0 ? { properties: props } : {}),
  };
}

function readCycloneDx(doc: Json, source: string): Sbom {
  const specVersion = str(doc['specVersion']);
  if (!specVersion || !/^1\.[2-6]$/.test(specVersion)) {
    throw new VouchError(
      'SBOM_UNSUPPORTED_VERSION',
      `${source}: CycloneDX specVersion ${JSON.stringify(doc['specVersion'])} is not one vouch reads (1.2–1.6)`,
    );
  }
  const metadata = isObject(doc['metadata']) ? doc['metadata'] : {};
  const components: SbomComponent[] = [];
  const seen = new Set<string>();
  let counter = 0;
  const add = (c: SbomComponent): SbomComponent => {
    let ref = c.ref;
    while (seen.has(ref)) ref = `${c.ref}#${++counter}`;
    seen.add(ref);
    return ref === c.ref ? c : { ...c, ref };
  };
  let root: SbomComponent | undefined;
  if (isObject(metadata['component'])) {
    root = add(readCdxComponent(metadata['component'], source, 'root'));
  }
  const walk = (list: unknown, field: string): void => {
    for (const c of arr(list, field, source)) {
      if (!isObject(c))
        throw new VouchError('SBOM_INVALID', `${source}: a component is not an object`);
      components.push(add(readCdxComponent(c, source, `component-${components.length + 1}`)));
      if (c['components'] !== undefined) walk(c['components'], 'components[].components');
    }
  };
  walk(doc['components'], 'components');
  const dependencies = new Map<string, string[]>();
  for (const d of arr(doc['dependencies'], 'dependencies', source)) {
    if (!isObject(d)) continue;
    const ref = str(d['ref']);
    if (!ref || !seen.has(ref)) continue;
    const on = arr(d['dependsOn'], 'dependencies[].dependsOn', source).filter(
      (x): x is string => typeof x === 'string' && seen.has(x),
    );
    const prev = dependencies.get(ref) ?? [];
    dependencies.set(ref, [...new Set([...prev, ...on])]);
  }
  const timestamp = str(metadata['timestamp']);
  const serialNumber = str(doc['serialNumber']);
  return {
    sourceFormat: 'cyclonedx',
    specVersion,
    ...(root ? { root } : {}),
    components,
    dependencies,
    tools: cdxTools(metadata),
    ...(timestamp ? { timestamp } : {}),
    ...(serialNumber ? { serialNumber } : {}),
  };
}

function spdxLicense(concluded: unknown, declared: unknown): string | undefined {
  for (const v of [concluded, declared]) {
    const s = str(v);
    if (s && s !== 'NOASSERTION' && s !== 'NONE') return stripOuterParens(s);
  }
  return undefined;
}

function spdxLocation(value: unknown): ExternalReference | undefined {
  const url = str(value);
  if (!url || url === 'NOASSERTION' || url === 'NONE') return undefined;
  return { type: /^(git|hg|svn|bzr)\+/.test(url) ? 'vcs' : 'distribution', url };
}

function readSpdx(doc: Json, source: string): Sbom {
  const version = str(doc['spdxVersion']) ?? '';
  const m = /^SPDX-(2\.[23])$/.exec(version);
  if (!m) {
    throw new VouchError(
      'SBOM_UNSUPPORTED_VERSION',
      `${source}: spdxVersion ${JSON.stringify(doc['spdxVersion'])} is not one vouch reads (SPDX-2.2, SPDX-2.3)`,
    );
  }
  const byId = new Map<string, SbomComponent>();
  const order: string[] = [];
  const addComponent = (c: SbomComponent): void => {
    if (byId.has(c.ref)) return;
    byId.set(c.ref, c);
    order.push(c.ref);
  };
  for (const p of arr(doc['packages'], 'packages', source)) {
    if (!isObject(p)) throw new VouchError('SBOM_INVALID', `${source}: a package is not an object`);
    const id = str(p['SPDXID']);
    const name = str(p['name']);
    if (!id || !name) {
      throw new VouchError('SBOM_INVALID', `${source}: a package lacks "SPDXID" or "name"`);
    }
    let purl: string | undefined;
    const externalReferences: ExternalReference[] = [];
    for (const r of arr(p['externalRefs'], 'packages[].externalRefs', source)) {
      if (!isObject(r)) continue;
      const locator = str(r['referenceLocator']);
      if (r['referenceType'] === 'purl' && locator) purl ??= locator;
    }
    const location = spdxLocation(p['downloadLocation']);
    if (location) externalReferences.push(location);
    const homepage = str(p['homepage']);
    if (homepage && homepage !== 'NOASSERTION' && homepage !== 'NONE')
      externalReferences.push({ type: 'website', url: homepage });
    const hashes: ComponentHash[] = [];
    for (const h of arr(p['checksums'], 'packages[].checksums', source)) {
      if (!isObject(h)) continue;
      const hash = toHash(h['algorithm'], h['checksumValue']);
      if (hash) hashes.push(hash);
    }
    const split = splitName(name, undefined, purl);
    const version = str(p['versionInfo']);
    const license = spdxLicense(p['licenseConcluded'], p['licenseDeclared']);
    const purpose = str(p['primaryPackagePurpose']);
    addComponent({
      ref: id,
      type: purpose === 'APPLICATION' ? 'application' : purpose === 'FILE' ? 'file' : 'library',
      name: split.name,
      ...(split.group ? { group: split.group } : {}),
      ...(version ? { version } : {}),
      ...(purl ? { purl } : {}),
      ecosystem: ecosystemOfPurl(purl),
      scope: 'required',
      hashes,
      ...(license ? { license } : {}),
      externalReferences,
    });
  }
  for (const f of arr(doc['files'], 'files', source)) {
    if (!isObject(f)) continue;
    const id = str(f['SPDXID']);
    const name = str(f['fileName']);
    if (!id || !name) continue;
    const hashes: ComponentHash[] = [];
    for (const h of arr(f['checksums'], 'files[].checksums', source)) {
      if (!isObject(h)) continue;
      const hash = toHash(h['algorithm'], h['checksumValue']);
      if (hash) hashes.push(hash);
    }
    const license = spdxLicense(f['licenseConcluded'], undefined);
    addComponent({
      ref: id,
      type: 'file',
      name: name.replace(/^\.\//, ''),
      ecosystem: 'generic',
      scope: 'required',
      hashes,
      ...(license ? { license } : {}),
      externalReferences: [],
    });
  }

  const described: string[] = [];
  for (const d of arr(doc['documentDescribes'], 'documentDescribes', source))
    if (typeof d === 'string' && byId.has(d)) described.push(d);
  const deps = new Map<string, Set<string>>();
  const edges = new Map<string, Map<string, ComponentScope>>();
  let marked = false;
  const link = (from: string, to: string, kind: ComponentScope = 'required'): void => {
    if (!byId.has(from) || !byId.has(to) || from === to) return;
    let set = deps.get(from);
    if (!set) deps.set(from, (set = new Set()));
    set.add(to);
    let kinds = edges.get(from);
    if (!kinds) edges.set(from, (kinds = new Map()));
    const prev = kinds.get(to);
    if (prev === undefined || RANK[kind] > RANK[prev]) kinds.set(to, kind);
    if (kind !== 'required') marked = true;
  };
  for (const r of arr(doc['relationships'], 'relationships', source)) {
    if (!isObject(r)) continue;
    const a = str(r['spdxElementId']);
    const b = str(r['relatedSpdxElement']);
    const type = str(r['relationshipType']);
    if (!a || !b || !type) continue;
    switch (type) {
      case 'DESCRIBES':
        if (a === 'SPDXRef-DOCUMENT' && byId.has(b) && !described.includes(b)) described.push(b);
        break;
      case 'DESCRIBED_BY':
        if (b === 'SPDXRef-DOCUMENT' && byId.has(a) && !described.includes(a)) described.push(a);
        break;
      case 'DEPENDS_ON':
      case 'CONTAINS':
        link(a, b);
        break;
      case 'DEPENDENCY_OF':
      case 'RUNTIME_DEPENDENCY_OF':
      case 'CONTAINED_BY':
      case 'PREREQUISITE_FOR':
        link(b, a);
        break;
      case 'HAS_PREREQUISITE':
        link(a, b);
        break;
      case 'DEV_DEPENDENCY_OF':
      case 'BUILD_DEPENDENCY_OF':
      case 'TEST_DEPENDENCY_OF':
        link(b, a, 'dev');
        break;
      case 'OPTIONAL_DEPENDENCY_OF':
        link(b, a, 'optional');
        break;
      default:
        break;
    }
  }
  const rootId = described[0];
  const root = rootId ? byId.get(rootId) : undefined;
  const scopes =
    rootId && marked ? propagateScopes(rootId, edges) : new Map<string, ComponentScope>();
  const components: SbomComponent[] = [];
  for (const id of order) {
    if (id === rootId) continue;
    const c = byId.get(id)!;
    const scope = scopes.get(id);
    components.push(scope && scope !== c.scope ? { ...c, scope } : c);
  }
  const dependencies = new Map<string, string[]>();
  for (const [from, set] of deps) dependencies.set(from, [...set]);

  const creationInfo = isObject(doc['creationInfo']) ? doc['creationInfo'] : {};
  const tools: SbomTool[] = [];
  for (const creator of arr(creationInfo['creators'], 'creationInfo.creators', source)) {
    if (typeof creator !== 'string' || !creator.startsWith('Tool:')) continue;
    const text = creator.slice(5).trim();
    const tm = /^(.*?)[-@ ]v?(\d[\w.+-]*)$/.exec(text);
    tools.push(tm ? { name: tm[1]!, version: tm[2]! } : { name: text });
  }
  const timestamp = str(creationInfo['created']);
  const namespace = str(doc['documentNamespace']);
  return {
    sourceFormat: 'spdx',
    specVersion: m[1]!,
    ...(root ? { root } : {}),
    components,
    dependencies,
    tools,
    ...(timestamp ? { timestamp } : {}),
    ...(namespace ? { serialNumber: namespace } : {}),
  };
}

const RANK: Readonly<Record<ComponentScope, number>> = { required: 2, optional: 1, dev: 0 };

/**
 * Scope of each element reachable from the root: required when a path of required edges leads
 * to it, optional when the best path has an optional edge, dev when every path has a dev edge.
 */
function propagateScopes(
  rootId: string,
  edges: ReadonlyMap<string, ReadonlyMap<string, ComponentScope>>,
): Map<string, ComponentScope> {
  const best = new Map<string, ComponentScope>([[rootId, 'required']]);
  const queue: string[] = [rootId];
  while (queue.length > 0) {
    const from = queue.shift()!;
    const here = best.get(from)!;
    for (const [to, kind] of edges.get(from) ?? []) {
      const scope = RANK[kind] < RANK[here] ? kind : here;
      const prev = best.get(to);
      if (prev === undefined || RANK[scope] > RANK[prev]) {
        best.set(to, scope);
        queue.push(to);
      }
    }
  }
  return best;
}

const CDX_PREDICATE = /^https:\/\/cyclonedx\.org\/bom(\/v?[\d.]+)?$/;
const SPDX_PREDICATE = /^https:\/\/spdx\.dev\/Document(\/v?[\d.]+)?$/;

function describe(value: unknown): string {
  if (Array.isArray(value)) return `a JSON array of ${value.length} items`;
  if (!isObject(value)) return `a JSON ${value === null ? 'null' : typeof value}`;
  const keys = Object.keys(value).slice(0, 8);
  return keys.length === 0 ? 'an empty JSON object' : `a JSON object with keys ${keys.join(', ')}`;
}

/**
 * Parses CycloneDX 1.2–1.6 JSON, SPDX 2.2/2.3 JSON, or an in-toto Statement whose predicate is
 * one of them. Throws VouchError JSON_INVALID / UNSAFE_KEY / FILE_TOO_LARGE for bad JSON, and
 * SBOM_UNKNOWN_FORMAT, SBOM_UNSUPPORTED_VERSION, SBOM_INVALID for the document itself.
 */
export function parseSbom(text: string, source: string): Sbom {
  const doc = parseJsonSafe(text, source, { maxBytes: MAX_SBOM_BYTES });
  return readSbomObject(doc, source);
}

/** As parseSbom, for an already-parsed (safely) JSON value. */
export function readSbomObject(doc: unknown, source: string): Sbom {
  if (!isObject(doc)) {
    throw new VouchError(
      'SBOM_UNKNOWN_FORMAT',
      `${source} is neither CycloneDX nor SPDX JSON: found ${describe(doc)}`,
    );
  }
  if (doc['bomFormat'] === 'CycloneDX') return readCycloneDx(doc, source);
  if (typeof doc['spdxVersion'] === 'string') return readSpdx(doc, source);
  const type = str(doc['_type']);
  const predicateType = str(doc['predicateType']);
  if (type?.startsWith('https://in-toto.io/Statement/') && predicateType) {
    const predicate = doc['predicate'];
    if (CDX_PREDICATE.test(predicateType) || SPDX_PREDICATE.test(predicateType)) {
      return readSbomObject(predicate, `${source} (predicate)`);
    }
    throw new VouchError(
      'SBOM_UNKNOWN_FORMAT',
      `${source} is an in-toto statement with predicateType ${predicateType}, not an SBOM`,
    );
  }
  if (typeof doc['bomFormat'] === 'string') {
    throw new VouchError(
      'SBOM_UNKNOWN_FORMAT',
      `${source} has bomFormat "${doc['bomFormat']}"; only CycloneDX is read`,
    );
  }
  if (typeof doc['payloadType'] === 'string' && typeof doc['payload'] === 'string') {
    throw new VouchError(
      'SBOM_UNKNOWN_FORMAT',
      `${source} is a DSSE envelope (${doc['payloadType']}); verify it and read its payload instead`,
    );
  }
  throw new VouchError(
    'SBOM_UNKNOWN_FORMAT',
    `${source} is neither CycloneDX (no "bomFormat") nor SPDX (no "spdxVersion") JSON: found ${describe(doc)}`,
  );
}
