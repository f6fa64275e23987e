/**
 * Cloud KMS signers against recorded responses of each provider's real wire protocol, replayed
 * by a local server on 127.0.0.1 (the SDK endpoint points there): the happy path, throttling
 * (retried) and permission errors (coded). Signatures in the replies are made with a test key,
 * and the bundles are verified independently.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { signFiles } from '../../../src/adapters/sigstore/sign-files.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { verifyWithOpenssl, verifyWithPublicKey } from '../../helpers/signing/verify.ts';
import {
  loadRecording,
  makeDigestKey,
  startWireServer,
  type DigestKey,
  type WireRequest,
  type WireResponse,
} from '../../helpers/signing/wire-server.ts';

const FIX = join(import.meta.dirname, 'fixtures');
const ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const GNAME =
  'projects/release-prj/locations/global/keyRings/release/cryptoKeys/signing/cryptoKeyVersions/1';

function workspace(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-kms-'));
  const file = join(dir, 'app-2.0.tgz');
  writeFileSync(file, Buffer.alloc(100_000, 3));
  return { dir, file };
}

async function checkBundle(file: string, bundlePath: string, key: DigestKey): Promise<void> {
  const bundle = JSON.parse(readFileSync(bundlePath, 'utf8'));
  assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
  await verifyWithPublicKey(bundle, key.pem, readFileSync(file));
  const openssl = verifyWithOpenssl(file, bundle.messageSignature.signature, key.pem);
  assert.ok(openssl.ok, openssl.output);
}

/** Replays `script` entries in order for matching requests, then `fallback`. */
function scripted(
  routes: Array<{
    match: (r: WireRequest) => boolean;
    replies: Array<(r: WireRequest) => WireResponse>;
  }>,
): (r: WireRequest) => WireResponse {
  const counters = routes.map(() => 0);
  return (r) => {
    const i = routes.findIndex((route) => route.match(r));
    if (i === -1) return { status: 404, body: { message: `no route for ${r.method} ${r.path}` } };
    const replies = routes[i]!.replies;
    const reply = replies[Math.min(counters[i]!, replies.length - 1)]!;
    counters[i]!++;
    return reply(r);
  };
}

