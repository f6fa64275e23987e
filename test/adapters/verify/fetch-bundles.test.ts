/**
 * Bundles fetched from the GitHub attestations API and from release assets, against recorded
 * responses on loopback. The bodies are real bundles: the one GitHub's attest-build-provenance
 * made (test/fixtures/provenance) and key-signed ones made here, verified end to end after the
 * fetch.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  fetchBundles,
  fetchGitHubAttestations,
  fetchReleaseBundles,
  nextLink,
  parseGitHubSource,
  parseOciSource,
  parseReleaseSource,
  type FetchBundlesOptions,
} from '../../../src/adapters/verify/fetch-bundles.ts';
import { verifyArtifacts } from '../../../src/adapters/verify/verify-artifacts.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { VouchError } from '../../../src/errors.ts';
import { startGitHubServer, type GitHubServer, type Routes } from '../../helpers/github-server.ts';
import { startFakeGitHub, type FakeGitHub } from '../../helpers/fake-github.ts';
import { ROOT } from '../../helpers/cli.ts';
import {
  generateTestKey,
  keyDsseBundle,
  sha256Hex,
  statementFor,
  type TestKey,
  writeEmptyTrustedRoot,
} from '../../helpers/verify-bundles.ts';

// Key-signed offline test attestations: not SLSA provenance, which would need a log entry.
const ATTESTED = 'https://example.com/vouch-test-attestation/v1';
const fast = { baseDelayMs: 1, maxDelayMs: 5 };
const githubBundle = JSON.parse(
  readFileSync(
    join(ROOT, 'test/fixtures/provenance/github-attest-build-provenance.sigstore.json'),
    'utf8',
  ),
) as Record<string, unknown>;
/** The subject of that bundle (a.txt in loosebazooka/aa-test). */
const GITHUB_DIGEST = 'sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf';

function code(c: string, includes?: string) {
  return (e: unknown) => {
    assert.ok(e instanceof VouchError, String(e));
    assert.equal(e.code, c, e.message);
    if (includes) assert.ok(e.message.includes(includes), e.message);
    return true;
  };
}

