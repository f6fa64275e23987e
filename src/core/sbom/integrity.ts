/** Hash values from lockfiles, as lower-case hex. */
import type { ComponentHash, HashAlgorithm } from './model.ts';

const SRI: Readonly<Record<string, HashAlgorithm>> = {
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};

function base64ToHex(b64: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  return Buffer.from(b64, 'base64').toString('hex');
}

/** Subresource-integrity strings (`sha512-<base64> sha1-<base64>`) to hashes, strongest first. */
export function hashesFromIntegrity(integrity: unknown): ComponentHash[] {
  if (typeof integrity !== 'string') return [];
  const out: ComponentHash[] = [];
  for (const token of integrity.trim().split(/\s+/)) {
    const dash = token.indexOf('-');
    if (dash < 0) continue;
    const alg = SRI[token.slice(0, dash).toLowerCase()];
    const hex = alg ? base64ToHex(token.slice(dash + 1).replace(/\?.*$/, '')) : undefined;
    if (alg && hex && !out.some((h) => h.alg === alg)) out.push({ alg, content: hex });
  }
  return out.sort((a, b) => (a.alg < b.alg ? 1 : a.alg > b.alg ? -1 : 0));
}

/** A bare hex digest of a known length to a hash. */
export function hashFromHex(hex: unknown, alg: HashAlgorithm): ComponentHash[] {
  if (typeof hex !== 'string' || !/^[0-9a-fA-F]+$/.test(hex)) return [];
  const lengths: Partial<Record<HashAlgorithm, number>> = {
    'SHA-1': 40,
    'SHA-256': 64,
    'SHA-512': 128,
  };
  if (lengths[alg] !== undefined && hex.length !== lengths[alg]) return [];
  return [{ alg, content: hex.toLowerCase() }];
}
