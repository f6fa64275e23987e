/**
 * A GitHub REST stand-in on 127.0.0.1 that replays recorded responses
 * (test/fixtures/provenance/github-api) in the order a test queues them, and records requests.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './cli.ts';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Reply {
  readonly status: number;
  /** A fixture file name in test/fixtures/provenance/github-api, or a literal body. */
  readonly fixture?: string;
  readonly body?: unknown;
  /** A literal body sent as is (not JSON-encoded), e.g. a release asset's bytes. */
  readonly text?: string;
  readonly headers?: Record<string, string>;
}

export interface FakeGitHub {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Replies for a route `METHOD /path` (without query), used in order; the last one repeats. */
  on(route: string, ...replies: Reply[]): void;
  close(): Promise<void>;
}

export function fixture(name: string): string {
  return readFileSync(join(ROOT, 'test/fixtures/provenance/github-api', name), 'utf8');
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const routes = new Map<string, Reply[]>();
  const requests: RecordedRequest[] = [];
  let base = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const queue = routes.get(`${req.method} ${path}`);
      const reply = queue && queue.length > 1 ? queue.shift()! : queue?.[0];
      if (!reply) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(fixture('not-found.404.json'));
        return;
      }
      const text = reply.fixture
        ? fixture(reply.fixture)
        : reply.text !== undefined
          ? reply.text
          : reply.body === undefined
            ? ''
            : JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
      res.end(
        text
          .replaceAll('https://uploads.github.com', base)
          .replaceAll('https://api.github.com', base),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    on(route, ...replies) {
      routes.set(route, replies);
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
