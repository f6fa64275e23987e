import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, promises as fsp, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signDsseBundle } from '../../../src/adapters/sigstore/bundler.ts';
import { resolveSigner } from '../../../src/adapters/sigstore/resolve-signer.ts';
import { signFiles } from '../../../src/adapters/sigstore/sign-files.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import {
  makeIdentityToken,
  startMockSigstore,
  verifyKeyless,
  type MockSigstore,
} from '../../helpers/signing/mock-sigstore.ts';
import { verifyWithOpenssl } from '../../helpers/signing/verify.ts';

const ISSUER = 'https://token.actions.githubusercontent.com';
const SAN = 'https://github.com/octo/app/.github/workflows/release.yml@refs/heads/main';

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-keyless-'));
  writeFileSync(join(dir, 'a.bin'), 'first file\n');
  writeFileSync(join(dir, 'b.bin'), 'second file\n');
  return dir;
}

/** A GitHub Actions OIDC token endpoint on 127.0.0.1 (ACTIONS_ID_TOKEN_REQUEST_URL). */
async function startTokenEndpoint(
  token: string,
): Promise<{ url: string; audiences: string[]; close(): Promise<void> }> {
  const audiences: string[] = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    audiences.push(u.searchParams.get('audience') ?? '');
    if (req.headers.authorization !== 'Bearer request-token') {
      res.writeHead(403).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ value: token }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`,
    audiences,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('keyless signing against in-process Fulcio, Rekor and TSA', () => {
  let sigstore: MockSigstore;
  before(async () => {
    sigstore = await startMockSigstore();
  });
  after(async () => {
    await sigstore.close();
  });

  it('GitHub OIDC token → one Fulcio certificate for the run → bundles that verify (Rekor v1 + TSA)', async () => {
    const dir = workspace();
    const configPath = join(dir, 'signing_config.json');
    writeFileSync(configPath, JSON.stringify(sigstore.signingConfig(1)));
    const endpoint = await startTokenEndpoint(makeIdentityToken());
    const before = sigstore.hits.get('/api/v2/signingCert') ?? 0;
    try {
      const result = await signFiles(
        {
          files: [join(dir, 'a.bin'), join(dir, 'b.bin')],
          key: 'keyless',
          signingConfig: configPath,
        },
        {
          env: {
            ACTIONS_ID_TOKEN_REQUEST_URL: endpoint.url,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
          },
          logger: silentLogger,
          cwd: dir,
        },
      );
      assert.deepEqual(endpoint.audiences, ['sigstore']);
      assert.equal(
        (sigstore.hits.get('/api/v2/signingCert') ?? 0) - before,
        1,
        'one certificate per run',
      );
      const certs = new Set<string>();
      for (const f of result.files) {
        assert.equal(f.mode, 'keyless');
        assert.equal(f.signer, SAN);
        assert.ok(f.logIndex !== undefined);
        assert.equal(f.timestamped, true);
        // The summary shows when: the log's integration time and the timestamp's signing time.
        for (const time of [f.logTime, f.timestampTime]) {
          assert.ok(time && Math.abs(Date.parse(time) - Date.now()) < 10 * 60 * 1000, time);
        }
        assert.equal(f.publicKeyPath, undefined);
        assert.equal(existsSync(f.file.replace(/$/, '.pub')), false);
        const bundle = JSON.parse(readFileSync(f.bundlePath, 'utf8'));
        assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
        certs.add(bundle.verificationMaterial.certificate.rawBytes);
        await verifyKeyless(bundle, sigstore.trustedRoot, readFileSync(f.file), {
          subjectAlternativeName: SAN,
          issuer: ISSUER,
        });
        await assert.rejects(
          verifyKeyless(bundle, sigstore.trustedRoot, Buffer.from('other'), {
            subjectAlternativeName: SAN,
            issuer: ISSUER,
          }),
        );
      }
      assert.equal(certs.size, 1);
    } finally {
      await endpoint.close();
    }
  });

  it('streamed: the ephemeral key signs each file by its streamed digest (prehashed ECDSA), one certificate; the bundles verify with @sigstore/verify and openssl', async () => {
    const dir = workspace();
    const configPath = join(dir, 'signing_config.json');
    writeFileSync(configPath, JSON.stringify(sigstore.signingConfig(1)));
    const files = [join(dir, 'a.bin'), join(dir, 'b.bin')];
    const before = sigstore.hits.get('/api/v2/signingCert') ?? 0;
    const readFile = fsp.readFile;
    const read: string[] = [];
    fsp.readFile = (async (...args: Parameters<typeof readFile>) => {
      if (typeof args[0] === 'string' && files.includes(args[0])) read.push(args[0]);
      return readFile(...args);
    }) as typeof readFile;
    let result;
    try {
      result = await signFiles(
        {
          files,
          key: 'keyless',
          signingConfig: configPath,
          oidcToken: makeIdentityToken(),
          inMemoryLimit: 0,
        },
        { env: {}, logger: silentLogger, cwd: dir },
      );
    } finally {
      fsp.readFile = readFile;
    }
    assert.deepEqual(read, [], 'no file was read whole');
    assert.equal((sigstore.hits.get('/api/v2/signingCert') ?? 0) - before, 1, 'one certificate');
    for (const f of result.files) {
      const bundle = JSON.parse(readFileSync(f.bundlePath, 'utf8'));
      await verifyKeyless(bundle, sigstore.trustedRoot, readFileSync(f.file), {
        subjectAlternativeName: SAN,
        issuer: ISSUER,
      });
      const leaf = new X509Certificate(
        Buffer.from(bundle.verificationMaterial.certificate.rawBytes, 'base64'),
      );
      const pem = leaf.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const openssl = verifyWithOpenssl(f.file, bundle.messageSignature.signature, pem);
      assert.ok(openssl.ok, openssl.output);
    }
  });

  it('Rekor v2 with a timestamp, as the signing config asks', async () => {
    const dir = workspace();
    const configPath = join(dir, 'signing_config.json');
    writeFileSync(configPath, JSON.stringify(sigstore.signingConfig(2)));
    const result = await signFiles(
      {
        files: [join(dir, 'a.bin')],
        key: 'keyless',
        signingConfig: configPath,
        oidcToken: makeIdentityToken(),
      },
      { env: {}, logger: silentLogger, cwd: dir },
    );
    assert.match(result.witnesses, /Rekor v2/);
    const bundle = JSON.parse(readFileSync(result.files[0]!.bundlePath, 'utf8'));
    assert.equal(bundle.verificationMaterial.tlogEntries[0].kindVersion.version, '0.0.2');
    assert.equal(bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps.length, 1);
    // The mock Rekor v2 gives a random log index with a tree of size 1, so its inclusion proof
    // cannot verify; the certificate, timestamp and signature are checked without the entry.
    const withoutEntry = structuredClone(bundle);
    withoutEntry.verificationMaterial.tlogEntries = [];
    await verifyKeyless(
      withoutEntry,
      sigstore.trustedRoot,
      readFileSync(join(dir, 'a.bin')),
      { subjectAlternativeName: SAN, issuer: ISSUER },
      { tlogThreshold: 0 },
    );
  });

  it('DSSE bundles for attestations verify too (Rekor v1 intoto entry + TSA; TSA only)', async () => {
    const resolved = await resolveSigner('keyless', {
      env: {},
      logger: silentLogger,
      oidcToken: makeIdentityToken(),
      fulcioUrl: sigstore.fulcioUrl,
    });
    const statement = Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [],
        predicateType: 'x',
        predicate: {},
      }),
    );
    // The mock Rekor stores proposed entries as given, which only matches the canonical body for
    // `intoto` entries; the public Rekor canonicalises `dsse` entries (the default).
    const bundle = await signDsseBundle(
      resolved.signer,
      statement,
      'application/vnd.in-toto+json',
      {
        rekor: { url: sigstore.rekorUrl, majorApiVersion: 1, dsseEntryType: 'intoto' },
        tsa: { url: sigstore.tsaUrl },
      },
    );
    assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.equal(bundle.dsseEnvelope?.signatures.length, 1);
    await verifyKeyless(bundle, sigstore.trustedRoot, undefined, {
      subjectAlternativeName: SAN,
      issuer: ISSUER,
    });
    const tsaOnly = await signDsseBundle(
      resolved.signer,
      statement,
      'application/vnd.in-toto+json',
      { tsa: { url: sigstore.tsaUrl } },
    );
    assert.equal(tsaOnly.verificationMaterial.tlogEntries?.length ?? 0, 0);
    await verifyKeyless(
      tsaOnly,
      sigstore.trustedRoot,
      undefined,
      { subjectAlternativeName: SAN, issuer: ISSUER },
      { tlogThreshold: 0 },
    );
  });

  it('no id-token permission: a coded error naming `id-token: write`', async () => {
    const dir = workspace();
    const configPath = join(dir, 'signing_config.json');
    writeFileSync(configPath, JSON.stringify(sigstore.signingConfig(1)));
    await assert.rejects(
      signFiles(
        { files: [join(dir, 'a.bin')], key: 'keyless', signingConfig: configPath },
        { env: {}, logger: silentLogger, cwd: dir },
      ),
      (error: { code: string; message: string }) =>
        error.code === 'SIGN_OIDC_PERMISSION_MISSING' && /id-token: write/.test(error.message),
    );
    assert.equal(existsSync(join(dir, 'a.bin.sigstore.json')), false);
  });

  it('keyless cannot be offline', async () => {
    const dir = workspace();
    await assert.rejects(
      signFiles(
        {
          files: [join(dir, 'a.bin')],
          key: 'keyless',
          offline: true,
          oidcToken: makeIdentityToken(),
        },
        { env: {}, logger: silentLogger, cwd: dir },
      ),
      { code: 'SIGN_WITNESS_REQUIRED' },
    );
  });

  it('the token never appears in error messages', async () => {
    const dir = workspace();
    const token = makeIdentityToken({ sub: undefined });
    const secrets: string[] = [];
    const logger = { ...silentLogger, secret: (s: string) => secrets.push(s) };
    const result = signFiles(
      {
        files: [join(dir, 'a.bin')],
        key: 'keyless',
        oidcToken: token,
        instance: {
          name: 'custom',
          fulcioUrl: 'http://127.0.0.1:1',
          witnesses: { tsa: { url: 'http://127.0.0.1:1' } },
        },
      },
      { env: {}, logger, cwd: dir },
    );
    await assert.rejects(
      result,
      (error: Error & { code: string }) =>
        !error.message.includes(token) && error.code === 'SIGN_OIDC_FAILED',
    );
    assert.ok(secrets.includes(token));
  });
});
