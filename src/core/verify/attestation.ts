/**
 * Attestation checks on a verified DSSE envelope: one signature, the in-toto payload type, an
 * in-toto Statement v1 whose subjects carry sha256/sha512 digests, the artifact among them, and
 * the predicate type asked for.
 */
import { VouchError } from '../../errors.ts';
import { parseJsonSafe } from '../safe-parse.ts';

export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_V1 = 'https://in-toto.io/Statement/v1';

export interface DsseEnvelopeLike {
  readonly payloadType: string;
  readonly payload: Uint8Array;
  readonly signatures: readonly unknown[];
}

export interface StatementSubject {
  readonly name: string;
  readonly digest: Readonly<Record<string, string>>;
}

export interface Statement {
  readonly _type: string;
  readonly subject: readonly StatementSubject[];
  readonly predicateType: string;
  readonly predicate: unknown;
}

/** Digests of the artifact being verified, computed by vouch (lower-case hex). */
export interface ArtifactDigests {
  readonly sha256?: string;
  readonly sha512?: string;
}

const HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Parses the statement of an envelope, checking the envelope itself first. */
export function parseStatement(envelope: DsseEnvelopeLike, maxBytes = 16 * 1024 * 1024): Statement {
  if (envelope.signatures.length !== 1) {
    throw new VouchError(
      'VERIFY_DSSE_INVALID',
      `the DSSE envelope has ${envelope.signatures.length} signatures; exactly one is accepted`,
    );
  }
  if (envelope.payloadType !== INTOTO_PAYLOAD_TYPE) {
    throw new VouchError(
      'VERIFY_DSSE_INVALID',
      `the DSSE payload type is "${envelope.payloadType}", expected ${INTOTO_PAYLOAD_TYPE}`,
    );
  }
  if (envelope.payload.length > maxBytes) {
    throw new VouchError(
      'FILE_TOO_LARGE',
      `the attestation payload is larger than ${maxBytes} bytes`,
    );
  }
  let value: unknown;
  try {
    value = parseJsonSafe(Buffer.from(envelope.payload).toString('utf8'), 'DSSE payload', {
      maxBytes,
    });
  } catch (error) {
    if (error instanceof VouchError && error.code === 'FILE_TOO_LARGE') throw error;
    throw new VouchError('VERIFY_STATEMENT_INVALID', 'the DSSE payload is not valid JSON', {
      cause: error,
    });
  }
  if (!isRecord(value) || value['_type'] !== STATEMENT_V1) {
    throw new VouchError(
      'VERIFY_STATEMENT_INVALID',
      `the payload is not an in-toto Statement v1 (_type ${isRecord(value) ? JSON.stringify(value['_type']) : 'missing'})`,
    );
  }
  const subjects = value['subject'];
  if (!Array.isArray(subjects) || subjects.length === 0) {
    throw new VouchError('VERIFY_STATEMENT_INVALID', 'the statement has no subjects');
  }
  const parsed: StatementSubject[] = [];
  for (const [i, s] of subjects.entries()) {
    if (!isRecord(s) || !isRecord(s['digest'])) {
      throw new VouchError('VERIFY_STATEMENT_INVALID', `subject ${i} has no digest`);
    }
    const digest: Record<string, string> = {};
    for (const [alg, hex] of Object.entries(s['digest'])) {
      if (typeof hex !== 'string') {
        throw new VouchError(
          'VERIFY_STATEMENT_INVALID',
          `subject ${i}: digest ${alg} is not a string`,
        );
      }
      digest[alg] = hex.toLowerCase();
    }
    const known = Object.keys(digest).filter((a) => a in HEX_LENGTH);
    if (known.length === 0) {
      throw new VouchError(
        'VERIFY_STATEMENT_INVALID',
        `subject ${i} has no sha256 or sha512 digest`,
      );
    }
    for (const alg of known) {
      if (!new RegExp(`^[0-9a-f]{${HEX_LENGTH[alg]}}$`).test(digest[alg]!)) {
        throw new VouchError(
          'VERIFY_STATEMENT_INVALID',
          `subject ${i}: the ${alg} digest is not ${HEX_LENGTH[alg]} hex digits (short or empty)`,
        );
      }
    }
    parsed.push({ name: typeof s['name'] === 'string' ? s['name'] : '', digest });
  }
  const predicateType = value['predicateType'];
  if (typeof predicateType !== 'string' || predicateType === '') {
    throw new VouchError('VERIFY_STATEMENT_INVALID', 'the statement has no predicateType');
  }
  return { _type: STATEMENT_V1, subject: parsed, predicateType, predicate: value['predicate'] };
}

