/**
 * The OSV API (https://google.github.io/osv.dev/api/): `POST /v1/querybatch` for the ids that
 * affect each package version, then `GET /v1/vulns/{id}` for each full record. Any network
 * failure or non-2xx answer is ADVISORY_SOURCE_UNREACHABLE: vouch fails closed rather than
 * passing a policy on missing data.
 */
import type { RawAdvisory } from '../../core/osv/database.ts';
import { parseJsonSafe } from '../../core/safe-parse.ts';
import { VouchError } from '../../errors.ts';

export const DEFAULT_OSV_API = 'https://api.osv.dev';
const BATCH = 1000;

export interface PackageQuery {
  readonly ecosystem: string;
  readonly name: string;
  readonly version: string;
}

export interface ApiOptions {
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
  /** Per-request timeout in milliseconds (default 30 s). */
  readonly timeoutMs?: number;
  readonly token?: string;
  /** Internal: answer GET requests with the text undecoded (records are decoded in the database). */
  readonly raw?: boolean;
}

/** Largest API answer accepted (a querybatch answer for 1,000 package versions is far smaller). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

export async function requestJson(
  url: string,
  init: RequestInit,
  options: ApiOptions,
  what: string,
): Promise<{ body: unknown; text: string; headers: Headers }> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      ...init,
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    throw new VouchError(
      'ADVISORY_SOURCE_UNREACHABLE',
      `${what} could not be reached (${new URL(url).origin}): ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (!response.ok) {
    throw new VouchError(
      'ADVISORY_SOURCE_UNREACHABLE',
      `${what} answered HTTP ${response.status} for ${new URL(url).pathname}`,
    );
  }
  const text = await response.text();
  if (init.method === 'GET' && options.raw)
    return { body: undefined, text, headers: response.headers };
  try {
    // The safe parser: depth capped, `__proto__`/`constructor`/`prototype` keys refused (THREATS 38).
    return {
      body: parseJsonSafe(text, url, { maxBytes: MAX_ANSWER_BYTES }),
      text,
      headers: response.headers,
    };
  } catch (error) {
    if (error instanceof VouchError && error.code !== 'JSON_INVALID') throw error;
    throw new VouchError(
      'ADVISORY_SOURCE_UNREACHABLE',
      `${what} answered with something that is not JSON`,
      { cause: error },
    );
  }
}

/** Fetches every OSV record that affects any of the queried package versions. */
export async function queryOsvApi(
  queries: readonly PackageQuery[],
  options: ApiOptions = {},
): Promise<RawAdvisory[]> {
  const base = (options.baseUrl ?? DEFAULT_OSV_API).replace(/\/+$/, '');
  const ids = new Set<string>();
  for (let i = 0; i < queries.length; i += BATCH) {
    let pending = queries.slice(i, i + BATCH).map((q) => ({
      package: { ecosystem: q.ecosystem, name: q.name },
      version: q.version,
    })) as Array<Record<string, unknown>>;
    while (pending.length > 0) {
      const { body } = await requestJson(
        `${base}/v1/querybatch`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ queries: pending }),
        },
        options,
        'the OSV API',
      );
      const results = (
        body as { results?: Array<{ vulns?: Array<{ id?: unknown }>; next_page_token?: string }> }
      ).results;
      if (!Array.isArray(results)) {
        throw new VouchError(
          'ADVISORY_SOURCE_UNREACHABLE',
          'the OSV API answered without "results"',
        );
      }
      const next: Array<Record<string, unknown>> = [];
      results.forEach((r, j) => {
        for (const v of r?.vulns ?? []) if (typeof v.id === 'string') ids.add(v.id);
        if (r?.next_page_token) next.push({ ...pending[j], page_token: r.next_page_token });
      });
      pending = next;
    }
  }
  const out: RawAdvisory[] = [];
  for (const id of [...ids].sort()) {
    const url = `${base}/v1/vulns/${encodeURIComponent(id)}`;
    // Handed on as text: the database decodes each record safely, and skips a bad one by name.
    const { text } = await requestJson(
      url,
      { method: 'GET' },
      { ...options, raw: true },
      'the OSV API',
    );
    out.push({ source: url, text });
  }
  return out;
}