describe('bundles from the GitHub attestations API (recorded responses)', () => {
  let dir: string;
  let key: TestKey;
  let data: Buffer;
  let digest: string;
  let ours: Record<string, unknown>;
  let servers: GitHubServer[] = [];

  async function serve(routes: Routes): Promise<GitHubServer> {
    const s = await startGitHubServer(routes);
    servers.push(s);
    return s;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vouch-fetch-'));
    key = generateTestKey();
    data = Buffer.from('release artifact\n');
    digest = `sha256:${sha256Hex(data)}`;
    writeFileSync(join(dir, 'app.tgz'), data);
    writeFileSync(join(dir, 'key.pub'), key.pem);
    writeEmptyTrustedRoot(dir);
    ours = await keyDsseBundle(
      key,
      statementFor('app.tgz', data, ATTESTED, { buildDefinition: {} }),
    );
  });
  after(async () => {
    for (const s of servers) await s.close();
    servers = [];
  });

  it('reads GitHub’s own bundle by digest, as the API returns it', async () => {
    const gh = await serve({
      [`GET /repos/loosebazooka/aa-test/attestations/${GITHUB_DIGEST}`]: {
        status: 200,
        body: { attestations: [{ bundle: githubBundle, repository_id: 905988044 }] },
      },
    });
    const got = await fetchGitHubAttestations('loosebazooka/aa-test', GITHUB_DIGEST, {
      apiUrl: gh.url,
      retry: fast,
    });
    assert.equal(got.length, 1);
    assert.deepEqual(got[0]!.json, githubBundle);
    assert.equal(
      got[0]!.source,
      `${gh.url}/repos/loosebazooka/aa-test/attestations/${GITHUB_DIGEST}#attestations[0]`,
    );
    assert.equal(gh.requests[0]!.query['per_page'], '100');
    assert.equal(gh.requests[0]!.authorization, undefined, 'no token: an anonymous read');
  });

  it('reads a bundle kept behind bundle_url (Snappy, from bundle storage, without the token)', async () => {
    const compressed = readFileSync(
      join(ROOT, 'test/fixtures/provenance/github-api/bundle-url.snappy'),
    );
    const { createServer } = await import('node:http');
    const storageAuth: (string | undefined)[] = [];
    const storage = createServer((req, res) => {
      storageAuth.push(req.headers.authorization);
      if (!req.url?.startsWith('/bundles/aa-test.json?sig=')) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/x-snappy' }).end(compressed);
    });
    await new Promise<void>((r) => storage.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(storage.address() as { port: number }).port}`;
    try {
      const gh = await serve({
        [`GET /repos/loosebazooka/aa-test/attestations/${GITHUB_DIGEST}`]: {
          status: 200,
          body: {
            attestations: [
              {
                bundle: null,
                bundle_url: `${base}/bundles/aa-test.json?sig=c2lnbmVk`,
                repository_id: 905988044,
              },
              {
                bundle: null,
                bundle_url: `${base}/bundles/expired.json`,
                repository_id: 905988044,
              },
            ],
          },
        },
        [`GET /repos/loosebazooka/one/attestations/${GITHUB_DIGEST}`]: {
          status: 200,
          body: {
            attestations: [
              {
                bundle: null,
                bundle_url: `${base}/bundles/aa-test.json?sig=c2lnbmVk`,
                repository_id: 1,
              },
            ],
          },
        },
      });
      const o: FetchBundlesOptions = { apiUrl: gh.url, token: 'ghp_secret', retry: fast };
      const got = await fetchGitHubAttestations('loosebazooka/one', GITHUB_DIGEST, o);
      assert.deepEqual(got[0]!.json, githubBundle);
      assert.equal(
        got[0]!.source,
        `${gh.url}/repos/loosebazooka/one/attestations/${GITHUB_DIGEST}#attestations[0]`,
      );
      assert.deepEqual(storageAuth, [undefined], 'the GitHub token never goes to bundle storage');
      assert.equal(gh.requests[0]!.authorization, 'Bearer ghp_secret');
      // A bundle_url that answers 404 (an expired grant) fails closed.
      await assert.rejects(
        fetchGitHubAttestations('loosebazooka/aa-test', GITHUB_DIGEST, o),
        code('VERIFY_FETCH_FAILED', 'attestations[1]'),
      );
      // Decompressed beyond the cap: refused.
      await assert.rejects(
        fetchGitHubAttestations('loosebazooka/one', GITHUB_DIGEST, {
          ...o,
          maxBundleBytes: 11_500,
        }),
        code('FILE_TOO_LARGE'),
      );
    } finally {
      await new Promise<void>((r) => storage.close(() => r()));
    }
  });

  it('follows Link pages, sends the token, and the fetched bundle verifies the artifact', async () => {
    const gh = await serve({
      [`GET /repos/octo/app/attestations/${digest}?per_page=100`]: {
        status: 200,
        headers: {
          link: `<{base}/repos/octo/app/attestations/${digest}?per_page=100&after=Y3Vyc29yMg>; rel="next"`,
        },
        body: { attestations: [{ bundle: githubBundle, repository_id: 1 }] },
      },
      [`GET /repos/octo/app/attestations/${digest}?per_page=100&after=Y3Vyc29yMg`]: {
        status: 200,
        headers: {
          link: `<{base}/repos/octo/app/attestations/${digest}?per_page=100&before=Y3Vyc29yMQ>; rel="prev"`,
        },
        body: { attestations: [{ bundle: ours, repository_id: 1 }] },
      },
    });
    const result = await verifyArtifacts(
      {
        artifacts: ['app.tgz'],
        bundles: [],
        sources: [parseGitHubSource('octo/app')],
        key: 'key.pub',
        trust: { kind: 'file', path: 'trusted_root.json' },
      },
      { cwd: dir, logger: silentLogger, fetch: { apiUrl: gh.url, token: 'ghp_read', retry: fast } },
    );
    assert.equal(gh.requests.length, 2, 'two pages');
    assert.ok(gh.requests.every((r) => r.authorization === 'Bearer ghp_read'));
    assert.equal(result.passed, true, JSON.stringify(result.artifacts[0]));
    assert.match(result.artifacts[0]!.bundle!, /after=Y3Vyc29yMg#attestations\[0\]$/);
  });

  it('retries a 5xx and a rate limit, then reads', async () => {
    const gh = await serve({
      [`GET /repos/octo/app/attestations/${digest}`]: [
        { status: 502, body: { message: 'Server Error' } },
        {
          status: 403,
          headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '0' },
          body: { message: 'API rate limit exceeded for 127.0.0.1.' },
        },
        { status: 200, body: { attestations: [{ bundle: ours, repository_id: 1 }] } },
      ],
    });
    const got = await fetchGitHubAttestations('octo/app', digest, {
      apiUrl: gh.url,
      retry: fast,
    });
    assert.equal(got.length, 1);
    assert.equal(gh.requests.length, 3);
  });

  it('a rate limit that stays is VERIFY_FETCH_RATE_LIMITED; a server that keeps failing, VERIFY_FETCH_FAILED', async () => {
    const gh = await serve({
      [`GET /repos/octo/app/attestations/${digest}`]: {
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1893456000' },
        body: { message: 'API rate limit exceeded for 127.0.0.1.' },
      },
      [`GET /repos/octo/down/attestations/${digest}`]: {
        status: 503,
        body: { message: 'Service Unavailable' },
      },
    });
    const o: FetchBundlesOptions = { apiUrl: gh.url, retry: { ...fast, retries: 2 } };
    await assert.rejects(
      fetchGitHubAttestations('octo/app', digest, o),
      code('VERIFY_FETCH_RATE_LIMITED', '2030-01-01T00:00:00.000Z'),
    );
    assert.equal(gh.requests.length, 3, 'the first try and two retries');
    await assert.rejects(
      fetchGitHubAttestations('octo/down', digest, o),
      code('VERIFY_FETCH_FAILED', '503'),
    );
  });

  it('no attestations (404) is a refusal naming the digest; a 403 is VERIFY_FETCH_DENIED', async () => {
    const gh = await serve({
      [`GET /repos/octo/private/attestations/${digest}`]: {
        status: 403,
        body: { message: 'Resource not accessible by integration' },
      },
    });
    const o: FetchBundlesOptions = { apiUrl: gh.url, retry: fast, digests: [digest] };
    await assert.rejects(
      fetchBundles([parseGitHubSource('octo/app')], o),
      code('VERIFY_NO_ATTESTATIONS', digest),
    );
    await assert.rejects(
      fetchBundles([parseGitHubSource('octo/private')], o),
      code('VERIFY_FETCH_DENIED', 'Resource not accessible by integration'),
    );
    // Through verifyArtifacts: the same refusal, exit code of a refusal.
    await assert.rejects(
      verifyArtifacts(
        {
          artifacts: ['app.tgz'],
          bundles: [],
          sources: [parseGitHubSource('octo/app')],
          key: 'key.pub',
          trust: { kind: 'file', path: 'trusted_root.json' },
        },
        { cwd: dir, logger: silentLogger, fetch: { apiUrl: gh.url, retry: fast } },
      ),
      (e: unknown) =>
        code('VERIFY_NO_ATTESTATIONS', digest)(e) && (e as VouchError).kind === 'refusal',
    );
  });

  it('the organization endpoint, and bare digests given as artifacts', async () => {
    const gh = await serve({
      [`GET /orgs/octo/attestations/${digest}`]: {
        status: 200,
        body: { attestations: [{ bundle: ours, repository_id: 1 }] },
      },
    });
    const result = await verifyArtifacts(
      {
        artifacts: [digest],
        bundles: [],
        sources: [{ kind: 'github-org', org: 'octo' }],
        key: 'key.pub',
        trust: { kind: 'file', path: 'trusted_root.json' },
      },
      { cwd: dir, logger: silentLogger, fetch: { apiUrl: gh.url, retry: fast } },
    );
    assert.equal(result.passed, true);
  });

  it('fails closed: a next page on another host, a malformed answer, an oversized one', async () => {
    const gh = await serve({
      [`GET /repos/octo/app/attestations/${digest}`]: {
        status: 200,
        headers: { link: `<https://evil.example/steal?after=x>; rel="next"` },
        body: { attestations: [{ bundle: ours, repository_id: 1 }] },
      },
      [`GET /repos/octo/odd/attestations/${digest}`]: { status: 200, body: { items: [] } },
      [`GET /repos/octo/big/attestations/${digest}`]: {
        status: 200,
        body: { attestations: [{ bundle: ours }, { bundle: ours }] },
      },
    });
    const o: FetchBundlesOptions = { apiUrl: gh.url, token: 'ghp_secret', retry: fast };
    await assert.rejects(
      fetchGitHubAttestations('octo/app', digest, o),
      code('VERIFY_FETCH_FAILED', 'evil.example'),
    );
    await assert.rejects(
      fetchGitHubAttestations('octo/odd', digest, o),
      code('VERIFY_FETCH_FAILED'),
    );
    const size = JSON.stringify(ours).length;
    await assert.rejects(
      fetchGitHubAttestations('octo/big', digest, { ...o, maxBundleBytes: size + 100 }),
      code('FILE_TOO_LARGE'),
    );
    await assert.rejects(
      fetchGitHubAttestations('octo/app', 'sha512:abc', o),
      code('VERIFY_ARTIFACT_INVALID'),
    );
  });

  it('parses source values and refuses malformed ones with a code', () => {
    assert.deepEqual(parseGitHubSource('octo/app'), { kind: 'github', repository: 'octo/app' });
    assert.deepEqual(parseReleaseSource('octo/app@v1.2.3'), {
      kind: 'release',
      repository: 'octo/app',
      tag: 'v1.2.3',
    });
    assert.deepEqual(parseReleaseSource('octo/app@release/2026-01'), {
      kind: 'release',
      repository: 'octo/app',
      tag: 'release/2026-01',
    });
    for (const bad of ['octo', 'octo/app/x', '../x', 'octo/app?x=1']) {
      assert.throws(() => parseGitHubSource(bad), code('VERIFY_BUNDLE_SOURCE_INVALID'));
    }
    for (const bad of ['octo/app', 'octo/app@', '@v1', 'octo/app@v1?x', 'octo/app@../x x']) {
      assert.throws(() => parseReleaseSource(bad), code('VERIFY_BUNDLE_SOURCE_INVALID'));
    }
    assert.throws(
      () => parseOciSource('ghcr.io/octo/app:v1'),
      code('VERIFY_BUNDLE_SOURCE_INVALID'),
    );
    assert.throws(() => parseOciSource('not a ref'), code('VERIFY_BUNDLE_SOURCE_INVALID'));
  });

  it('reads the next link among several relations', () => {
    assert.equal(
      nextLink('<https://a/x?page=1>; rel="prev", <https://a/x?page=3>; rel="next"'),
      'https://a/x?page=3',
    );
    assert.equal(nextLink('<https://a/x?page=1>; rel="prev"'), undefined);
    assert.equal(nextLink(null), undefined);
  });
});