describe('hashivault:// (Vault transit HTTP API)', () => {
  const vault = (key: DigestKey, keyType: string, signReplies: string[]) =>
    scripted([
      {
        match: (r) => r.method === 'GET' && r.path === '/v1/transit/keys/release',
        replies: [
          () =>
            loadRecording(join(FIX, 'vault/read-key.json'), {
              PUBLIC_KEY_PEM: key.pem,
              KEY_TYPE: keyType,
            }),
        ],
      },
      {
        match: (r) => r.method === 'POST' && r.path === '/v1/transit/sign/release/sha2-256',
        replies: signReplies.map((name) => (r: WireRequest) => {
          const input = Buffer.from((JSON.parse(r.body) as { input: string }).input, 'base64');
          return loadRecording(join(FIX, `vault/${name}.json`), {
            SIGNATURE_B64: key.signDigest(input).toString('base64'),
          });
        }),
      },
    ]);

  for (const [kind, keyType] of [
    ['ec', 'ecdsa-p256'],
    ['rsa', 'rsa-2048'],
  ] as const) {
    it(`${keyType}: signs a prehashed digest; the bundle verifies`, async () => {
      const key = makeDigestKey(kind);
      const server = await startWireServer(vault(key, keyType, ['sign']));
      try {
        const { dir, file } = workspace();
        const result = await signFiles(
          { files: [file], key: 'hashivault://release', offline: true },
          {
            env: { VAULT_ADDR: server.url, VAULT_TOKEN: 'hvs.test-token' },
            logger: silentLogger,
            cwd: dir,
          },
        );
        await checkBundle(file, result.files[0]!.bundlePath, key);
        const sign = server.requests.find((r) => r.method === 'POST')!;
        assert.equal(sign.headers['x-vault-token'], 'hvs.test-token');
        const body = JSON.parse(sign.body);
        assert.equal(body.prehashed, true);
        assert.equal(body.input, createHash('sha256').update(readFileSync(file)).digest('base64'));
        if (kind === 'rsa') assert.equal(body.signature_algorithm, 'pkcs1v15');
      } finally {
        await server.close();
      }
    });
  }

  it('retries a rate-limited sign (429) and succeeds', async () => {
    const key = makeDigestKey('ec');
    const server = await startWireServer(
      vault(key, 'ecdsa-p256', ['rate-limited', 'rate-limited', 'sign']),
    );
    try {
      const { dir, file } = workspace();
      const result = await signFiles(
        { files: [file], key: 'hashivault://release', offline: true },
        { env: { VAULT_ADDR: server.url, VAULT_TOKEN: 't' }, logger: silentLogger, cwd: dir },
      );
      await checkBundle(file, result.files[0]!.bundlePath, key);
      assert.equal(server.requests.filter((r) => r.method === 'POST').length, 3);
    } finally {
      await server.close();
    }
  });

  it('permission denied (403) is SIGN_KMS_PERMISSION_DENIED; the token is masked', async () => {
    const key = makeDigestKey('ec');
    const server = await startWireServer(vault(key, 'ecdsa-p256', ['permission-denied']));
    const secrets: string[] = [];
    try {
      const { dir, file } = workspace();
      await assert.rejects(
        signFiles(
          { files: [file], key: 'hashivault://release', offline: true },
          {
            env: { VAULT_ADDR: server.url, VAULT_TOKEN: 'hvs.secret' },
            logger: { ...silentLogger, secret: (s) => secrets.push(s) },
            cwd: dir,
          },
        ),
        { code: 'SIGN_KMS_PERMISSION_DENIED' },
      );
      assert.ok(secrets.includes('hvs.secret'));
    } finally {
      await server.close();
    }
  });
});

describe('awskms:// (@aws-sdk/client-kms, JSON 1.1 protocol)', () => {
  const aws = (key: DigestKey, signReplies: string[], getReply = 'get-public-key') =>
    scripted([
      {
        match: (r) => r.headers['x-amz-target'] === 'TrentService.GetPublicKey',
        replies: [
          () =>
            loadRecording(join(FIX, `aws/${getReply}.json`), {
              PUBLIC_KEY_DER_B64: key.spkiDer.toString('base64'),
            }),
        ],
      },
      {
        match: (r) => r.headers['x-amz-target'] === 'TrentService.Sign',
        replies: signReplies.map((name) => (r: WireRequest) => {
          const message = Buffer.from(
            (JSON.parse(r.body) as { Message: string }).Message,
            'base64',
          );
          return loadRecording(join(FIX, `aws/${name}.json`), {
            SIGNATURE_B64: key.signDigest(message).toString('base64'),
          });
        }),
      },
    ]);
  const env = {
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_REGION: 'us-east-1',
  };

  it('GetPublicKey + Sign (MessageType DIGEST), retrying ThrottlingException; the bundle verifies', async () => {
    const key = makeDigestKey('ec');
    const server = await startWireServer(aws(key, ['throttling', 'sign']));
    try {
      const { dir, file } = workspace();
      const result = await signFiles(
        { files: [file], key: `awskms://${server.host}/${ARN}`, offline: true },
        { env, logger: silentLogger, cwd: dir },
      );
      assert.equal(result.files[0]!.mode, 'awskms');
      await checkBundle(file, result.files[0]!.bundlePath, key);
      const signs = server.requests.filter(
        (r) => r.headers['x-amz-target'] === 'TrentService.Sign',
      );
      assert.equal(signs.length, 2, 'throttled once, then retried');
      const body = JSON.parse(signs[1]!.body);
      assert.equal(body.MessageType, 'DIGEST');
      assert.equal(body.SigningAlgorithm, 'ECDSA_SHA_256');
      assert.equal(body.KeyId, ARN);
      assert.match(
        String(signs[1]!.headers['authorization']),
        /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/kms\/aws4_request/,
      );
    } finally {
      await server.close();
    }
  });

  it('AccessDeniedException is SIGN_KMS_PERMISSION_DENIED; NotFoundException is SIGN_KMS_NOT_FOUND', async () => {
    const key = makeDigestKey('ec');
    const denied = await startWireServer(aws(key, ['access-denied']));
    const missing = await startWireServer(aws(key, ['sign'], 'not-found'));
    try {
      const { dir, file } = workspace();
      await assert.rejects(
        signFiles(
          { files: [file], key: `awskms://${denied.host}/${ARN}`, offline: true },
          { env, logger: silentLogger, cwd: dir },
        ),
        { code: 'SIGN_KMS_PERMISSION_DENIED' },
      );
      await assert.rejects(
        signFiles(
          { files: [file], key: `awskms://${missing.host}/alias/missing`, offline: true },
          { env, logger: silentLogger, cwd: dir },
        ),
        { code: 'SIGN_KMS_NOT_FOUND' },
      );
    } finally {
      await denied.close();
      await missing.close();
    }
  });
});

