/** Hash values from lockfiles, as lower-case hex. */
import { VouchError } from '../../errors.ts';
import type { ComponentHash, HashAlgorithm } from './model.ts';

const SRI: Readonly<Record<string, HashAlgorithm>> = {
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};

/** Digest length in bytes of each algorithm an integrity string may name. */
const DIGEST_BYTES: Readonly<Partial<Record<HashAlgorithm, number>>> = {
  'SHA-1': 20,
  'SHA-256': 32,
  'SHA-384': 48,
  'SHA-512': 64,
};

/** Where an integrity string comes from, for the error a malformed one raises. */
export interface IntegrityOrigin {
  /** The lockfile's path. */
  readonly source: string;
  /** The entry that holds it (`packages["node_modules/a"]`, `a@1.0.0`). */
  readonly entry: string;
}

function base64ToHex(b64: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  return Buffer.from(b64, 'base64').toString('hex');
}

function malformed(token: string, why: string, origin: IntegrityOrigin | undefined): VouchError {
  const where = origin ? `${origin.source}: ${origin.entry}` : 'lockfile entry';
  const shown = token.length > 100 ? `${token.slice(0, 100)}…` : token;
  return new VouchError(
    'SBOM_LOCKFILE_INVALID',
    `${where} has a malformed integrity "${shown}": ${why}`,
  );
}

/**
 * Subresource-integrity strings (`sha512-<base64> sha1-<base64>`) to hashes, strongest first.
 * Algorithms other than SHA-1/256/384/512 are skipped (as SRI says); a known algorithm whose
 * digest is not base64 of that algorithm's length is SBOM_LOCKFILE_INVALID naming `origin`.
 */
export function hashesFromIntegrity(integrity: unknown, origin?: IntegrityOrigin): ComponentHash[] {
  if (typeof integrity !== 'string') return [];
  const out: ComponentHash[] = [];
  for (const token of integrity.trim().split(/\s+/)) {
    const dash = token.indexOf('-');
    if (dash < 0) continue;
    const alg = SRI[token.slice(0, dash).toLowerCase()];
    if (!alg) continue;
    const hex = base64ToHex(token.slice(dash + 1).replace(/\?.*$/, ''));
    if (hex === undefined) throw malformed(token, 'the digest is not base64', origin);
    const bytes = DIGEST_BYTES[alg]!;
    if (hex.length !== bytes * 2)
      throw malformed(
        token,
        `a ${alg} digest is ${bytes} bytes, this one decodes to ${hex.length / 2}`,
        origin,
      );
    if (!out.some((h) => h.alg === alg)) out.push({ alg, content: hex });
  }
  return out.sort((a, b) => (a.alg < b.alg ? 1 : a.alg > b.alg ? -1 : 0));
}

/** A bare hex digest of a known length to a hash. */
export function hashFromHex(hex: unknown, alg: HashAlgorithm): ComponentHash[] {
  if (typeof hex !== 'string' || !/^[0-9a-fA-F]+$/.test(hex)) return [];
  const bytes = DIGEST_BYTES[alg];
  if (bytes !== undefined && hex.length !== bytes * 2) return [];
  return [{ alg, content: hex.toLowerCase() }];
}
