/**
 * The OSV batch API source against a local server that answers as api.osv.dev does
 * (`POST /v1/querybatch`, `GET /v1/vulns/{id}`), serving the real records of
 * ../shared/advisories/osv; and the fail-closed rule for both API sources.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { queryOsvApi } from '../../../src/adapters/advisories/osv-api.ts';
import { queryGithubAdvisories } from '../../../src/adapters/advisories/github-api.ts';
import { loadOsvDirectory } from '../../../src/adapters/advisories/osv-files.ts';
import { loadAdvisories, queriesOf } from '../../../src/adapters/policy/run-policy.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { buildAdvisoryDatabase } from '../../../src/core/osv/database.ts';
import { evaluatePolicy } from '../../../src/core/policy/evaluate.ts';
import { parsePolicy } from '../../../src/core/policy/parse.ts';
import { buildSbom } from '../../../src/core/sbom/build.ts';
import { readNpmLockfile } from '../../../src/core/sbom/lockfiles/npm.ts';
import { VouchError } from '../../../src/errors.ts';
import { SHARED } from '../../helpers/cli.ts';
import { OSV_DIR } from '../../helpers/osv.ts';

/** Every real record, by id, and the ids naming each ecosystem/package. */
const records = new Map<string, string>();
const byPackage = new Map<string, string[]>();
for (const folder of ['npm', 'crates.io']) {
  for (const f of readdirSync(join(OSV_DIR, folder))) {
    const text = readFileSync(join(OSV_DIR, folder, f), 'utf8');
    const r = JSON.parse(text) as {
      id: string;
      affected?: { package?: { ecosystem: string; name: string } }[];
    };
    records.set(r.id, text);
    for (const a of r.affected ?? []) {
      if (!a.package) continue;
      const key = `${a.package.ecosystem}\0${a.package.name.toLowerCase()}`;
      byPackage.set(key, [...new Set([...(byPackage.get(key) ?? []), r.id])]);
    }
  }
}

interface Emulator {
  readonly url: string;
  readonly batches: number[];
  readonly fetched: string[];
}

/**
 * An OSV API emulator. Like osv.dev it pages long answers: at most `perPage` ids per query per
 * answer, with a next_page_token to ask for the rest. It answers with every record naming the
 * package: range evaluation is vouch's, not the server's.
 */
