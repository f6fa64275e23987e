/**
 * Bundles read back from OCI referrers on a real registry (Debian's docker-registry on loopback):
 * pushed with our own store (`vouch attest --store oci`), read with the reader, verified.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  OCI_EMPTY,
  OCI_INDEX,
  OCI_MANIFEST,
  ociStore,
  referrersTag,
  RegistryClient,
} from '../../../src/adapters/attest/store-oci.ts';
import {
  BUNDLE_V03_MEDIA_TYPE,
  type BundleJson,
  type SignedAttestation,
} from '../../../src/adapters/attest/types.ts';
import {
  fetchBundles,
  fetchOciBundles,
  parseOciSource,
} from '../../../src/adapters/verify/fetch-bundles.ts';
import { verifyArtifacts } from '../../../src/adapters/verify/verify-artifacts.ts';
import type { Statement } from '../../../src/core/provenance/statement.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { VouchError } from '../../../src/errors.ts';
import { pushTestImage, startRegistry, type LocalRegistry } from '../../helpers/registry.ts';
import {
  generateTestKey,
  keyDsseBundle,
  type TestKey,
  writeEmptyTrustedRoot,
} from '../../helpers/verify-bundles.ts';

// Key-signed offline test attestations: not SLSA provenance, which would need a log entry.
const ATTESTED = 'https://example.com/vouch-test-attestation/v1';
const sha = (b: Buffer | string): string =>
  `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('bundles from OCI referrers (docker-registry on loopback, pushed with our store)', () => {
  let registry: LocalRegistry;
  let key: TestKey;
  let dir: string;

  before(async () => {
    registry = await startRegistry();
    key = generateTestKey();
    dir = mkdtempSync(join(tmpdir(), 'vouch-fetch-oci-'));
    writeFileSync(join(dir, 'key.pub'), key.pem);
    writeEmptyTrustedRoot(dir);
  });
  after(async () => {
    await registry.stop();
  });

  async function attest(imageRef: string, digest: string, predicateType = ATTESTED) {
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: imageRef.split('@')[0]!, digest: { sha256: digest.slice(7) } }],
      predicateType,
      predicate: { buildDefinition: {} },
    } as unknown as Statement;
    const bundle = (await keyDsseBundle(key, statement)) as BundleJson;
    const attestation: SignedAttestation = {
      statement,
      bundle,
      bundleText: `${JSON.stringify(bundle)}\n`,
      bundlePath: join(dir, 'attestation.sigstore.json'),
      images: [],
    };
    await ociStore(imageRef).store(attestation);
    return attestation;
  }

  it('reads back what the store pushed (referrers tag scheme) and the bundle verifies the image', async () => {
    const digest = await pushTestImage(registry.host, 'team/app', 'layer one');
    const image = `${registry.host}/team/app@${digest}`;
    const first = await attest(image, digest);
    const second = await attest(image, digest, 'https://cyclonedx.org/bom');

    const got = await fetchOciBundles(image);
    assert.equal(got.length, 2);
    assert.deepEqual(
      got.map((b) => b.json),
      [first.bundle, second.bundle],
    );
    assert.equal(
      got[0]!.sha256,
      sha(first.bundleText).slice(7),
      'the digest of the blob as stored',
    );
    assert.match(got[0]!.source, new RegExp(`^${registry.host}/team/app@sha256:[0-9a-f]{64}$`));

    const result = await verifyArtifacts(
      {
        artifacts: [image],
        bundles: [],
        sources: [parseOciSource(image)],
        key: 'key.pub',
        predicateType: ATTESTED,
        trust: { kind: 'file', path: 'trusted_root.json' },
      },
      { cwd: dir, logger: silentLogger },
    );
    assert.equal(result.passed, true, JSON.stringify(result.artifacts[0]));
    assert.equal(result.artifacts[0]!.bundle, got[0]!.source);
  });

  it('skips referrers that are not Sigstore bundles, or that name another subject', async () => {
    const digest = await pushTestImage(registry.host, 'team/mixed', 'mixed layer');
    const other = await pushTestImage(registry.host, 'team/mixed', 'another image');
    const image = `${registry.host}/team/mixed@${digest}`;
    await attest(image, digest);
    // An SBOM referrer (not a bundle) and a bundle manifest whose subject is the other image,
    // both listed in the referrers index of `digest`.
    const client = new RegistryClient(registry.host, 'team/mixed');
    const empty = Buffer.from('{}');
    await client.pushBlob(empty);
    const sbom = Buffer.from('{"spdxVersion":"SPDX-2.3"}');
    await client.pushBlob(sbom);
    const stray = Buffer.from(JSON.stringify({ mediaType: BUNDLE_V03_MEDIA_TYPE, stray: true }));
    await client.pushBlob(stray);
    const head = (await client.headManifest(other))!;
    const manifestOf = (artifactType: string, layer: Buffer, layerType: string, subject: string) =>
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          artifactType,
          config: { mediaType: OCI_EMPTY, digest: sha(empty), size: empty.length },
          layers: [{ mediaType: layerType, digest: sha(layer), size: layer.length }],
          subject: { mediaType: head.mediaType, digest: subject, size: head.size },
        }),
      );
    const sbomManifest = manifestOf('application/spdx+json', sbom, 'application/spdx+json', digest);
    const strayManifest = manifestOf(BUNDLE_V03_MEDIA_TYPE, stray, BUNDLE_V03_MEDIA_TYPE, other);
    for (const m of [sbomManifest, strayManifest])
      await client.putManifest(sha(m), OCI_MANIFEST, m);
    const tag = referrersTag(digest);
    const index = JSON.parse((await client.getManifest(tag))!.body.toString('utf8')) as {
      manifests: unknown[];
    };
    index.manifests.push(
      {
        mediaType: OCI_MANIFEST,
        digest: sha(sbomManifest),
        size: sbomManifest.length,
        artifactType: 'application/spdx+json',
      },
      {
        mediaType: OCI_MANIFEST,
        digest: sha(strayManifest),
        size: strayManifest.length,
        artifactType: BUNDLE_V03_MEDIA_TYPE,
      },
    );
    await client.putManifest(tag, OCI_INDEX, Buffer.from(JSON.stringify(index)));

    const warnings: string[] = [];
    const got = await fetchOciBundles(image, {
      logger: { ...silentLogger, warn: (m: string) => void warnings.push(m) },
    });
    assert.equal(got.length, 1, 'only the bundle attached to this image');
    assert.ok(warnings.some((w) => w.includes('names another subject')));
  });

  it('an image without bundles is a refusal naming it; caps and unreachable registries fail closed', async () => {
    const digest = await pushTestImage(registry.host, 'team/bare', 'bare layer');
    const image = `${registry.host}/team/bare@${digest}`;
    await assert.rejects(fetchBundles([parseOciSource(image)]), (e: unknown) => {
      assert.ok(e instanceof VouchError);
      assert.equal(e.code, 'VERIFY_NO_ATTESTATIONS');
      assert.equal(e.kind, 'refusal');
      assert.ok(e.message.includes(image), e.message);
      return true;
    });
    const attested = `${registry.host}/team/app@${await pushTestImage(registry.host, 'team/app', 'layer one')}`;
    await assert.rejects(fetchOciBundles(attested, { maxBundleBytes: 200 }), {
      code: 'FILE_TOO_LARGE',
    });
    await assert.rejects(
      fetchOciBundles(`127.0.0.1:9/team/app@${digest}`, {
        registry: { retry: { retries: 0 } },
      }),
      { code: 'VERIFY_FETCH_FAILED' },
    );
  });

  it('reads the Referrers API where the registry has one (the referrers tag absent)', async () => {
    const digest = await pushTestImage(registry.host, 'team/api', 'api layer');
    const image = `${registry.host}/team/api@${digest}`;
    const pushed = await attest(image, digest);
    // docker-registry has no Referrers API: a proxy in front of it answers
    // GET /v2/<name>/referrers/<digest> from what the store wrote, and hides the referrers tag.
    const { createServer } = await import('node:http');
    const seen: string[] = [];
    const proxy = createServer((req, res) => {
      const path = req.url ?? '/';
      seen.push(`${req.method} ${path}`);
      const m = /^\/v2\/(.+)\/referrers\/(sha256:[0-9a-f]{64})$/.exec(path);
      if (/\/manifests\/sha256-/.test(path)) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[]}');
        return;
      }
      const target = m
        ? `http://${registry.host}/v2/${m[1]}/manifests/${referrersTag(m[2]!)}`
        : `http://${registry.host}${path}`;
      fetch(target, { headers: { accept: String(req.headers.accept ?? '*/*') } })
        .then(async (r) => {
          const body = Buffer.from(await r.arrayBuffer());
          res.writeHead(r.status, {
            'content-type': m ? OCI_INDEX : (r.headers.get('content-type') ?? ''),
          });
          res.end(body);
        })
        .catch(() => res.writeHead(502).end());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
    try {
      const got = await fetchOciBundles(`${host}/team/api@${digest}`);
      assert.deepEqual(
        got.map((b) => b.json),
        [pushed.bundle],
      );
      assert.ok(seen.includes(`GET /v2/team/api/referrers/${digest}`), seen.join('\n'));
    } finally {
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });
});
