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

/**
 * A GitHub advisory API emulator (`GET /advisories?ecosystem=…&affects=name@version,…`), paging
 * with a Link header. Its advisories are the real records of ../shared/advisories/osv written back
 * in the REST shape GitHub serves the same data in (github/advisory-database exports these OSV
 * records from it): ids, CVE, summary, severity label, CVSS vectors, and one
 * `vulnerable_version_range` / `first_patched_version` per affected package.
 */
function githubShape(text: string): Record<string, unknown> {
  const r = JSON.parse(text) as {
    id: string;
    aliases?: string[];
    summary?: string;
    modified: string;
    published?: string;
    severity?: { type: string; score: string }[];
    database_specific?: { severity?: string };
    affected?: {
      package?: { ecosystem: string; name: string };
      ranges?: { events: Record<string, string>[] }[];
      versions?: string[];
    }[];
  };
  const eco: Record<string, string> = { npm: 'npm', 'crates.io': 'rust' };
  const vector = (t: string) => r.severity?.find((s) => s.type === t)?.score ?? null;
  return {
    ghsa_id: r.id,
    cve_id: r.aliases?.find((a) => a.startsWith('CVE-')) ?? null,
    summary: r.summary ?? '',
    severity: (r.database_specific?.severity ?? 'unknown')
      .toLowerCase()
      .replace('moderate', 'medium'),
    identifiers: [
      { type: 'GHSA', value: r.id },
      ...(r.aliases ?? []).map((a) => ({ type: a.split('-')[0], value: a })),
    ],
    published_at: r.published ?? r.modified,
    updated_at: r.modified,
    withdrawn_at: null,
    cvss_severities: {
      cvss_v3: { vector_string: vector('CVSS_V3') },
      cvss_v4: { vector_string: vector('CVSS_V4') },
    },
    vulnerabilities: (r.affected ?? [])
      .filter((a) => a.package && eco[a.package.ecosystem])
      .map((a) => {
        const parts: string[] = [];
        let patched: string | null = null;
        for (const e of a.ranges?.[0]?.events ?? []) {
          const [kind, v] = Object.entries(e)[0]!;
          if (kind === 'introduced' && v !== '0') parts.push(`>= ${v}`);
          if (kind === 'fixed') {
            parts.push(`< ${v}`);
            patched = v;
          }
          if (kind === 'last_affected') parts.push(`<= ${v}`);
        }
        if (!a.ranges?.length && a.versions?.length === 1) parts.push(`= ${a.versions[0]}`);
        return {
          package: { ecosystem: eco[a.package!.ecosystem], name: a.package!.name },
          vulnerable_version_range: parts.join(', ') || null,
          first_patched_version: patched,
          vulnerable_functions: [],
        };
      }),
  };
}

test('the GitHub advisory API source finds what the offline directory finds, following Link pages', async () => {
  const advisories = [...records.values()].map(githubShape);
  const seenAuth = new Set<string>();
  let laterPages = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    seenAuth.add(String(req.headers['authorization']));
    if (url.pathname !== '/advisories') {
      res.writeHead(404);
      return res.end('{}');
    }
    const eco = url.searchParams.get('ecosystem');
    const names = new Set(
      (url.searchParams.get('affects') ?? '').split(',').map((p) => p.slice(0, p.lastIndexOf('@'))),
    );
    const hits = advisories.filter((a) =>
      (a['vulnerabilities'] as { package: { ecosystem: string; name: string } }[]).some(
        (v) => v.package.ecosystem === eco && names.has(v.package.name),
      ),
    );
    const page = Number(url.searchParams.get('page') ?? 1);
    if (page > 1) laterPages++;
    const size = 3;
    const body = hits.slice((page - 1) * size, page * size);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (page * size < hits.length) {
      url.searchParams.set('page', String(page + 1));
      headers['link'] = `<http://${req.headers.host}${url.pathname}${url.search}>; rel="next"`;
    }
    res.writeHead(200, headers);
    res.end(JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const raw = await queryGithubAdvisories(queriesOf(sbom, policy), {
    baseUrl: base,
    token: 'ghs_test',
  });
  assert.deepEqual([...seenAuth], ['Bearer ghs_test']);
  assert.ok(laterPages > 0, 'Link pages were followed');
  const offline = await loadOsvDirectory(OSV_DIR);
  assert.deepEqual(verdicts(raw), verdicts(offline.raw));
});
