/**
 * azurekms:// against recorded Key Vault responses (challenge 401, get key, sign, 429, 403) served
 * over https on 127.0.0.1 (the Key Vault client refuses plain http); the CLI runs in a child
 * process that trusts the test certificate through NODE_EXTRA_CA_CERTS.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../../helpers/cli.ts';
import { verifyWithOpenssl, verifyWithPublicKey } from '../../helpers/signing/verify.ts';
import {
  loadRecording,
  makeDigestKey,
  makeTlsCertificate,
  startWireServer,
  type DigestKey,
  type WireRequest,
} from '../../helpers/signing/wire-server.ts';
import { rawEcdsaFromDer } from '../../helpers/signing/ecdsa.ts';

const FIX = join(import.meta.dirname, 'fixtures', 'azure');

function runCli(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'src/cli/index.ts'), ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

function keyVault(key: DigestKey, signReplies: string[]) {
  let vault = '';
  const jwk = key.publicKey.export({ format: 'jwk' }) as { x: string; y: string };
  let signs = 0;
  const route = (r: WireRequest) => {
    if (!r.headers['authorization']) return loadRecording(join(FIX, 'challenge.json'));
    if (r.method === 'GET' && r.path.startsWith('/keys/release')) {
      return loadRecording(join(FIX, 'get-key.json'), { VAULT: vault, X: jwk.x, Y: jwk.y });
    }
    if (r.method === 'POST' && /\/keys\/release\/[0-9a-f]+\/sign/.test(r.path)) {
      const name = signReplies[Math.min(signs++, signReplies.length - 1)]!;
      const digest = Buffer.from((JSON.parse(r.body) as { value: string }).value, 'base64url');
      const raw = rawEcdsaFromDer(key.signDigest(digest), 32);
      return loadRecording(join(FIX, `${name}.json`), {
        VAULT: vault,
        SIGNATURE_B64URL: raw.toString('base64url'),
      });
    }
    return { status: 404, body: { error: { code: 'NotFound', message: r.path } } };
  };
  return { route, setVault: (v: string) => (vault = v) };
}

describe('azurekms:// (@azure/keyvault-keys)', () => {
  const tls = makeTlsCertificate();

  it('challenge → getKey → sign (ES256, r||s → DER), retrying 429; the bundle verifies', async () => {
    const key = makeDigestKey('ec');
    const kv = keyVault(key, ['throttled', 'sign']);
    const server = await startWireServer(kv.route, tls);
    kv.setVault(server.url);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'vouch-azure-'));
      const file = join(dir, 'app.zip');
      writeFileSync(file, 'zip bytes');
      const r = await runCli(
        ['sign', '--key', `azurekms://${server.host}/release`, '--offline', '--json', 'app.zip'],
        dir,
        {
          NODE_EXTRA_CA_CERTS: tls.certFile,
          AZURE_ACCESS_TOKEN: 'eyJ0eXAi.test.token',
        },
      );
      assert.equal(r.status, 0, r.stderr + r.stdout);
      const out = JSON.parse(r.stdout);
      const bundle = JSON.parse(readFileSync(out.files[0].bundlePath, 'utf8'));
      await verifyWithPublicKey(bundle, key.pem, readFileSync(file));
      assert.ok(verifyWithOpenssl(file, bundle.messageSignature.signature, key.pem).ok);
      const signs = server.requests.filter(
        (q) => q.method === 'POST' && q.headers['authorization'],
      );
      assert.equal(signs.length, 2, 'throttled once, then retried');
      assert.equal(signs[1]!.headers['authorization'], 'Bearer eyJ0eXAi.test.token');
      assert.equal(JSON.parse(signs[1]!.body).alg, 'ES256');
    } finally {
      await server.close();
    }
  });

  it('403 Forbidden is SIGN_KMS_PERMISSION_DENIED', async () => {
    const key = makeDigestKey('ec');
    const kv = keyVault(key, ['forbidden']);
    const server = await startWireServer(kv.route, tls);
    kv.setVault(server.url);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'vouch-azure-'));
      writeFileSync(join(dir, 'f'), 'x');
      const r = await runCli(
        ['sign', '--key', `azurekms://${server.host}/release`, '--offline', '--json', 'f'],
        dir,
        {
          NODE_EXTRA_CA_CERTS: tls.certFile,
          AZURE_ACCESS_TOKEN: 'eyJ0eXAi.test.token',
        },
      );
      assert.equal(r.status, 2);
      assert.equal(JSON.parse(r.stdout).error.code, 'SIGN_KMS_PERMISSION_DENIED');
      assert.ok(
        !r.stdout.includes('eyJ0eXAi.test.token') && !r.stderr.includes('eyJ0eXAi.test.token'),
      );
    } finally {
      await server.close();
    }
  });
});
