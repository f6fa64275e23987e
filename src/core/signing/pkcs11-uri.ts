/**
 * RFC 7512 `pkcs11:` URIs, parsed strictly. The refusals of THREATS 48 live here: a relative
 * module path, no token or slot, a non-numeric slot id, no key object or id, and any PIN inside
 * the URI (`pin-value`).
 */
import { VouchError } from '../../errors.ts';

export interface Pkcs11Uri {
  readonly token?: string;
  readonly serial?: string;
  readonly slotId?: number;
  readonly object?: string;
  /** CKA_ID bytes. */
  readonly id?: Buffer;
  readonly modulePath: string;
  /** A file holding the PIN (RFC 7512 `pin-source`, `file:` URI or an absolute path). */
  readonly pinSource?: string;
}

const PATH_ATTRS = new Set([
  'token',
  'manufacturer',
  'serial',
  'model',
  'library-manufacturer',
  'library-description',
  'library-version',
  'slot-manufacturer',
  'slot-description',
  'slot-id',
  'object',
  'type',
  'id',
]);
const QUERY_ATTRS = new Set(['pin-source', 'pin-value', 'module-name', 'module-path']);

function invalid(message: string, hint?: string): VouchError {
  return new VouchError('SIGN_PKCS11_URI_INVALID', message, hint ? { hint } : {});
}

function decodeBytes(value: string, attr: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '%') {
      const hex = value.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw invalid(`bad percent-encoding in ${attr}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(ch, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** Parses a `pkcs11:` URI; throws SIGN_PKCS11_URI_INVALID with the reason. */
export function parsePkcs11Uri(uri: string): Pkcs11Uri {
  if (!uri.startsWith('pkcs11:')) throw invalid('a PKCS#11 URI starts with "pkcs11:"');
  const rest = uri.slice('pkcs11:'.length);
  const q = rest.indexOf('?');
  const pathPart = q === -1 ? rest : rest.slice(0, q);
  const queryPart = q === -1 ? '' : rest.slice(q + 1);
  const path = new Map<string, string>();
  const query = new Map<string, string>();
  for (const [part, sep, known, into] of [
    [pathPart, ';', PATH_ATTRS, path],
    [queryPart, '&', QUERY_ATTRS, query],
  ] as const) {
    if (part === '') continue;
    for (const item of part.split(sep)) {
      const eq = item.indexOf('=');
      if (eq <= 0) throw invalid(`malformed attribute "${item.slice(0, 40)}"`);
      const name = item.slice(0, eq);
      const value = item.slice(eq + 1);
      if (name === 'pin-value') {
        throw invalid(
          'the URI carries a PIN (pin-value); vouch never reads a PIN from a URI',
          'Remove pin-value and set VOUCH_PKCS11_PIN (or the pkcs11-pin input, or pin-source=FILE).',
        );
      }
      if (!known.has(name) && !name.startsWith('x-')) {
        throw invalid(`unknown PKCS#11 URI attribute "${name}"`);
      }
      if (into.has(name)) throw invalid(`attribute "${name}" appears twice`);
      into.set(name, value);
    }
  }
  const text = (m: Map<string, string>, k: string): string | undefined => {
    const v = m.get(k);
    return v === undefined ? undefined : decodeBytes(v, k).toString('utf8');
  };
  const modulePath = text(query, 'module-path');
  if (!modulePath) {
    throw invalid('the URI names no module-path', 'Add ?module-path=/absolute/path/to/module.so.');
  }
  if (!modulePath.startsWith('/')) {
    throw invalid(
      `module-path "${modulePath}" is relative`,
      'Give the absolute path of the PKCS#11 module.',
    );
  }
  const slotText = text(path, 'slot-id');
  if (slotText !== undefined && !/^\d+$/.test(slotText)) {
    throw invalid(`slot-id "${slotText}" is not a number`);
  }
  const token = text(path, 'token');
  const serial = text(path, 'serial');
  if (token === undefined && serial === undefined && slotText === undefined) {
    throw invalid('the URI names no token or slot', 'Add token=LABEL (or serial=… or slot-id=N).');
  }
  const object = text(path, 'object');
  const idRaw = path.get('id');
  if (object === undefined && idRaw === undefined) {
    throw invalid('the URI names no key object or id', 'Add object=LABEL or id=%01 for the key.');
  }
  const type = text(path, 'type');
  if (type !== undefined && type !== 'private') {
    throw invalid(`type=${type}: the signing key must be a private key object`);
  }
  let pinSource = text(query, 'pin-source');
  if (pinSource !== undefined) {
    if (pinSource.startsWith('file:')) pinSource = pinSource.replace(/^file:(\/\/)?/, '');
    if (!pinSource.startsWith('/')) throw invalid('pin-source must be an absolute file path');
  }
  return {
    modulePath,
    ...(token !== undefined ? { token } : {}),
    ...(serial !== undefined ? { serial } : {}),
    ...(slotText !== undefined ? { slotId: Number(slotText) } : {}),
    ...(object !== undefined ? { object } : {}),
    ...(idRaw !== undefined ? { id: decodeBytes(idRaw, 'id') } : {}),
    ...(pinSource !== undefined ? { pinSource } : {}),
  };
}
