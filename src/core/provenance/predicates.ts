/**
 * Predicate types vouch writes or accepts, and the checks that tie a predicate file to a type.
 */
import { VouchError } from '../../errors.ts';
import { SLSA_PROVENANCE_V1 } from './slsa.ts';

export const CYCLONEDX_PREDICATE = 'https://cyclonedx.org/bom';
export const SPDX_PREDICATE = 'https://spdx.dev/Document/v2.3';
/** Older attestations use the unversioned SPDX type; it is accepted when reading, never written. */
export const SPDX_PREDICATE_UNVERSIONED = 'https://spdx.dev/Document';

export type SbomKind = 'cyclonedx' | 'spdx';

export function isSbomPredicateType(type: string): boolean {
  return (
    type === CYCLONEDX_PREDICATE ||
    type.startsWith(`${CYCLONEDX_PREDICATE}/`) ||
    type === SPDX_PREDICATE ||
    type === SPDX_PREDICATE_UNVERSIONED
  );
}

/** The predicate type for an SBOM of this kind. */
export function sbomPredicateType(kind: SbomKind): string {
  return kind === 'cyclonedx' ? CYCLONEDX_PREDICATE : SPDX_PREDICATE;
}

/**
 * What a JSON document looks like, in a few words, for messages: `CycloneDX 1.6`, `SPDX-2.3`,
 * `an in-toto statement`, `a JSON object with keys a, b, c`.
 */
export function describeDocument(doc: unknown): string {
  if (doc === null) return 'null';
  if (Array.isArray(doc)) return `a JSON array of ${doc.length} items`;
  if (typeof doc !== 'object') return `a JSON ${typeof doc}`;
  const o = doc as Record<string, unknown>;
  if (o['bomFormat'] === 'CycloneDX')
    return `CycloneDX ${String(o['specVersion'] ?? '(no specVersion)')}`;
  if (typeof o['spdxVersion'] === 'string') return String(o['spdxVersion']);
  if (
    typeof o['_type'] === 'string' &&
    String(o['_type']).startsWith('https://in-toto.io/Statement')
  )
    return 'an in-toto statement';
  if (typeof o['mediaType'] === 'string')
    return `a document of media type ${String(o['mediaType'])}`;
  const keys = Object.keys(o);
  if (keys.length === 0) return 'an empty JSON object';
  return `a JSON object with keys ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}`;
}

/** The SBOM kind of a parsed JSON document, or undefined. */
export function detectSbomKind(doc: unknown): SbomKind | undefined {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  const o = doc as Record<string, unknown>;
  if (o['bomFormat'] === 'CycloneDX') return 'cyclonedx';
  if (typeof o['spdxVersion'] === 'string' && /^SPDX-2\.\d+$/.test(o['spdxVersion'])) return 'spdx';
  return undefined;
}

/**
 * Checks that a declared predicate type fits the document. An SBOM type needs an SBOM of that
 * kind; the SLSA provenance type is refused here (`vouch provenance` makes provenance, built
 * from the real build context, not from a file).
 */
export function checkPredicateFits(predicateType: string, doc: unknown, source: string): void {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new VouchError(
      'PREDICATE_INVALID',
      `${source}: a predicate must be a JSON object, found ${describeDocument(doc)}`,
    );
  }
  if (predicateType === SLSA_PROVENANCE_V1) {
    throw new VouchError(
      'PREDICATE_TYPE_INVALID',
      `${source}: SLSA provenance is made by \`vouch provenance\` from the build context, not from a file`,
      { hint: 'Run `vouch provenance` (or the provenance action) instead.' },
    );
  }
  if (!isSbomPredicateType(predicateType)) return;
  const kind = detectSbomKind(doc);
  const wanted: SbomKind = predicateType.startsWith(CYCLONEDX_PREDICATE) ? 'cyclonedx' : 'spdx';
  if (kind !== wanted) {
    throw new VouchError(
      'SBOM_PREDICATE_MISMATCH',
      `${source}: predicate type ${predicateType} needs a ${wanted === 'cyclonedx' ? 'CycloneDX' : 'SPDX'} SBOM, found ${describeDocument(doc)}`,
    );
  }
}
