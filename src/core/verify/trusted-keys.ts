/**
 * Trusted keys for key-signed bundles: each key with a validity window (start inclusive, end
 * inclusive) and an optional revocation instant. Overlapping and future windows are allowed, so
 * keys can be rotated. File format (JSON):
 *
 *     { "keys": [ { "hint": "...", "publicKey": "-----BEGIN PUBLIC KEY-----…", "validFrom": "RFC3339",
 *                   "validUntil"?: "RFC3339", "revokedAt"?: "RFC3339" } ] }
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { VouchError } from '../../errors.ts';
import { parseJsonSafe } from '../safe-parse.ts';
import {
  parseTrustedKeys as parseSigningTrustedKeys,
  TRUSTED_KEYS_MEDIA_TYPE,
} from '../signing/trusted-keys.ts';

export interface TrustedKey {
  readonly hint: string;
  /** Every hint a bundle may carry for this key: the declared one, hex and base64 SPKI SHA-256. */
  readonly hints?: readonly string[];
  readonly publicKey: KeyObject;
  /** PEM text, as given. */
  readonly publicKeyPem: string;
  readonly validFrom: Date;
  readonly validUntil?: Date;
  readonly revokedAt?: Date;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const ALLOWED = new Set(['hint', 'publicKey', 'validFrom', 'validUntil', 'revokedAt']);
/** Entry fields only the `mediaType` format (what `vouch keys trust` writes) has. */
const NEW_SHAPE_ONLY = new Set(['keyId', 'comment']);

function parseTime(value: unknown, field: string, where: string): Date {
  if (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    throw new VouchError(
      'VERIFY_KEY_INVALID',
      `${where}: ${field} must be an RFC 3339 time, got ${JSON.stringify(value)}`,
    );
  }
  return new Date(value);
}

/** Parses a PEM SPKI public key; a bad one is a user error. */
export function parsePublicKeyPem(pem: string, source: string): KeyObject {
  try {
    const key = createPublicKey({ key: pem, format: 'pem' });
    if (key.type !== 'public') throw new Error('not a public key');
    return key;
  } catch (error) {
    throw new VouchError('VERIFY_KEY_INVALID', `${source} is not a PEM public key (SPKI)`, {
      cause: error,
    });
  }
}

/** The Sigstore key hint of a public key: base64 of SHA-256 over its DER SPKI. */
export function keyHint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('base64');
}

/** All hints a bundle may record for a key (Sigstore's base64 form and vouch sign's hex form). */
export function keyHints(key: KeyObject, declared?: string): string[] {
  const digest = createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest();
  return [
    ...new Set([
      ...(declared ? [declared] : []),
      digest.toString('base64'),
      digest.toString('hex'),
    ]),
  ];
}

/**
 * Parses a trusted-keys file: the format above, or the one `vouch keys trust` writes
 * (`mediaType` application/vnd.vouch.trusted-keys.v1+json, entries with `keyId`), where one key
 * may appear several times with different windows.
 */
