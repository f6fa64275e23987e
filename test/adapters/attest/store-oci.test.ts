/**
 * The OCI store against a real registry: Debian's docker-registry on 127.0.0.1, read back
 * independently with skopeo (and plain HTTP for blobs).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { attachBundle, ociStore, referrersTag } from '../../../src/adapters/attest/store-oci.ts';
import {
  BUNDLE_V03_MEDIA_TYPE,
  type SignedAttestation,
} from '../../../src/adapters/attest/types.ts';
import { buildStatement } from '../../../src/core/provenance/statement.ts';
import { pushTestImage, startRegistry, type LocalRegistry } from '../../helpers/registry.ts';

const sha = (b: string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function skopeoRaw(ref: string): unknown {
  const out = execFileSync(
    'skopeo',
    ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as unknown;
}

describe('OCI registry store (docker-registry on loopback, read back with skopeo)', () => {
  let registry: LocalRegistry;
  before(async () => {
    registry = await startRegistry();
  });
  after(async () => {
    await registry.stop();
  });

  it('attaches the bundle to the image by digest, listed under the sha256-<hex> referrers tag', async () => {
    const image = await pushTestImage(registry.host, 'team/app', 'layer one');
    const bundleText = JSON.stringify({
      mediaType: BUNDLE_V03_MEDIA_TYPE,
      dsseEnvelope: { payload: 'e30=' },
    });
    const location = await attachBundle(
      { registry: registry.host, repository: 'team/app', digest: image },
      bundleText,
      'https://slsa.dev/provenance/v1',
    );
    const manifestDigest = location.split('@')[1]!;
    assert.equal(location, `${registry.host}/team/app@${manifestDigest}`);

    const index = skopeoRaw(`${registry.host}/team/app:${referrersTag(image)}`) as {
      mediaType: string;
      manifests: { digest: string; artifactType: string; annotations: Record<string, string> }[];
    };
    assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(
      index.manifests.map((m) => m.digest),
      [manifestDigest],
    );
    assert.equal(index.manifests[0]!.artifactType, BUNDLE_V03_MEDIA_TYPE);
    assert.equal(
      index.manifests[0]!.annotations['dev.sigstore.bundle.predicateType'],
      'https://slsa.dev/provenance/v1',
    );

    const manifest = skopeoRaw(`${registry.host}/team/app@${manifestDigest}`) as {
      artifactType: string;
      subject: { digest: string };
      layers: { mediaType: string; digest: string; size: number }[];
    };
    assert.equal(manifest.artifactType, BUNDLE_V03_MEDIA_TYPE);
    assert.equal(manifest.subject.digest, image, 'attached to the image by digest');
    assert.equal(manifest.layers[0]!.mediaType, BUNDLE_V03_MEDIA_TYPE);
    assert.equal(manifest.layers[0]!.digest, sha(bundleText));
    const blob = await fetch(
      `http://${registry.host}/v2/team/app/blobs/${manifest.layers[0]!.digest}`,
    );
    assert.equal(await blob.text(), bundleText, 'the stored blob is the bundle, byte for byte');

    // A second attestation joins the same index; pushing the first again changes nothing.
    const second = await attachBundle(
      { registry: registry.host, repository: 'team/app', digest: image },
      JSON.stringify({ mediaType: BUNDLE_V03_MEDIA_TYPE, n: 2 }),
      'https://cyclonedx.org/bom',
    );
    await attachBundle(
      { registry: registry.host, repository: 'team/app', digest: image },
      bundleText,
      'https://slsa.dev/provenance/v1',
    );
    const after2 = skopeoRaw(`${registry.host}/team/app:${referrersTag(image)}`) as {
      manifests: { digest: string }[];
    };
    assert.deepEqual(
      after2.manifests.map((m) => m.digest),
      [manifestDigest, second.split('@')[1]],
    );
  });

  it('refuses: an image that is not there, a digest that is not a subject, no image at all', async () => {
    const missing = `sha256:${'e'.repeat(64)}`;
    await assert.rejects(
      attachBundle(
        { registry: registry.host, repository: 'team/app', digest: missing },
        '{}',
        'https://x.dev/p',
      ),
      { code: 'STORE_FAILED' },
    );
    const image = await pushTestImage(registry.host, 'team/other', 'other');
    const statement = buildStatement(
      [{ name: 'app.tgz', digest: { sha256: 'a'.repeat(64) } }],
      'https://x.dev/p',
      {},
    );
    const attestation: SignedAttestation = {
      statement,
      bundle: { mediaType: BUNDLE_V03_MEDIA_TYPE },
      bundleText: '{}',
      bundlePath: '/x',
      images: [],
    };
    await assert.rejects(ociStore(`${registry.host}/team/other@${image}`).store(attestation), {
      code: 'STORE_INVALID',
    });
    await assert.rejects(ociStore(undefined).store(attestation), { code: 'STORE_INVALID' });
    assert.throws(() => ociStore(`${registry.host}/team/other:v1`), {
      code: 'SUBJECT_MUTABLE_REF',
    });
  });

  it('logs in with the Bearer token flow (as ghcr.io asks) using the given credentials', async () => {
    const image = await pushTestImage(registry.host, 'team/private', 'private layer');
    const { createServer } = await import('node:http');
    const scopes: string[] = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/token') {
        scopes.push(url.searchParams.get('scope') ?? '');
        const ok =
          req.headers.authorization === `Basic ${Buffer.from('robot:s3cret').toString('base64')}`;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
        res.end(ok ? JSON.stringify({ token: 'registry-token' }) : '{}');
        return;
      }
      if (req.headers.authorization !== 'Bearer registry-token') {
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="http://127.0.0.1:${(server.address() as { port: number }).port}/token",service="test-registry"`,
        });
        res.end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers: Record<string, string> = {};
        for (const h of ['accept', 'content-type'])
          if (req.headers[h]) headers[h] = String(req.headers[h]);
        const body = ['GET', 'HEAD'].includes(req.method ?? '') ? undefined : Buffer.concat(chunks);
        fetch(`http://${registry.host}${req.url}`, {
          method: req.method,
          headers,
          ...(body ? { body } : {}),
          redirect: 'manual',
        })
          .then(async (r) => {
            const out: Record<string, string> = {};
            r.headers.forEach((v, k) => {
              if (k !== 'transfer-encoding' && k !== 'connection') out[k] = v;
            });
            res.writeHead(r.status, out);
            res.end(req.method === 'HEAD' ? undefined : Buffer.from(await r.arrayBuffer()));
          })
          .catch(() => res.writeHead(502).end());
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const location = await attachBundle(
        { registry: host, repository: 'team/private', digest: image },
        '{"x":1}',
        'https://x.dev/p',
        {
          credentials: () => ({ username: 'robot', password: 's3cret' }),
        },
      );
      assert.match(location, new RegExp(`^${host.replace(/\./g, '\\.')}/team/private@sha256:`));
      assert.ok(scopes.includes('repository:team/private:pull,push'));
      const index = skopeoRaw(`${registry.host}/team/private:${referrersTag(image)}`) as {
        manifests: unknown[];
      };
      assert.equal(index.manifests.length, 1);
      await assert.rejects(
        attachBundle(
          { registry: host, repository: 'team/private', digest: image },
          '{"x":2}',
          'https://x.dev/p',
          {
            credentials: () => ({ username: 'robot', password: 'wrong' }),
          },
        ),
        { code: 'STORE_FAILED' },
      );
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a registry that refuses the push is a STORE_FAILED error naming the registry', async () => {
    const image = await pushTestImage(registry.host, 'team/app', 'refused');
    // A registry that answers 401 to every write with no way to authenticate.
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      if (req.method === 'HEAD' || req.method === 'GET') {
        fetch(`http://${registry.host}${req.url}`, {
          method: req.method,
          headers: { accept: String(req.headers.accept ?? '') },
        })
          .then(async (r) => {
            res.writeHead(r.status, Object.fromEntries(r.headers));
            res.end(req.method === 'HEAD' ? undefined : Buffer.from(await r.arrayBuffer()));
          })
          .catch(() => res.writeHead(502).end());
        return;
      }
      res.writeHead(401, {
        'www-authenticate': 'Basic realm="x"',
        'content-type': 'application/json',
      });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      await assert.rejects(
        attachBundle(
          { registry: `127.0.0.1:${port}`, repository: 'team/app', digest: image },
          '{}',
          'https://x.dev/p',
        ),
        (e: Error & { code: string }) => {
          assert.equal(e.code, 'STORE_FAILED');
          assert.match(e.message, new RegExp(`registry 127\\.0\\.0\\.1:${port} refused .*401`));
          return true;
        },
      );
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