async function startOsvApi(perPage: number): Promise<Emulator & { server: Server }> {
  const batches: number[] = [];
  const fetched: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      if (req.method === 'POST' && req.url === '/v1/querybatch') {
        const { queries } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          queries: {
            package: { ecosystem: string; name: string };
            version: string;
            page_token?: string;
          }[];
        };
        batches.push(queries.length);
        const results = queries.map((q) => {
          const ids =
            byPackage.get(`${q.package.ecosystem}\0${q.package.name.toLowerCase()}`) ?? [];
          const start = Number(q.page_token ?? 0);
          const page = ids.slice(start, start + perPage);
          return {
            ...(page.length
              ? { vulns: page.map((id) => ({ id, modified: '2024-01-01T00:00:00Z' })) }
              : {}),
            ...(start + perPage < ids.length ? { next_page_token: String(start + perPage) } : {}),
          };
        });
        return reply(200, { results });
      }
      const m = /^\/v1\/vulns\/(.+)$/.exec(req.url ?? '');
      if (req.method === 'GET' && m) {
        const id = decodeURIComponent(m[1]!);
        fetched.push(id);
        const text = records.get(id);
        return text ? reply(200, text) : reply(404, { code: 5, message: 'Bug not found.' });
      }
      reply(404, { code: 5, message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}`, batches, fetched };
}

const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

const lockDir = join(SHARED, 'bench', 'npm-large');
const sbom = buildSbom(
  readNpmLockfile(
    JSON.parse(readFileSync(join(lockDir, 'package-lock.json'), 'utf8')),
    'package-lock.json',
    {
      value: JSON.parse(readFileSync(join(lockDir, 'package.json'), 'utf8')),
      source: 'package.json',
    },
  ),
);
const policy = parsePolicy('version: 1\nscopes: [required, optional, dev]\n', 'policy.yml');
const now = new Date('2026-12-01T00:00:00Z');
const verdicts = (raw: Parameters<typeof buildAdvisoryDatabase>[0]): string[] =>
  evaluatePolicy({ sbom, policy, advisories: buildAdvisoryDatabase(raw), now })
    .findings.map((f) => `${f.id} ${f.component.name}@${f.component.version} ${f.status}`)
    .sort();

test('the OSV API source finds exactly what the offline directory finds, on a real lockfile', async () => {
  const api = await startOsvApi(2);
  servers.push(api.server);
  const queries = queriesOf(sbom, policy);
  assert.ok(queries.length > 1000, 'a query per package version of npm-large');
  const raw = await queryOsvApi(queries, { baseUrl: api.url });
  const offline = await loadOsvDirectory(OSV_DIR);
  const expected = verdicts(offline.raw);
  assert.ok(expected.length > 0, 'the real records affect some locked versions');
  assert.deepEqual(verdicts(raw), expected);
  // Batches of at most 1,000 queries, then follow-up pages for the packages with more ids.
  assert.ok(api.batches.length >= 3, `batches: ${api.batches.join(', ')}`);
  assert.ok(api.batches.every((n) => n <= 1000));
  // Each record is fetched once, however many versions or pages named it.
  assert.equal(new Set(api.fetched).size, api.fetched.length);
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof VouchError, String(error));
    return error.code;
  }
  assert.fail('expected an error');
}

test('an unreachable or failing advisory API fails closed, unless an offline source is given too', async () => {
  // A port nothing listens on, and a server that answers 503.
  const down = 'http://127.0.0.1:9';
  const failing = createServer((_req, res) => {
    res.writeHead(503);
    res.end('unavailable');
  });
  servers.push(failing);
  await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
  const unavailable = `http://127.0.0.1:${(failing.address() as { port: number }).port}`;
  const queries = queriesOf(sbom, policy).slice(0, 5);
  for (const base of [down, unavailable]) {
    assert.equal(
      await codeOf(queryOsvApi(queries, { baseUrl: base })),
      'ADVISORY_SOURCE_UNREACHABLE',
    );
    assert.equal(
      await codeOf(queryGithubAdvisories(queries, { baseUrl: base })),
      'ADVISORY_SOURCE_UNREACHABLE',
    );
  }
  const deps = { logger: silentLogger };
  const options = { cwd: process.cwd() };
  for (const source of [`osv-api=${down}`, `github-api=${unavailable}`]) {
    assert.equal(
      await codeOf(loadAdvisories([source], () => queries, options, deps)),
      'ADVISORY_SOURCE_UNREACHABLE',
      `${source} alone`,
    );
    const withOffline = await loadAdvisories([OSV_DIR, source], () => queries, options, deps);
    assert.equal(withOffline.raw.length, records.size, 'the offline records are used');
    assert.equal(withOffline.warnings.length, 1);
    assert.match(withOffline.warnings[0]!, /continuing with the offline source/);
  }
});

test('a hostile record from the API (a __proto__ key) is skipped by name; the run goes on', async () => {
  const id = 'GHSA-9999-9999-9999';
  records.set(id, `{"id":"${id}","modified":"2024-01-01T00:00:00Z","__proto__":{"polluted":true}}`);
  byPackage.set('npm\0left-pad', [id]);
  try {
    const api = await startOsvApi(10);
    servers.push(api.server);
    const raw = await queryOsvApi([{ ecosystem: 'npm', name: 'left-pad', version: '1.3.0' }], {
      baseUrl: api.url,
    });
    const db = buildAdvisoryDatabase(raw);
    assert.equal(db.records.length, 0);
    assert.deepEqual(
      db.skipped.map((s) => [s.source.endsWith(`/v1/vulns/${id}`), s.reason.split(']')[0]]),
      [[true, '[UNSAFE_KEY']],
    );
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  } finally {
    records.delete(id);
    byPackage.delete('npm\0left-pad');
  }
});
