/**
 * Where trust material comes from: a trusted_root.json file, the Sigstore public-good root
 * through TUF when online (falling back to the shipped copy, with a warning about its age), or
 * the shipped copy alone (offline, the default).
 */
import { readFileSync } from 'node:fs';
import type { Logger } from '../../core/logger.ts';
import { parseJsonSafe } from '../../core/safe-parse.ts';
import { VouchError } from '../../errors.ts';
import { cjsExports } from '../module-interop.ts';
import shippedMeta from './trust/fetched.json' with { type: 'json' };
import publicGoodRoot from './trust/public-good.trusted_root.json' with { type: 'json' };

// Imported, not read from disk: bundles carry them (a bundle has no trust/ folder beside it).
const SHIPPED_ROOTS = { 'public-good': publicGoodRoot } as const;
/** A shipped root older than this earns a warning. */
export const STALE_AFTER_DAYS = 90;

export type TrustSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'public-good'; readonly online?: boolean; readonly cacheDir?: string };

export interface TrustDocument {
  readonly doc: unknown;
  /** Human description: the path, `public-good (TUF)` or `public-good (shipped copy of DATE)`. */
  readonly source: string;
  readonly fetchedAt?: string;
}

export function readShippedRoot(name: 'public-good'): { doc: unknown; fetchedAt: string } {
  const meta = shippedMeta as Record<string, { fetchedAt: string }>;
  return { doc: structuredClone(SHIPPED_ROOTS[name]) as unknown, fetchedAt: meta[name]!.fetchedAt };
}

/** Loads the trusted root document for a run (once). */
export async function loadTrustDocument(
  source: TrustSource,
  deps: { readonly logger: Logger; readonly now: Date },
): Promise<TrustDocument> {
  if (source.kind === 'file') {
    let text: string;
    try {
      text = readFileSync(source.path, 'utf8');
    } catch (error) {
      throw new VouchError('FILE_UNREADABLE', `cannot read trusted root ${source.path}`, {
        cause: error,
      });
    }
    let doc: unknown;
    try {
      doc = parseJsonSafe(text, source.path, { maxBytes: 4 * 1024 * 1024 });
    } catch (error) {
      throw new VouchError('VERIFY_TRUST_ROOT_INVALID', (error as Error).message, { cause: error });
    }
    return { doc, source: source.path };
  }
  if (source.online) {
    try {
      const tuf = cjsExports(await import('@sigstore/tuf'));
      const root = await tuf.getTrustedRoot({
        ...(source.cacheDir ? { cachePath: source.cacheDir } : {}),
        retry: 1,
        timeout: 10_000,
      });
      const { TrustedRoot } = cjsExports(await import('@sigstore/protobuf-specs'));
      return {
        doc: TrustedRoot.toJSON(root),
        source: 'public-good (TUF)',
        fetchedAt: deps.now.toISOString(),
      };
    } catch (error) {
      deps.logger.warn(
        `could not update the Sigstore public-good trusted root through TUF (${(error as Error).message}); using the shipped copy`,
      );
    }
  }
  const shipped = readShippedRoot('public-good');
  const ageDays = Math.floor((deps.now.getTime() - Date.parse(shipped.fetchedAt)) / 86_400_000);
  if (ageDays > STALE_AFTER_DAYS) {
    deps.logger.warn(
      `the shipped Sigstore public-good trusted root is ${ageDays} days old (fetched ${shipped.fetchedAt.slice(0, 10)}); keys rotated since then are unknown to it. Pass --trusted-root or run online.`,
    );
  }
  return {
    doc: shipped.doc,
    source: `public-good (shipped copy of ${shipped.fetchedAt.slice(0, 10)})`,
    fetchedAt: shipped.fetchedAt,
  };
}