describe('bundles from release assets (recorded responses)', () => {
  let gh: FakeGitHub;
  let dir: string;
  let key: TestKey;
  const data = Buffer.from('release artifact\n');
  let bundleText: string;
  let jsonl: string;

  before(async () => {
    gh = await startFakeGitHub();
    dir = mkdtempSync(join(tmpdir(), 'vouch-fetch-release-'));
    key = generateTestKey();
    writeFileSync(join(dir, 'app.tgz'), data);
    writeFileSync(join(dir, 'key.pub'), key.pem);
    writeEmptyTrustedRoot(dir);
    bundleText = `${JSON.stringify(
      await keyDsseBundle(key, statementFor('app.tgz', data, ATTESTED, { buildDefinition: {} })),
      null,
      2,
    )}\n`;
    const other = await keyDsseBundle(
      key,
      statementFor('app.tgz', data, 'https://cyclonedx.org/bom', {
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
      }),
    );
    jsonl = `${JSON.stringify(githubBundle)}\n${JSON.stringify(other)}\n`;
    gh.on('GET /repos/octo/app/releases/tags/v1.2.3', {
      status: 200,
      fixture: 'release-with-bundles.200.json',
    });
    gh.on('GET /repos/octo/app/releases/assets/702', {
      status: 200,
      text: bundleText,
      headers: { 'content-type': 'application/octet-stream' },
    });
    gh.on('GET /repos/octo/app/releases/assets/703', {
      status: 200,
      text: jsonl,
      headers: { 'content-type': 'application/octet-stream' },
    });
  });
  after(async () => {
    await gh.close();
  });

  it('downloads *.sigstore.json and *.intoto.jsonl assets (one bundle a line) with Accept: application/octet-stream', async () => {
    gh.requests.length = 0;
    const got = await fetchReleaseBundles('octo/app', 'v1.2.3', {
      apiUrl: gh.url,
      token: 'ghp_read',
      retry: fast,
    });
    assert.deepEqual(
      got.map((b) => b.source),
      [
        'octo/app@v1.2.3/app.tgz.sigstore.json',
        'octo/app@v1.2.3/multiple.intoto.jsonl:1',
        'octo/app@v1.2.3/multiple.intoto.jsonl:2',
      ],
    );
    assert.deepEqual(got[1]!.json, githubBundle);
    assert.equal(got[0]!.sha256, sha256Hex(bundleText), 'the digest of the bytes as served');
    const downloads = gh.requests.filter((r) => r.url.includes('/releases/assets/'));
    assert.deepEqual(
      downloads.map((r) => r.url),
      ['/repos/octo/app/releases/assets/702', '/repos/octo/app/releases/assets/703'],
      'the tarball and the checksum file are not downloaded',
    );
    for (const r of downloads) {
      assert.equal(r.headers.accept, 'application/octet-stream');
      assert.equal(r.headers.authorization, 'Bearer ghp_read');
    }
  });

  it('the fetched bundles verify the artifact, with the predicate type chosen', async () => {
    const result = await verifyArtifacts(
      {
        artifacts: ['app.tgz'],
        bundles: [],
        sources: [parseReleaseSource('octo/app@v1.2.3')],
        key: 'key.pub',
        predicateType: 'https://cyclonedx.org/bom',
        trust: { kind: 'file', path: 'trusted_root.json' },
      },
      { cwd: dir, logger: silentLogger, fetch: { apiUrl: gh.url, retry: fast } },
    );
    assert.equal(result.passed, true, JSON.stringify(result.artifacts[0]));
    assert.equal(result.artifacts[0]!.bundle, 'octo/app@v1.2.3/multiple.intoto.jsonl:2');
  });

  it('a missing release is RELEASE_NOT_FOUND; a release without bundles, a refusal; an oversized asset, FILE_TOO_LARGE', async () => {
    const o: FetchBundlesOptions = { apiUrl: gh.url, retry: fast };
    await assert.rejects(
      fetchBundles([parseReleaseSource('octo/app@v9.9.9')], o),
      code('RELEASE_NOT_FOUND', 'v9.9.9'),
    );
    gh.on('GET /repos/octo/app/releases/tags/v1.0.0', { status: 200, fixture: 'release.200.json' });
    await assert.rejects(
      fetchBundles([parseReleaseSource('octo/app@v1.0.0')], o),
      code('VERIFY_NO_ATTESTATIONS', 'v1.0.0'),
    );
    await assert.rejects(
      fetchReleaseBundles('octo/app', 'v1.2.3', { ...o, maxBundleBytes: 4096 }),
      code('FILE_TOO_LARGE', 'multiple.intoto.jsonl'),
    );
  });
});

