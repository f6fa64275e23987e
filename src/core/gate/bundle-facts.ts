/**
 * What a Sigstore bundle claims, read without trusting it: the digest a message signature covers,
 * or the in-toto statement inside a DSSE envelope. Verification happens elsewhere; the gate uses
 * these claims only to pair bundles with release files, and then relies on the verified outcome.
 */
import { createHash } from 'node:crypto';
import { isSbomPredicate } from './decide.ts';
import { SLSA_PROVENANCE_V1_TYPE, type SbomFacts, type Subject } from './model.ts';

export interface StatementClaims {
  readonly predicateType: string;
  readonly subjects: readonly Subject[];
  readonly predicate: unknown;
}

export type BundleClaims =
  | { readonly kind: 'message-signature'; readonly digest?: string }
  | { readonly kind: 'dsse'; readonly statement?: StatementClaims; readonly error?: string }
  | { readonly kind: 'unknown'; readonly error: string };

function obj(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Reads the claims of a parsed bundle (v0.1–v0.3 JSON). */
export function readBundleClaims(doc: unknown): BundleClaims {
  const bundle = obj(doc);
  if (!bundle) return { kind: 'unknown', error: 'not a JSON object' };
  const message = obj(bundle['messageSignature']);
  if (message) {
    const md = obj(message['messageDigest']);
    const digest =
      md && md['algorithm'] === 'SHA2_256' && typeof md['digest'] === 'string'
        ? Buffer.from(md['digest'], 'base64').toString('hex')
        : undefined;
    return digest ? { kind: 'message-signature', digest } : { kind: 'message-signature' };
  }
  const envelope = obj(bundle['dsseEnvelope']);
  if (envelope) {
    if (typeof envelope['payload'] !== 'string') {
      return { kind: 'dsse', error: 'the DSSE envelope has no payload' };
    }
    let statement: unknown;
    try {
      statement = JSON.parse(Buffer.from(envelope['payload'], 'base64').toString('utf8'));
    } catch {
      return { kind: 'dsse', error: 'the DSSE payload is not JSON' };
    }
    const s = obj(statement);
    if (!s || typeof s['predicateType'] !== 'string' || !Array.isArray(s['subject'])) {
      return { kind: 'dsse', error: 'the DSSE payload is not an in-toto statement' };
    }
    const subjects: Subject[] = [];
    for (const entry of s['subject'] as unknown[]) {
      const e = obj(entry);
      const d = obj(e?.['digest']);
      const sha = typeof d?.['sha256'] === 'string' ? d['sha256'].toLowerCase() : undefined;
      subjects.push({
        name: typeof e?.['name'] === 'string' ? e['name'] : '',
        ...(sha ? { sha256: sha } : {}),
      });
    }
    return {
      kind: 'dsse',
      statement: { predicateType: s['predicateType'], subjects, predicate: s['predicate'] },
    };
  }
  return { kind: 'unknown', error: 'neither a message signature nor a DSSE envelope' };
}

/** The builder id of an SLSA v1 provenance predicate, if it has one. */
export function readBuilderId(claims: StatementClaims): string | undefined {
  if (claims.predicateType !== SLSA_PROVENANCE_V1_TYPE) return undefined;
  const builder = obj(obj(obj(claims.predicate)?.['runDetails'])?.['builder']);
  return typeof builder?.['id'] === 'string' ? builder['id'] : undefined;
}

/** sha256 (hex) of a predicate, over its JSON serialisation as carried in the statement. */
export function digestPredicate(predicate: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(predicate ?? null))
    .digest('hex');
}

/** A minimal view of the parsed SBOM model, as `parseSbom` returns it. */
export interface ParsedSbomView {
  readonly sourceFormat?: string;
  readonly specVersion?: string;
  readonly components: readonly {
    readonly type: string;
    readonly hashes: readonly { readonly alg: string; readonly content: string }[];
  }[];
}

/**
 * Facts about the SBOM inside an SBOM attestation. `read` parses the predicate (the shared SBOM
 * reader); a failure is recorded, not thrown, so the gate refuses with a reason.
 */
export function describeAttestedSbom(
  claims: StatementClaims,
  read: (doc: unknown) => ParsedSbomView,
): SbomFacts | undefined {
  if (!isSbomPredicate(claims.predicateType)) return undefined;
  const digest = digestPredicate(claims.predicate);
  try {
    const sbom = read(claims.predicate);
    const fileDigests = sbom.components
      .filter((c) => c.type === 'file')
      .flatMap((c) =>
        c.hashes.filter((h) => h.alg === 'SHA-256').map((h) => h.content.toLowerCase()),
      );
    return {
      digest,
      format: `${sbom.sourceFormat === 'spdx' ? 'SPDX' : 'CycloneDX'}${sbom.specVersion ? ` ${sbom.specVersion}` : ''}`,
      componentCount: sbom.components.length,
      fileDigests,
    };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return {
      digest,
      format: 'unknown',
      componentCount: 0,
      fileDigests: [],
      error: { code: e.code ?? 'GATE_SBOM_INVALID', message: e.message ?? String(error) },
    };
  }
}
