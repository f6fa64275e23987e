/**
 * The trusted-keys file (docs/key-custody.md): public keys with validity windows, for verifying
 * key-signed bundles across rotations. Pure: text in, entries out.
 *
 *     { "mediaType": "application/vnd.vouch.trusted-keys.v1+json",
 *       "keys": [ { "keyId", "publicKey", "validFrom", "validUntil"?, "revokedAt"?, "comment"? } ] }
 *
 * Windows are inclusive of both ends; windows may overlap and may start in the future (rotation).
 */
import { createPublicKey } from 'node:crypto';
import { VouchError } from '../../errors.ts';
import { parseJsonSafe } from '../safe-parse.ts';
import { computeKeyHint, toSpkiPem } from './key-signer.ts';

export const TRUSTED_KEYS_MEDIA_TYPE = 'application/vnd.vouch.trusted-keys.v1+json';

export interface TrustedKey {
  /** Lowercase hex SHA-256 of the DER SPKI: the key hint recorded in bundles. */
  readonly keyId: string;
  /** Same as keyId (the bundle's `publicKey.hint`). */
  readonly hint: string;
  /** SPKI PEM. */
  readonly publicKeyPem: string;
  readonly validFrom: Date;
  /** Inclusive end of the window; absent: open-ended. */
  readonly validUntil?: Date;
  /** From this instant on the key is not trusted, whatever its window says. */
  readonly revokedAt?: Date;
  readonly comment?: string;
}

const ENTRY_FIELDS = new Set([
  'keyId',
  'publicKey',
  'validFrom',
  'validUntil',
  'revokedAt',
  'comment',
]);
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function bad(source: string, where: string, message: string): VouchError {
  return new VouchError('TRUSTED_KEYS_INVALID', `${source}: ${where}: ${message}`);
}

/** Parses an RFC 3339 UTC time (`Z` suffix required). */
export function parseUtcTime(value: unknown, what: string, source: string, where: string): Date {
  if (typeof value !== 'string' || !RFC3339_UTC.test(value)) {
    throw bad(source, where, `${what} must be an RFC 3339 UTC time like 2026-01-31T00:00:00Z`);
  }
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) throw bad(source, where, `${what} "${value}" is not a real time`);
  return t;
}

/** Parses and validates a trusted-keys file. */
export function parseTrustedKeys(text: string, source: string): TrustedKey[] {
  const doc = parseJsonSafe(text, source, { maxBytes: 4 * 1024 * 1024 });
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw bad(source, 'document', 'must be a JSON object');
  const o = doc as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== 'mediaType' && k !== 'keys') throw bad(source, 'document', `unknown field "${k}"`);
  }
  if (o['mediaType'] !== TRUSTED_KEYS_MEDIA_TYPE) {
    throw bad(source, 'mediaType', `must be "${TRUSTED_KEYS_MEDIA_TYPE}"`);
  }
  if (!Array.isArray(o['keys'])) throw bad(source, 'keys', 'must be a list');
  const seen = new Set<string>();
  return o['keys'].map((raw: unknown, i): TrustedKey => {
    const where = `keys[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw bad(source, where, 'must be an object');
    const e = raw as Record<string, unknown>;
    for (const k of Object.keys(e))
      if (!ENTRY_FIELDS.has(k)) throw bad(source, where, `unknown field "${k}"`);
    if (typeof e['publicKey'] !== 'string') throw bad(source, where, 'publicKey (PEM) is required');
    let publicKeyPem: string;
    try {
      const key = createPublicKey(e['publicKey']);
      publicKeyPem = toSpkiPem(key);
    } catch {
      throw bad(source, where, 'publicKey is not a PEM public key');
    }
    const keyId = computeKeyHint(publicKeyPem);
    if (e['keyId'] !== undefined && e['keyId'] !== keyId) {
      throw bad(
        source,
        where,
        `keyId does not match the key (its SHA-256 SPKI digest is ${keyId})`,
      );
    }
    const validFrom = parseUtcTime(e['validFrom'], 'validFrom', source, where);
    const validUntil =
      e['validUntil'] === undefined
        ? undefined
        : parseUtcTime(e['validUntil'], 'validUntil', source, where);
    const revokedAt =
      e['revokedAt'] === undefined
        ? undefined
        : parseUtcTime(e['revokedAt'], 'revokedAt', source, where);
    if (validUntil && validUntil.getTime() < validFrom.getTime())
      throw bad(source, where, 'validUntil is before validFrom');
    if (e['comment'] !== undefined && typeof e['comment'] !== 'string')
      throw bad(source, where, 'comment must be text');
    const dup = `${keyId}@${validFrom.toISOString()}`;
    if (seen.has(dup))
      throw bad(source, where, 'the same key with the same validFrom appears twice');
    seen.add(dup);
    return {
      keyId,
      hint: keyId,
      publicKeyPem,
      validFrom,
      ...(validUntil ? { validUntil } : {}),
      ...(revokedAt ? { revokedAt } : {}),
      ...(typeof e['comment'] === 'string' ? { comment: e['comment'] } : {}),
    };
  });
}

/** True when `entry` is trusted at `time`: inside its inclusive window and before any revocation. */
export function isTrustedAt(entry: TrustedKey, time: Date): boolean {
  const t = time.getTime();
  if (t < entry.validFrom.getTime()) return false;
  if (entry.validUntil && t > entry.validUntil.getTime()) return false;
  if (entry.revokedAt && t >= entry.revokedAt.getTime()) return false;
  return true;
}

/** One entry for a trusted-keys file, as `vouch keys trust` prints it. */
export function buildTrustedKeyEntry(
  publicKeyPem: string,
  window: { validFrom: Date; validUntil?: Date; comment?: string },
): Record<string, string> {
  const pem = toSpkiPem(publicKeyPem);
  if (window.validUntil && window.validUntil.getTime() < window.validFrom.getTime()) {
    throw new VouchError('USAGE_INVALID_VALUE', '--valid-until is before --valid-from');
  }
  const iso = (d: Date): string => d.toISOString().replace(/\.000Z$/, 'Z');
  return {
    keyId: computeKeyHint(pem),
    publicKey: pem,
    validFrom: iso(window.validFrom),
    ...(window.validUntil ? { validUntil: iso(window.validUntil) } : {}),
    ...(window.comment ? { comment: window.comment } : {}),
  };
}

/**
 * The text of a trusted-keys file with `entry` (from buildTrustedKeyEntry) added: a new file when
 * `existing` is undefined, else the existing file, checked, with the entry appended to its keys.
 * A key the file already lists is refused: change its window or revocation by editing its entry.
 */
export function addTrustedKeyEntry(
  existing: string | undefined,
  entry: Record<string, string>,
  source: string,
): string {
  if (existing === undefined) {
    return `${JSON.stringify({ mediaType: TRUSTED_KEYS_MEDIA_TYPE, keys: [entry] }, null, 2)}\n`;
  }
  const listed = parseTrustedKeys(existing, source);
  if (listed.some((k) => k.keyId === entry['keyId'])) {
    throw new VouchError('TRUSTED_KEYS_INVALID', `${source} already lists key ${entry['keyId']}`, {
      hint: 'Edit its entry in the file to change its window or revoke it; the file was not changed.',
    });
  }
  const doc = parseJsonSafe(existing, source) as { keys: unknown[] };
  doc.keys.push(entry);
  return `${JSON.stringify(doc, null, 2)}\n`;
}