export function parseTrustedKeys(text: string, source: string): TrustedKey[] {
  const doc = parseJsonSafe(text, source, { maxBytes: 1024 * 1024 });
  if (doc !== null && typeof doc === 'object' && 'mediaType' in doc) {
    let entries;
    try {
      entries = parseSigningTrustedKeys(text, source);
    } catch (error) {
      if (error instanceof VouchError && error.kind === 'user' && error.code !== 'UNSAFE_KEY') {
        throw new VouchError('VERIFY_KEY_INVALID', error.message, { cause: error });
      }
      throw error;
    }
    return entries.map((e) => {
      const publicKey = parsePublicKeyPem(e.publicKeyPem, source);
      return {
        hint: e.hint,
        hints: keyHints(publicKey, e.hint),
        publicKey,
        publicKeyPem: e.publicKeyPem,
        validFrom: e.validFrom,
        ...(e.validUntil ? { validUntil: e.validUntil } : {}),
        ...(e.revokedAt ? { revokedAt: e.revokedAt } : {}),
      };
    });
  }
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !Array.isArray(keys)) {
    const lone = doc !== null && typeof doc === 'object' && 'publicKey' in doc;
    throw new VouchError(
      'VERIFY_KEY_INVALID',
      `${source}: expected an object with a "keys" list${lone ? '; this is a single entry, as `vouch keys trust` prints it' : ''}`,
      lone
        ? {
            hint: 'Write the file with `vouch keys trust REF --output FILE` (it creates or extends a complete trusted-keys file).',
          }
        : {},
    );
  }
  const unknownTop = Object.keys(doc).filter((k) => k !== 'keys');
  if (unknownTop.length > 0) {
    throw new VouchError('VERIFY_KEY_INVALID', `${source}: unknown key "${unknownTop[0]}"`);
  }
  if (keys.length === 0)
    throw new VouchError('VERIFY_KEY_INVALID', `${source}: the keys list is empty`);
  const seen = new Set<string>();
  return keys.map((entry: unknown, i: number) => {
    const where = `${source}: keys[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new VouchError('VERIFY_KEY_INVALID', `${where} is not an object`);
    }
    const e = entry as Record<string, unknown>;
    const newShape = Object.keys(e).find((k) => NEW_SHAPE_ONLY.has(k));
    if (newShape !== undefined) {
      throw new VouchError(
        'VERIFY_KEY_INVALID',
        `${where}: "${newShape}" belongs to the \`vouch keys trust\` format, but the file has no "mediaType": add "mediaType": "${TRUSTED_KEYS_MEDIA_TYPE}" beside "keys"`,
        { hint: '`vouch keys trust REF --output FILE` writes a complete trusted-keys file.' },
      );
    }
    for (const k of Object.keys(e)) {
      if (!ALLOWED.has(k))
        throw new VouchError('VERIFY_KEY_INVALID', `${where}: unknown key "${k}"`);
    }
    if (typeof e['publicKey'] !== 'string') {
      throw new VouchError('VERIFY_KEY_INVALID', `${where}: publicKey (PEM) is required`);
    }
    const publicKey = parsePublicKeyPem(e['publicKey'], where);
    const hint = typeof e['hint'] === 'string' && e['hint'] !== '' ? e['hint'] : keyHint(publicKey);
    if (seen.has(hint))
      throw new VouchError('VERIFY_KEY_INVALID', `${where}: duplicate hint "${hint}"`);
    seen.add(hint);
    const validFrom = parseTime(e['validFrom'], 'validFrom', where);
    const validUntil =
      e['validUntil'] === undefined ? undefined : parseTime(e['validUntil'], 'validUntil', where);
    const revokedAt =
      e['revokedAt'] === undefined ? undefined : parseTime(e['revokedAt'], 'revokedAt', where);
    if (validUntil && validUntil < validFrom) {
      throw new VouchError('VERIFY_KEY_INVALID', `${where}: validUntil is before validFrom`);
    }
    return {
      hint,
      hints: keyHints(publicKey, hint),
      publicKey,
      publicKeyPem: e['publicKey'],
      validFrom,
      ...(validUntil ? { validUntil } : {}),
      ...(revokedAt ? { revokedAt } : {}),
    };
  });
}

/**
 * Checks that every verified signing time is inside the key's window (end inclusive) and before
 * its revocation. `times` are verified times (log integration or TSA); when there are none, the
 * caller passes the current time.
 */
export function checkKeyWindow(key: TrustedKey, times: readonly Date[]): void {
  for (const t of times) {
    if (t < key.validFrom) {
      throw new VouchError(
        'VERIFY_KEY_WINDOW',
        `key "${key.hint}" was not yet valid at ${t.toISOString()} (valid from ${key.validFrom.toISOString()})`,
      );
    }
    if (key.validUntil && t > key.validUntil) {
      throw new VouchError(
        'VERIFY_KEY_WINDOW',
        `key "${key.hint}" had expired at ${t.toISOString()} (valid until ${key.validUntil.toISOString()})`,
      );
    }
    if (key.revokedAt && t >= key.revokedAt) {
      throw new VouchError(
        'VERIFY_KEY_WINDOW',
        `key "${key.hint}" was revoked at ${key.revokedAt.toISOString()}, before the signing time ${t.toISOString()}`,
      );
    }
  }
}