describe('gcpkms:// (@google-cloud/kms, REST fallback)', () => {
  const gcp = (key: DigestKey, signReplies: string[]) =>
    scripted([
      {
        match: (r) => r.method === 'GET' && r.path.startsWith(`/v1/${GNAME}/publicKey`),
        replies: [
          () => loadRecording(join(FIX, 'gcp/get-public-key.json'), { PUBLIC_KEY_PEM: key.pem }),
        ],
      },
      {
        match: (r) => r.method === 'POST' && r.path.startsWith(`/v1/${GNAME}:asymmetricSign`),
        replies: signReplies.map((name) => (r: WireRequest) => {
          const digest = Buffer.from(
            (JSON.parse(r.body) as { digest: { sha256: string } }).digest.sha256,
            'base64',
          );
          return loadRecording(join(FIX, `gcp/${name}.json`), {
            SIGNATURE_B64: key.signDigest(digest).toString('base64'),
          });
        }),
      },
    ]);

  it('GetPublicKey + AsymmetricSign, retrying RESOURCE_EXHAUSTED; the bundle verifies', async () => {
    const key = makeDigestKey('ec');
    const server = await startWireServer(gcp(key, ['resource-exhausted', 'asymmetric-sign']));
    try {
      const { dir, file } = workspace();
      const result = await signFiles(
        { files: [file], key: `gcpkms://${GNAME}`, offline: true },
        {
          env: { VOUCH_GCPKMS_ENDPOINT: server.host, GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.test-token' },
          logger: silentLogger,
          cwd: dir,
        },
      );
      await checkBundle(file, result.files[0]!.bundlePath, key);
      const signs = server.requests.filter((r) => r.method === 'POST');
      assert.equal(signs.length, 2);
      assert.equal(signs[1]!.headers['authorization'], 'Bearer ya29.test-token');
    } finally {
      await server.close();
    }
  });

  it('PERMISSION_DENIED is SIGN_KMS_PERMISSION_DENIED', async () => {
    const key = makeDigestKey('ec');
    const server = await startWireServer(gcp(key, ['permission-denied']));
    try {
      const { dir, file } = workspace();
      await assert.rejects(
        signFiles(
          { files: [file], key: `gcpkms://${GNAME}`, offline: true },
          {
            env: { VOUCH_GCPKMS_ENDPOINT: server.host, GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.x' },
            logger: silentLogger,
            cwd: dir,
          },
        ),
        { code: 'SIGN_KMS_PERMISSION_DENIED' },
      );
    } finally {
      await server.close();
    }
  });
});
