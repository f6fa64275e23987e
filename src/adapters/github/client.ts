/**
 * The GitHub REST client: Octokit from @actions/github with a retry policy and coded errors.
 * Server errors, network failures, requests that time out and rate limits are retried with
 * back-off; when they persist
 * the call fails closed with GITHUB_API_FAILED or GITHUB_RATE_LIMITED and the reason.
 */
import { getOctokit } from '@actions/github';
import type { Logger } from '../../core/logger.ts';
import { VouchError } from '../../errors.ts';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface GitHubClientOptions {
  readonly token: string;
  /** REST API root (default: GITHUB_API_URL as read by @actions/github, else https://api.github.com). */
  readonly baseUrl?: string;
  /** Retries after the first attempt (default 3). */
  readonly retries?: number;
  /** First back-off delay in ms, doubled each retry (default 1000). */
  readonly retryDelayMs?: number;
  /** Longest wait vouch accepts for a rate limit reset, in ms (default 60,000); longer fails at once. */
  readonly maxWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger?: Logger;
  /** Clock for rate-limit reset times (default Date.now). */
  readonly now?: () => number;
  /** Per-request time limit in ms (default 30,000); a request that takes longer is retried. */
  readonly timeoutMs?: number;
}

interface HttpFailure {
  readonly status?: number;
  readonly message?: string;
  readonly response?: {
    readonly headers?: Record<string, string | number | undefined>;
    readonly data?: unknown;
  };
}

function headerOf(error: HttpFailure, name: string): string | undefined {
  const v = error.response?.headers?.[name];
  return v === undefined ? undefined : String(v);
}

/** The wait a rate-limit response asks for, or undefined when the response is not a rate limit. */
export function rateLimitWaitMs(error: HttpFailure, now: number): number | undefined {
  const status = error.status ?? 0;
  if (status !== 403 && status !== 429) return undefined;
  const retryAfter = headerOf(error, 'retry-after');
  if (retryAfter !== undefined && /^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
  if (headerOf(error, 'x-ratelimit-remaining') === '0') {
    const reset = Number(headerOf(error, 'x-ratelimit-reset'));
    return Number.isFinite(reset) ? Math.max(0, reset * 1000 - now) : 60_000;
  }
  if (status === 429) return 60_000;
  // Secondary rate limits come as 403 with a message saying so.
  if (/rate limit/i.test(error.message ?? '')) return 60_000;
  return undefined;
}

function describe(route: string, error: HttpFailure): string {
  const data = error.response?.data as { message?: unknown } | undefined;
  const detail =
    typeof data?.message === 'string' ? data.message : (error.message ?? 'no response');
  return `${route}: ${error.status ? `HTTP ${error.status} ` : ''}${detail}`;
}

/** Turns a final failure into a coded error; 404 stays distinguishable for callers. */
export function toGitHubError(route: string, error: HttpFailure, rateLimited: boolean): VouchError {
  if (error instanceof VouchError) return error;
  const status = error.status ?? 0;
  const message = describe(route, error);
  if (rateLimited) {
    const reset = headerOf(error, 'x-ratelimit-reset');
    const when =
      reset && /^\d+$/.test(reset)
        ? ` (resets at ${new Date(Number(reset) * 1000).toISOString()})`
        : '';
    return new VouchError('GITHUB_RATE_LIMITED', `${message}${when}`, { cause: error });
  }
  if (status === 401 || status === 403)
    return new VouchError('GITHUB_AUTH_FAILED', message, { cause: error });
  if (status === 404) return new VouchError('GITHUB_NOT_FOUND', message, { cause: error });
  return new VouchError('GITHUB_API_FAILED', message, { cause: error });
}

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Creates the client. Every request goes through the retry policy. */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  if (!options.token) {
    throw new VouchError('GITHUB_AUTH_FAILED', 'no GitHub token was given', {
      hint: 'Pass the github-token input (default: the workflow token) or set GITHUB_TOKEN.',
    });
  }
  const client = getOctokit(options.token, {
    ...(options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : {}),
    userAgent: 'vouch-exceptions-review',
  });
  const retries = options.retries ?? 3;
  const baseDelay = options.retryDelayMs ?? 1000;
  const maxWait = options.maxWaitMs ?? 60_000;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 30_000;
  client.hook.wrap('request', async (request, requestOptions) => {
    const route = `${String(requestOptions.method)} ${String(requestOptions.url)}`;
    const callerSignal = requestOptions.request?.signal as AbortSignal | undefined;
    for (let attempt = 0; ; attempt++) {
      // The limit covers the whole exchange, body included: Octokit reads the body after fetch
      // resolves and turns a body cut short into empty data, which must never pass for an answer.
      const timer = new AbortController();
      const timeout = setTimeout(() => timer.abort(), timeoutMs);
      const signal = callerSignal ? AbortSignal.any([callerSignal, timer.signal]) : timer.signal;
      // `request` arrives bound to this very options object (the auth hook wraps it first and
      // ignores arguments), so the signal has to be set on the object itself.
      requestOptions.request = { ...requestOptions.request, signal };
      try {
        const response = await request(requestOptions);
        if (timer.signal.aborted) throw new Error('timed out');
        return response;
      } catch (thrown) {
        clearTimeout(timeout);
        if (callerSignal?.aborted) throw thrown;
        const error: HttpFailure = timer.signal.aborted
          ? { message: `no complete response within ${timeoutMs / 1000} s` }
          : (thrown as HttpFailure);
        const status = error.status ?? 0;
        const limitWait = rateLimitWaitMs(error, now());
        const transient = limitWait !== undefined || status >= 500 || status === 0;
        if (!transient || attempt >= retries)
          throw toGitHubError(route, error, limitWait !== undefined);
        const wait = limitWait ?? baseDelay * 2 ** attempt;
        if (wait > maxWait) throw toGitHubError(route, error, limitWait !== undefined);
        options.logger?.warn(
          `${describe(route, error)}; retrying in ${Math.ceil(wait / 1000)} s (${attempt + 1}/${retries})`,
        );
        await sleep(wait);
      } finally {
        clearTimeout(timeout);
      }
    }
  });
  return client;
}

/** `owner/name` → parts, refusing anything else. */
export function splitRepo(repo: string): { owner: string; repo: string } {
  const m = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(repo.trim());
  if (!m)
    throw new VouchError(
      'INPUT_INVALID',
      `"${repo}" is not a repository name of the form owner/name`,
    );
  return { owner: m[1]!, repo: m[2]! };
}
