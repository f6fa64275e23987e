/**
 * in-toto Statement v1 (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md):
 * a typed, pure builder. The statement is what a DSSE envelope signs, with payloadType
 * `application/vnd.in-toto+json`.
 */
import { VouchError } from '../../errors.ts';
import type { Subject } from '../subjects/subjects.ts';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface Statement<P = unknown> {
  readonly _type: typeof STATEMENT_TYPE;
  readonly subject: readonly Subject[];
  readonly predicateType: string;
  readonly predicate: P;
}

/** A predicate type must be an absolute URI (the spec says TypeURI). */
export function checkPredicateType(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new VouchError(
      'PREDICATE_TYPE_INVALID',
      `predicate type "${value}" is not an absolute URI`,
      {
        hint: 'Use a URI such as https://slsa.dev/provenance/v1 or https://example.com/my-predicate/v1.',
      },
    );
  }
  if (!/^[a-z][a-z0-9+.-]*:$/.test(url.protocol)) {
    throw new VouchError(
      'PREDICATE_TYPE_INVALID',
      `predicate type "${value}" is not an absolute URI`,
    );
  }
  return value;
}

/** Builds a Statement v1. Subjects must be non-empty and each must carry a sha256 digest. */
export function buildStatement<P>(
  subjects: readonly Subject[],
  predicateType: string,
  predicate: P,
): Statement<P> {
  if (subjects.length === 0) {
    throw new VouchError('SUBJECT_NONE', 'a statement needs at least one subject');
  }
  for (const s of subjects) {
    if (!/^[0-9a-f]{64}$/.test(s.digest['sha256'] ?? '')) {
      throw new VouchError('SUBJECT_INVALID', `subject "${s.name}" has no valid sha256 digest`);
    }
  }
  if (predicate === null || typeof predicate !== 'object' || Array.isArray(predicate)) {
    throw new VouchError('PREDICATE_INVALID', 'a predicate must be a JSON object');
  }
  return {
    _type: STATEMENT_TYPE,
    subject: subjects.map((s) => ({ name: s.name, digest: { ...s.digest } })),
    predicateType: checkPredicateType(predicateType),
    predicate,
  };
}

/** Serialises a statement for signing: compact JSON, keys in the order the spec lists them. */
export function serializeStatement(statement: Statement): Buffer {
  return Buffer.from(JSON.stringify(statement), 'utf8');
}

/** One statement per subject, or one for all of them. */
export function buildStatements<P>(
  subjects: readonly Subject[],
  predicateType: string,
  predicate: P,
  perSubject: boolean,
): Statement<P>[] {
  if (!perSubject) return [buildStatement(subjects, predicateType, predicate)];
  if (subjects.length === 0)
    throw new VouchError('SUBJECT_NONE', 'a statement needs at least one subject');
  return subjects.map((s) => buildStatement([s], predicateType, predicate));
}
