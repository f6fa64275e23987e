/**
 * CycloneDX 1.6 / 1.5 JSON from the model, written by hand in a fixed key order (no library
 * load on the hot path). Components are sorted; with `reproducible` the serialNumber is derived
 * from the content, so equal input gives byte-equal output.
 */
import { createHash, randomUUID } from 'node:crypto';
import licenseIds from 'spdx-license-ids/index.json' with { type: 'json' };
import deprecatedIds from 'spdx-license-ids/deprecated.json' with { type: 'json' };
import type { Sbom, SbomComponent } from './model.ts';

export type CycloneDxVersion = '1.5' | '1.6';

export interface WriteOptions {
  /** Derive the serial number / namespace from the content instead of at random. */
  readonly reproducible?: boolean;
}

export interface CycloneDxOptions extends WriteOptions {
  readonly specVersion?: CycloneDxVersion;
}

const SPDX_IDS: ReadonlySet<string> = new Set([
  ...(licenseIds as string[]),
  ...(deprecatedIds as string[]),
]);

/** A v5-shaped UUID from a SHA-256 of `text` (stable for equal input). */
export function contentUuid(text: string): string {
  const h = createHash('sha256').update(text).digest('hex').slice(0, 32).split('');
  h[12] = '5';
  h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** Sort key: purl (or name), then version, then ref. */
export function compareComponents(a: SbomComponent, b: SbomComponent): number {
  const ka = a.purl ?? `~${a.group ?? ''}/${a.name}@${a.version ?? ''}`;
  const kb = b.purl ?? `~${b.group ?? ''}/${b.name}@${b.version ?? ''}`;
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0;
}

function licensesOf(license: string | undefined): unknown[] | undefined {
  if (!license) return undefined;
  if (SPDX_IDS.has(license)) return [{ license: { id: license } }];
  return [{ expression: license }];
}

function propertiesOf(c: SbomComponent): { name: string; value: string }[] | undefined {
  const props: Record<string, string> = { ...(c.properties ?? {}) };
  if (c.scope === 'dev') {
    if (c.ecosystem === 'npm') props['cdx:npm:package:development'] = 'true';
    else props['vouch:development'] = 'true';
  }
  const names = Object.keys(props).sort();
  return names.length > 0 ? names.map((name) => ({ name, value: props[name]! })) : undefined;
}

function componentJson(c: SbomComponent, isRoot: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { type: c.type, 'bom-ref': c.ref };
  if (c.group) out['group'] = c.group;
  out['name'] = c.name;
  if (c.version) out['version'] = c.version;
  // Cargo dev-only crates are `excluded` (not in the runtime call graph), as cargo-cyclonedx
  // writes non-runtime crates; npm dev packages stay `optional`, as cyclonedx-npm writes them.
  if (!isRoot)
    out['scope'] =
      c.scope === 'required'
        ? 'required'
        : c.scope === 'dev' && c.ecosystem === 'cargo'
          ? 'excluded'
          : 'optional';
  if (c.hashes.length > 0)
    out['hashes'] = c.hashes.map((h) => ({ alg: h.alg, content: h.content }));
  const licenses = licensesOf(c.license);
  if (licenses) out['licenses'] = licenses;
  if (c.purl) out['purl'] = c.purl;
  if (c.externalReferences.length > 0)
    out['externalReferences'] = c.externalReferences.map((r) => ({ url: r.url, type: r.type }));
  const props = propertiesOf(c);
  if (props) out['properties'] = props;
  return out;
}

/** Serialises the model as CycloneDX JSON (1.6 unless told 1.5). */
export function writeCycloneDx(sbom: Sbom, options: CycloneDxOptions = {}): string {
  const specVersion = options.specVersion ?? '1.6';
  const components = [...sbom.components].sort(compareComponents);
  const metadata: Record<string, unknown> = {};
  if (sbom.timestamp) metadata['timestamp'] = sbom.timestamp;
  metadata['tools'] = {
    components: sbom.tools.map((t) => ({
      type: 'application',
      ...(t.vendor ? { group: t.vendor } : {}),
      name: t.name,
      ...(t.version ? { version: t.version } : {}),
    })),
  };
  if (sbom.root) metadata['component'] = componentJson(sbom.root, true);
  const refs = [...(sbom.root ? [sbom.root.ref] : []), ...components.map((c) => c.ref)];
  const known = new Set(refs);
  const dependencies = [...refs].sort().map((ref) => ({
    ref,
    dependsOn: [...new Set(sbom.dependencies.get(ref) ?? [])].filter((d) => known.has(d)).sort(),
  }));
  const body = {
    components: components.map((c) => componentJson(c, false)),
    dependencies,
  };
  const serialNumber =
    sbom.serialNumber && /^urn:uuid:/.test(sbom.serialNumber)
      ? sbom.serialNumber
      : `urn:uuid:${options.reproducible ? contentUuid(JSON.stringify([specVersion, metadata, body])) : randomUUID()}`;
  const doc = {
    $schema: `http://cyclonedx.org/schema/bom-${specVersion}.schema.json`,
    bomFormat: 'CycloneDX',
    specVersion,
    serialNumber,
    version: 1,
    metadata,
    ...body,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
