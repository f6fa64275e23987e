/**
 * Reading bundles: Sigstore bundle files (v0.1–v0.3) and npm's attestations response
 * (`{"attestations":[{"predicateType","bundle"}]}`), each capped in size (THREATS 21).
 */
import { readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { VouchError } from '../../errors.ts';
import { parseJsonSafe } from '../../core/safe-parse.ts';

/** Default cap for one bundle file or response (bytes). */
export const DEFAULT_MAX_BUNDLE_BYTES = 32 * 1024 * 1024;

export interface LoadedBundle {
  /** Where it came from (path, path#attestations[i], URL). */
  readonly source: string;
  /** The parsed JSON of the bundle (not yet validated as a bundle). */
  readonly json: unknown;
  /** sha256 of the bundle's bytes as read (for reports and VSAs). */
  readonly sha256: string;
  /** Predicate type announced by an npm attestations response (a hint only). */
  readonly predicateTypeHint?: string;
}

/** Splits a JSON document into bundles: an npm attestations response, or one bundle. */
export function splitBundleDocument(doc: unknown, source: string, sha256: string): LoadedBundle[] {
  const atts = (doc as { attestations?: unknown } | null)?.attestations;
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && Array.isArray(atts)) {
    if (atts.length === 0) {
      throw new VouchError('VERIFY_BUNDLE_NOT_FOUND', `${source}: the attestations list is empty`);
    }
    return atts.map((a: unknown, i: number) => {
      const entry = a as { predicateType?: unknown; bundle?: unknown } | null;
      if (!entry || typeof entry !== 'object' || !entry.bundle) {
        throw new VouchError(
          'VERIFY_BUNDLE_INVALID',
          `${source}: attestations[${i}] has no bundle`,
        );
      }
      return {
        source: `${source}#attestations[${i}]`,
        json: entry.bundle,
        sha256: createHash('sha256').update(JSON.stringify(entry.bundle)).digest('hex'),
        ...(typeof entry.predicateType === 'string'
          ? { predicateTypeHint: entry.predicateType }
          : {}),
      };
    });
  }
  return [{ source, json: doc, sha256 }];
}

/** Parses bundle text (a file's content or an HTTP response body) under the size cap. */
export function parseBundleText(
  text: string,
  source: string,
  maxBytes = DEFAULT_MAX_BUNDLE_BYTES,
): LoadedBundle[] {
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new VouchError(
      'FILE_TOO_LARGE',
      `${source} is larger than the ${maxBytes}-byte bundle limit`,
    );
  }
  let doc: unknown;
  try {
    doc = parseJsonSafe(text, source, { maxBytes, maxDepth: 32 });
  } catch (error) {
    if (
      error instanceof VouchError &&
      (error.code === 'FILE_TOO_LARGE' || error.code === 'UNSAFE_KEY')
    )
      throw error;
    throw new VouchError(
      'VERIFY_BUNDLE_INVALID',
      `${source} is not valid JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return splitBundleDocument(doc, source, createHash('sha256').update(text).digest('hex'));
}

/** Reads one bundle file (or npm attestations file). */
export function readBundleFile(path: string, maxBytes = DEFAULT_MAX_BUNDLE_BYTES): LoadedBundle[] {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    throw new VouchError('FILE_UNREADABLE', `cannot read bundle ${path}`, { cause: error });
  }
  if (size > maxBytes) {
    throw new VouchError(
      'FILE_TOO_LARGE',
      `${path} (${size} bytes) is larger than the ${maxBytes}-byte bundle limit`,
    );
  }
  return parseBundleText(readFileSync(path, 'utf8'), path, maxBytes);
}
