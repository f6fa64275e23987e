/**
 * SPDX 2.3 JSON from the model: one package per component (release files are packages with
 * purpose FILE), purl externalRefs, checksums, NOASSERTION where nothing is known, and DESCRIBES /
 * DEPENDS_ON / CONTAINS relationships that only name elements of the document.
 */
import { randomUUID } from 'node:crypto';
import { compareComponents, contentUuid, type WriteOptions } from './cyclonedx.ts';
import type { HashAlgorithm, Sbom, SbomComponent } from './model.ts';

const SPDX_ALG: Readonly<Record<HashAlgorithm, string>> = {
  'SHA-1': 'SHA1',
  'SHA-256': 'SHA256',
  'SHA-384': 'SHA384',
  'SHA-512': 'SHA512',
  'SHA3-256': 'SHA3-256',
  'SHA3-512': 'SHA3-512',
  'BLAKE2b-256': 'BLAKE2b-256',
};

const PURPOSE: Readonly<Record<SbomComponent['type'], string>> = {
  application: 'APPLICATION',
  library: 'LIBRARY',
  file: 'FILE',
  framework: 'FRAMEWORK',
  container: 'CONTAINER',
  other: 'OTHER',
};

function fullName(c: SbomComponent): string {
  if (!c.group) return c.name;
  return c.ecosystem === 'npm' ? `${c.group}/${c.name}` : `${c.group}/${c.name}`;
}

function spdxIdFor(ref: string, used: Set<string>): string {
  const base = `SPDXRef-Package-${ref.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '')}`;
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
  used.add(id);
  return id;
}

function licenseRefs(expression: string | undefined, into: Set<string>): void {
  if (!expression) return;
  for (const m of expression.matchAll(/LicenseRef-[A-Za-z0-9.-]+/g)) into.add(m[0]);
}

function packageJson(c: SbomComponent, id: string): Record<string, unknown> {
  const download =
    c.externalReferences.find((r) => r.type === 'distribution') ??
    c.externalReferences.find((r) => r.type === 'vcs');
  const website = c.externalReferences.find((r) => r.type === 'website');
  const out: Record<string, unknown> = {
    name: fullName(c),
    SPDXID: id,
  };
  if (c.version) out['versionInfo'] = c.version;
  out['downloadLocation'] = download?.url ?? 'NOASSERTION';
  out['filesAnalyzed'] = false;
  if (website) out['homepage'] = website.url;
  if (c.hashes.length > 0)
    out['checksums'] = c.hashes.map((h) => ({
      algorithm: SPDX_ALG[h.alg],
      checksumValue: h.content,
    }));
  out['licenseConcluded'] = 'NOASSERTION';
  out['licenseDeclared'] = c.license ?? 'NOASSERTION';
  out['copyrightText'] = 'NOASSERTION';
  if (c.purl)
    out['externalRefs'] = [
      { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: c.purl },
    ];
  out['primaryPackagePurpose'] = PURPOSE[c.type];
  return out;
}

/** Serialises the model as SPDX 2.3 JSON. */
export function writeSpdx(sbom: Sbom, options: WriteOptions = {}): string {
  const used = new Set<string>();
  const idOf = new Map<string, string>();
  const components = [...sbom.components].sort(compareComponents);
  const ordered = [...(sbom.root ? [sbom.root] : []), ...components];
  for (const c of ordered) idOf.set(c.ref, spdxIdFor(c.ref, used));
  const refsUsed = new Set<string>();
  const packages = ordered.map((c) => {
    licenseRefs(c.license, refsUsed);
    return packageJson(c, idOf.get(c.ref)!);
  });
  const relationships: {
    spdxElementId: string;
    relationshipType: string;
    relatedSpdxElement: string;
  }[] = [];
  const rootId = sbom.root ? idOf.get(sbom.root.ref)! : undefined;
  if (rootId) {
    relationships.push({
      spdxElementId: 'SPDXRef-DOCUMENT',
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: rootId,
    });
  } else {
    for (const c of components)
      relationships.push({
        spdxElementId: 'SPDXRef-DOCUMENT',
        relationshipType: 'DESCRIBES',
        relatedSpdxElement: idOf.get(c.ref)!,
      });
  }
  for (const from of ordered) {
    const fromId = idOf.get(from.ref)!;
    const targets = [...new Set(sbom.dependencies.get(from.ref) ?? [])]
      .map((r) => idOf.get(r))
      .filter((id): id is string => id !== undefined)
      .sort();
    for (const to of targets) {
      relationships.push({
        spdxElementId: fromId,
        relationshipType: 'DEPENDS_ON',
        relatedSpdxElement: to,
      });
    }
  }
  if (rootId) {
    for (const c of components) {
      if (c.type === 'file')
        relationships.push({
          spdxElementId: rootId,
          relationshipType: 'CONTAINS',
          relatedSpdxElement: idOf.get(c.ref)!,
        });
    }
  }
  const name = sbom.root
    ? `${fullName(sbom.root)}${sbom.root.version ? `@${sbom.root.version}` : ''}`
    : 'sbom';
  const creators = sbom.tools.map((t) => `Tool: ${t.name}${t.version ? `-${t.version}` : ''}`);
  const created = sbom.timestamp ?? new Date(0).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const body = {
    packages,
    relationships,
    ...(refsUsed.size > 0
      ? {
          hasExtractedLicensingInfos: [...refsUsed].sort().map((licenseId) => ({
            licenseId,
            name: licenseId.slice('LicenseRef-'.length),
            extractedText: `The license was given as "${licenseId.slice('LicenseRef-'.length)}", which is not an SPDX identifier.`,
          })),
        }
      : {}),
  };
  const uuid = options.reproducible
    ? contentUuid(JSON.stringify([name, created, creators, body]))
    : randomUUID();
  const safeName = name.replace(/[^A-Za-z0-9._@-]+/g, '-');
  const doc = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace: `https://spdx.org/spdxdocs/${safeName}-${uuid}`,
    creationInfo: { created, creators },
    ...body,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
