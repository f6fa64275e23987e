/**
 * HTTP with retries for GitHub and registries: 5xx, 429 and rate-limited 403 are retried with
 * backoff (Retry-After and x-ratelimit-reset honoured, capped); anything else is returned.
 */
export interface RetryOptions {
  readonly retries?: number;
  /** Base delay in ms (default 1000); doubled each attempt. */
  readonly baseDelayMs?: number;
  /** Longest single wait in ms (default 60 s). */
  readonly maxDelayMs?: number;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onRetry?: (attempt: number, status: number | string, delayMs: number) => void;
}

export function isRateLimited(response: Response): boolean {
  if (response.status === 429) return true;
  if (response.status !== 403) return false;
  return (
    response.headers.get('x-ratelimit-remaining') === '0' || response.headers.has('retry-after')
  );
}

function delayFor(
  response: Response | undefined,
  attempt: number,
  base: number,
  max: number,
): number {
  const retryAfter = response?.headers.get('retry-after');
  if (retryAfter && /^\d+$/.test(retryAfter)) return Math.min(Number(retryAfter) * 1000, max);
  const reset = response?.headers.get('x-ratelimit-reset');
  if (
    response &&
    reset &&
    /^\d+$/.test(reset) &&
    response.headers.get('x-ratelimit-remaining') === '0'
  ) {
    return Math.min(Math.max(Number(reset) * 1000 - Date.now(), 0) + 1000, max);
  }
  return Math.min(base * 2 ** attempt, max);
}

/** fetch with retries. `init.body` must be replayable (string or Buffer). */
export async function fetchWithRetry(
  url: string | URL,
  init: RequestInit,
  options: RetryOptions = {},
): Promise<Response> {
  const retries = options.retries ?? 4;
  const base = options.baseDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 60_000;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 0; ; attempt++) {
    let response: Response | undefined;
    let failure: unknown;
    try {
      response = await doFetch(url, { ...init, signal: AbortSignal.timeout(120_000) });
    } catch (error) {
      failure = error;
    }
    const retryable = response === undefined || response.status >= 500 || isRateLimited(response);
    if (!retryable || attempt >= retries) {
      if (response) return response;
      throw failure;
    }
    const wait = delayFor(response, attempt, base, max);
    options.onRetry?.(
      attempt + 1,
      response?.status ?? String((failure as Error)?.message ?? failure),
      wait,
    );
    await response?.body?.cancel().catch(() => {});
    await sleep(wait);
  }
}
