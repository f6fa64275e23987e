/**
 * A local stand-in for api.github.com that serves recorded REST responses from
 * test/fixtures/github/<repo>/<name>.json ({status, headers, body}) on 127.0.0.1. `{base}` in a
 * header (pagination Link headers) becomes the server's own URL, so Octokit follows the pages here.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ROOT } from './cli.ts';

export const GITHUB_FIXTURES = join(ROOT, 'test/fixtures/github');

export interface Recording {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  /** Wait this long before answering at all (a server that hangs). */
  readonly delayMs?: number;
  /** Send the headers and half the body, then wait this long before the rest (a stalled body). */
  readonly stallBodyMs?: number;
}

/** `METHOD /path?param=value` → a fixture name, a recording, or a sequence of them (the last repeats). */
export type Routes = Record<string, string | Recording | Array<string | Recording>>;

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly body?: unknown;
  readonly authorization?: string;
}

export interface GitHubServer {
  readonly url: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

export function loadRecording(name: string, repo = 'acme-widget'): Recording {
  return JSON.parse(readFileSync(join(GITHUB_FIXTURES, repo, `${name}.json`), 'utf8')) as Recording;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function startGitHubServer(
  routes: Routes,
  repo = 'acme-widget',
): Promise<GitHubServer> {
  const parsed = Object.entries(routes).map(([key, value]) => {
    const [method, target] = key.split(' ', 2) as [string, string];
    const url = new URL(target, 'http://x');
    return {
      method,
      path: decodeURIComponent(url.pathname),
      params: [...url.searchParams.entries()],
      queue: Array.isArray(value) ? [...value] : [value],
    };
  });
  const requests: SeenRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  let base = '';
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', base);
      const path = decodeURIComponent(url.pathname);
      const query = Object.fromEntries(url.searchParams.entries());
      const body = await readBody(req);
      requests.push({
        method: req.method ?? 'GET',
        path,
        query,
        ...(body !== undefined ? { body } : {}),
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      const candidates = parsed
        .filter((r) => r.method === req.method && r.path === path)
        .filter((r) => r.params.every(([k, v]) => query[k] === v))
        .sort((a, b) => b.params.length - a.params.length);
      const route = candidates[0];
      if (!route) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            message: 'Not Found',
            documentation_url: 'https://docs.github.com/rest',
            status: '404',
          }),
        );
        return;
      }
      const next = route.queue.length > 1 ? route.queue.shift()! : route.queue[0]!;
      const recording = typeof next === 'string' ? loadRecording(next, repo) : next;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(recording.headers ?? {}))
        headers[k] = v.replaceAll('{base}', base);
      if (!headers['content-type']) headers['content-type'] = 'application/json; charset=utf-8';
      const text = recording.body === undefined ? '' : JSON.stringify(recording.body);
      if (recording.delayMs) await wait(recording.delayMs);
      if (res.destroyed) return;
      res.writeHead(recording.status, headers);
      if (recording.stallBodyMs) {
        res.write(text.slice(0, text.length >> 1));
        await wait(recording.stallBodyMs);
        if (res.destroyed) return;
        res.end(text.slice(text.length >> 1));
      } else res.end(text);
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Head and base commits of pull request #42 in the acme/widget recordings. */
export const HEAD_SHA = '6dcb09b5b57875f334f61aebed695e2e4193db5e';
export const BASE_SHA = 'b5c83bc4a2f6e1d0c9b8a7f6e5d4c3b2a1f0e9d8';
export const REPO_ID = 618431207;

/** The routes of the approved scenario: PR #42 adds a lodash waiver, rm-bob approves on the head. */
export function pullRequest42Routes(overrides: Routes = {}): Routes {
  const ex = '/repos/acme/widget/contents/.vouch/exceptions.yml';
  return {
    'GET /repos/acme/widget/pulls/42': 'pull-42',
    'GET /repos/acme/widget/pulls/42/files?per_page=100': 'files-42-page1',
    [`GET /repositories/${REPO_ID}/pulls/42/files?page=2`]: 'files-42-page2',
    [`GET ${ex}?ref=${BASE_SHA}`]: 'exceptions-base',
    [`GET ${ex}?ref=${HEAD_SHA}`]: 'exceptions-head-added',
    [`GET /repos/acme/widget/contents/.vouch/policy.yml?ref=${BASE_SHA}`]: 'policy-base',
    [`GET /repos/acme/widget/contents/package-lock.json?ref=${BASE_SHA}`]: 'lock-base',
    [`GET /repos/acme/widget/contents/package-lock.json?ref=${HEAD_SHA}`]: 'lock-base',
    [`GET /repos/acme/widget/contents/.github/CODEOWNERS?ref=${BASE_SHA}`]: 'codeowners-base',
    'GET /repos/acme/widget/pulls/42/reviews': 'reviews-approved',
    'GET /repos/acme/widget/pulls/42/commits': 'commits-42',
    'GET /repos/acme/widget/activity?ref=refs/heads/waive-lodash-42': 'activity-42',
    'GET /orgs/acme/teams/release-managers/memberships/rm-bob': 'membership-active',
    'GET /orgs/acme/teams/release-managers/memberships/rm-carol': 'membership-maintainer',
    'GET /orgs/acme/teams/release-managers/memberships/outsider-dave': 'not-found',
    'GET /orgs/acme/teams/release-managers/memberships/dev-alice': 'not-found',
    'GET /repos/acme/widget/issues/42/comments': 'comments-none',
    'POST /repos/acme/widget/issues/42/comments': 'comment-created',
    'PATCH /repos/acme/widget/issues/comments/2510000002': 'comment-updated',
    'POST /repos/acme/widget/check-runs': 'check-run-created',
    [`POST /repos/acme/widget/statuses/${HEAD_SHA}`]: 'status-created',
    ...overrides,
  };
}
