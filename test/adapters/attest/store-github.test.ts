import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  githubAttestationsStore,
  githubTargetFromEnv,
  type GitHubTarget,
} from '../../../src/adapters/attest/store-github.ts';
import { releaseAssetsStore } from '../../../src/adapters/attest/store-release.ts';
import {
  BUNDLE_V03_MEDIA_TYPE,
  type SignedAttestation,
} from '../../../src/adapters/attest/types.ts';
import { buildStatement } from '../../../src/core/provenance/statement.ts';
import { startFakeGitHub, type FakeGitHub } from '../../helpers/fake-github.ts';

const statement = buildStatement(
  [{ name: 'app.tgz', digest: { sha256: 'a'.repeat(64) } }],
  'https://slsa.dev/provenance/v1',
  { x: 1 },
);
const bundle = {
  mediaType: BUNDLE_V03_MEDIA_TYPE,
  dsseEnvelope: { payload: 'e30=', payloadType: 'application/vnd.in-toto+json', signatures: [] },
};
const attestation: SignedAttestation = {
  statement,
  bundle,
  bundleText: `${JSON.stringify(bundle)}\n`,
  bundlePath: '/tmp/out/attestation.sigstore.json',
  images: [],
};
const fast = { baseDelayMs: 1, maxDelayMs: 5 };

describe('GitHub attestations API and release assets (recorded responses)', () => {
  let gh: FakeGitHub;
  let target: GitHubTarget;
  before(async () => {
    gh = await startFakeGitHub();
    target = {
      apiUrl: gh.url,
      serverUrl: 'https://github.com',
      repository: 'octo/app',
      token: 'ghs_test',
      releaseTag: 'v1.0.0',
    };
  });
  after(async () => {
    await gh.close();
  });

  it('POSTs {bundle} to /repos/{owner}/{repo}/attestations and returns the id and URL', async () => {
    gh.requests.length = 0;
    gh.on('POST /repos/octo/app/attestations', {
      status: 201,
      fixture: 'create-attestation.201.json',
    });
    const stored = await githubAttestationsStore(target, fast).store(attestation);
    assert.deepEqual(stored, { id: '2', location: 'https://github.com/octo/app/attestations/2' });
    const req = gh.requests[0]!;
    assert.equal(req.headers.authorization, 'Bearer ghs_test');
    assert.deepEqual(JSON.parse(req.body), { bundle });
  });

  it('retries 5xx and rate limits, then succeeds', async () => {
    gh.requests.length = 0;
    gh.on(
      'POST /repos/octo/app/attestations',
      { status: 502, body: { message: 'Bad Gateway' } },
      { status: 429, body: { message: 'slow down' }, headers: { 'retry-after': '0' } },
      {
        status: 403,
        fixture: 'rate-limited.403.json',
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '0' },
      },
      { status: 201, fixture: 'create-attestation.201.json' },
    );
    const stored = await githubAttestationsStore(target, fast).store(attestation);
    assert.equal(stored.id, '2');
    assert.equal(gh.requests.length, 4);
  });

  it('a 403 that is not a rate limit names `attestations: write` (THREATS 31)', async () => {
    gh.on('POST /repos/octo/app/attestations', {
      status: 403,
      fixture: 'create-attestation.403.json',
    });
    await assert.rejects(
      githubAttestationsStore(target, fast).store(attestation),
      (e: Error & { code: string }) => {
        assert.equal(e.code, 'ATTESTATIONS_PERMISSION_DENIED');
        assert.match(e.message, /attestations: write/);
        assert.match(e.message, /Resource not accessible by integration/);
        return true;
      },
    );
  });

  it('gives up after the retries on a server that keeps failing', async () => {
    gh.on('POST /repos/octo/app/attestations', { status: 503, body: { message: 'unavailable' } });
    await assert.rejects(
      githubAttestationsStore(target, { ...fast, retries: 2 }).store(attestation),
      { code: 'STORE_FAILED' },
    );
  });

  it('uploads the bundle as an asset of the existing release', async () => {
    gh.requests.length = 0;
    gh.on('GET /repos/octo/app/releases/tags/v1.0.0', { status: 200, fixture: 'release.200.json' });
    gh.on('POST /repos/octo/app/releases/1/assets', {
      status: 201,
      fixture: 'release-asset.201.json',
    });
    const stored = await releaseAssetsStore(target, fast).store(attestation);
    assert.equal(
      stored.location,
      'https://github.com/octo/app/releases/download/v1.0.0/attestation.sigstore.json',
    );
    const upload = gh.requests.find((r) => r.method === 'POST')!;
    assert.equal(upload.url, '/repos/octo/app/releases/1/assets?name=attestation.sigstore.json');
    assert.equal(upload.body, attestation.bundleText);
  });

  it('a release that does not exist is RELEASE_NOT_FOUND; no tag is STORE_INVALID', async () => {
    await assert.rejects(
      releaseAssetsStore({ ...target, releaseTag: 'v9.9.9' }, fast).store(attestation),
      { code: 'RELEASE_NOT_FOUND' },
    );
    const { releaseTag: _drop, ...noTag } = target;
    await assert.rejects(releaseAssetsStore(noTag, fast).store(attestation), {
      code: 'STORE_INVALID',
    });
  });

  it('the target comes from the Actions environment; a tag push names the release', () => {
    const t = githubTargetFromEnv(
      {
        GITHUB_API_URL: 'https://ghe.example.com/api/v3',
        GITHUB_SERVER_URL: 'https://ghe.example.com',
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_REF: 'refs/tags/v2.1.0',
      },
      'tok',
    );
    assert.deepEqual(t, {
      apiUrl: 'https://ghe.example.com/api/v3',
      serverUrl: 'https://ghe.example.com',
      repository: 'o/r',
      token: 'tok',
      releaseTag: 'v2.1.0',
    });
  });
});