describe('vouch verify --from-github / --from-release (recorded responses)', () => {
  let gh: GitHubServer;
  let dir: string;
  let digest: string;

  before(async () => {
    const key = generateTestKey();
    const data = Buffer.from('cli artifact\n');
    digest = `sha256:${sha256Hex(data)}`;
    dir = mkdtempSync(join(tmpdir(), 'vouch-fetch-cli-'));
    writeFileSync(join(dir, 'app.tgz'), data);
    writeFileSync(join(dir, 'key.pub'), key.pem);
    writeEmptyTrustedRoot(dir);
    const bundle = await keyDsseBundle(key, statementFor('app.tgz', data, ATTESTED, { x: 1 }));
    gh = await startGitHubServer({
      [`GET /repos/octo/app/attestations/${digest}`]: {
        status: 200,
        body: { attestations: [{ bundle, repository_id: 1 }] },
      },
      'GET /repos/octo/app/releases/tags/v2.0.0': {
        status: 200,
        body: {
          id: 9,
          tag_name: 'v2.0.0',
          assets: [
            {
              id: 901,
              name: 'app.tgz.sigstore',
              size: 4000,
              url: '/repos/octo/app/releases/assets/901',
            },
          ],
        },
      },
      'GET /repos/octo/app/releases/assets/901': { status: 200, body: bundle },
    });
  });
  after(async () => {
    await gh.close();
  });

  /** The CLI in a child process, asynchronously: the recorded server answers from this one. */
  const vouch = (
    args: string[],
    o: { cwd: string; env: NodeJS.ProcessEnv },
  ): Promise<{ status: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [join(ROOT, 'src/cli/index.ts'), ...args],
        { cwd: o.cwd, env: { ...process.env, NO_COLOR: '1', ...o.env }, encoding: 'utf8' },
        (error, stdout, stderr) =>
          resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    vouch(
      ['verify', '--key', 'key.pub', '--trusted-root', 'trusted_root.json', ...args, 'app.tgz'],
      {
        cwd: dir,
        env: { GITHUB_API_URL: gh.url, GITHUB_TOKEN: '', GH_TOKEN: '', ...env },
      },
    );

  it('passes with bundles from the attestations API; the token comes from --github-token-env', async () => {
    const r = await run(['--from-github', 'octo/app', '--github-token-env', 'READ_TOKEN'], {
      READ_TOKEN: 'ghp_cli',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^pass {2}app\.tgz {2}\(http:\/\/127\.0\.0\.1:\d+\/repos\/octo\/app\/attestations\//,
    );
    assert.equal(gh.requests.at(-1)!.authorization, 'Bearer ghp_cli');
  });

  it('passes with a release asset, anonymously', async () => {
    const before = gh.requests.length;
    const r = await run(['--from-release', 'octo/app@v2.0.0']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\(octo\/app@v2\.0\.0\/app\.tgz\.sigstore\)/);
    assert.ok(gh.requests.slice(before).every((q) => q.authorization === undefined));
  });

  it('exit 1 when the repository holds no attestation; exit 2 for a malformed source or an unset token variable', async () => {
    const none = await run(['--from-github', 'octo/empty', '--json']);
    assert.equal(none.status, 1, none.stderr);
    const out = JSON.parse(none.stdout) as {
      ok: boolean;
      error: { code: string; message: string };
    };
    assert.equal(out.error.code, 'VERIFY_NO_ATTESTATIONS');
    assert.ok(out.error.message.includes(digest));
    const bad = await run(['--from-github', 'octo']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /VERIFY_BUNDLE_SOURCE_INVALID/);
    const unset = await run(['--from-github', 'octo/app', '--github-token-env', 'NOPE_TOKEN']);
    assert.equal(unset.status, 2);
    assert.match(unset.stderr, /USAGE_INVALID_VALUE/);
  });
});