/**
 * Finds the subject that is the artifact: every sha256/sha512 digest both sides have must agree,
 * and at least one must be compared.
 */
export function findSubject(statement: Statement, artifact: ArtifactDigests): StatementSubject {
  for (const subject of statement.subject) {
    let compared = 0;
    let differs = false;
    for (const alg of ['sha256', 'sha512'] as const) {
      const mine = artifact[alg];
      const theirs = subject.digest[alg];
      if (mine === undefined || theirs === undefined) continue;
      compared++;
      if (mine !== theirs) differs = true;
    }
    if (compared > 0 && !differs) return subject;
  }
  const shown = artifact.sha256 ? `sha256:${artifact.sha256}` : `sha512:${artifact.sha512}`;
  throw new VouchError(
    'VERIFY_SUBJECT_MISMATCH',
    `the artifact (${shown}) is not a subject of the statement (${statement.subject.length} subject(s))`,
  );
}

/** Predicate types that name the same thing. */
const PREDICATE_ALIASES: Readonly<Record<string, readonly string[]>> = {
  'https://spdx.dev/Document/v2.3': ['https://spdx.dev/Document'],
  'https://spdx.dev/Document': ['https://spdx.dev/Document/v2.3'],
};

export function checkPredicateType(statement: Statement, wanted: string | undefined): void {
  if (wanted === undefined) return;
  if (statement.predicateType === wanted) return;
  if (PREDICATE_ALIASES[wanted]?.includes(statement.predicateType)) return;
  throw new VouchError(
    'VERIFY_PREDICATE_TYPE',
    `the predicate type is "${statement.predicateType}", expected "${wanted}"`,
  );
}

export const SBOM_PREDICATE_TYPES = [
  'https://cyclonedx.org/bom',
  'https://spdx.dev/Document/v2.3',
  'https://spdx.dev/Document',
] as const;

/** Facts about an SBOM predicate, after checking that it parses as the format it claims. */
export interface SbomFacts {
  readonly format: 'CycloneDX' | 'SPDX';
  readonly specVersion: string;
  readonly components: number;
}

export function checkSbomPredicate(predicateType: string, predicate: unknown): SbomFacts {
  if (!isRecord(predicate)) {
    throw new VouchError('VERIFY_PREDICATE_INVALID', 'the SBOM predicate is not a JSON object');
  }
  if (predicateType === 'https://cyclonedx.org/bom') {
    const spec = predicate['specVersion'];
    if (
      predicate['bomFormat'] !== 'CycloneDX' ||
      typeof spec !== 'string' ||
      !/^1\.\d+$/.test(spec)
    ) {
      throw new VouchError(
        'VERIFY_PREDICATE_INVALID',
        'the CycloneDX predicate lacks bomFormat "CycloneDX" or a specVersion 1.x',
      );
    }
    const components = predicate['components'];
    if (components !== undefined && !Array.isArray(components)) {
      throw new VouchError(
        'VERIFY_PREDICATE_INVALID',
        'the CycloneDX components field is not a list',
      );
    }
    return { format: 'CycloneDX', specVersion: spec, components: components?.length ?? 0 };
  }
  const spec = predicate['spdxVersion'];
  if (
    typeof spec !== 'string' ||
    !/^SPDX-2\.\d$/.test(spec) ||
    typeof predicate['SPDXID'] !== 'string'
  ) {
    throw new VouchError(
      'VERIFY_PREDICATE_INVALID',
      'the SPDX predicate lacks an spdxVersion SPDX-2.x or an SPDXID',
    );
  }
  const packages = predicate['packages'];
  if (packages !== undefined && !Array.isArray(packages)) {
    throw new VouchError('VERIFY_PREDICATE_INVALID', 'the SPDX packages field is not a list');
  }
  return { format: 'SPDX', specVersion: spec, components: packages?.length ?? 0 };
}
