import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { signFiles } from '../../../src/adapters/sigstore/sign-files.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { verifyWithOpenssl, verifyWithPublicKey } from '../../helpers/signing/verify.ts';

const KEYS = {
  'ecdsa-p256': () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  'ecdsa-p384': () => generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  ed25519: () => generateKeyPairSync('ed25519'),
  rsa: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
} as const;

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-sign-'));
  writeFileSync(join(dir, 'app.tgz'), Buffer.from('release bytes\n'.repeat(1000)));
  writeFileSync(join(dir, 'notes.txt'), 'v1.2.3\n');
  return dir;
}

describe('sign with PEM key files (offline)', () => {
  for (const [name, make] of Object.entries(KEYS)) {
    it(`${name}: bundle v0.3 per file, public key beside it, verifies with openssl${name === 'ed25519' ? '' : ' and @sigstore/verify'}`, async () => {
      const dir = workspace();
      const { privateKey } = make();
      const keyPath = join(dir, 'release.key');
      writeFileSync(
        keyPath,
        privateKey.export({
          type: 'pkcs8',
          format: 'pem',
          cipher: 'aes-256-cbc',
          passphrase: 'correct horse',
        }),
      );
      const files = [join(dir, 'app.tgz'), join(dir, 'notes.txt')];
      const result = await signFiles(
        { files, key: keyPath, offline: true },
        { env: { VOUCH_KEY_PASSPHRASE: 'correct horse' }, logger: silentLogger, cwd: dir },
      );
      assert.equal(result.files.length, 2);
      assert.match(result.witnesses, /offline/);
      for (const f of result.files) {
        assert.equal(f.bundlePath, `${f.file}.sigstore.json`);
        const bundle = JSON.parse(readFileSync(f.bundlePath, 'utf8'));
        assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
        assert.equal(bundle.verificationMaterial.publicKey.hint, f.signer);
        assert.ok(f.publicKeyPath && existsSync(f.publicKeyPath));
        const pem = readFileSync(f.publicKeyPath, 'utf8');
        const data = readFileSync(f.file);
        const openssl = verifyWithOpenssl(f.file, bundle.messageSignature.signature, pem);
        assert.ok(openssl.ok, openssl.output);
        if (name !== 'ed25519') await verifyWithPublicKey(bundle, pem, data);
        // A changed file must not verify.
        const tampered = join(dir, 'tampered');
        writeFileSync(tampered, Buffer.concat([data, Buffer.from('x')]));
        assert.equal(verifyWithOpenssl(tampered, bundle.messageSignature.signature, pem).ok, false);
      }
    });
  }

  it('writes into --output-dir', async () => {
    const dir = workspace();
    const out = join(dir, 'out');
    const keyPath = join(dir, 'k.pem');
    writeFileSync(
      keyPath,
      KEYS['ecdsa-p256']().privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    const result = await signFiles(
      { files: [join(dir, 'app.tgz')], key: keyPath, offline: true, outputDir: out },
      { env: {}, logger: silentLogger, cwd: dir },
    );
    assert.equal(result.files[0]!.bundlePath, join(out, 'app.tgz.sigstore.json'));
    assert.ok(existsSync(join(out, 'app.tgz.pub')));
  });

  it('refuses an encrypted key without passphrase, and a wrong passphrase', async () => {
    const dir = workspace();
    const keyPath = join(dir, 'k.pem');
    writeFileSync(
      keyPath,
      KEYS['ecdsa-p256']().privateKey.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'right',
      }),
    );
    const opts = { files: [join(dir, 'app.tgz')], key: keyPath, offline: true };
    await assert.rejects(signFiles(opts, { env: {}, logger: silentLogger, cwd: dir }), {
      code: 'SIGN_PASSPHRASE_MISSING',
    });
    await assert.rejects(
      signFiles(opts, { env: { VOUCH_KEY_PASSPHRASE: 'wrong' }, logger: silentLogger, cwd: dir }),
      { code: 'SIGN_PASSPHRASE_WRONG' },
    );
    await assert.doesNotReject(
      signFiles(
        { ...opts, passphraseEnv: 'MY_PASS' },
        { env: { MY_PASS: 'right' }, logger: silentLogger, cwd: dir },
      ),
    );
    assert.equal(existsSync(join(dir, 'app.tgz.sigstore.json')), true);
  });

  it('refuses a public key given as the signing key, and unknown schemes', async () => {
    const dir = workspace();
    const pub = join(dir, 'k.pub');
    writeFileSync(pub, KEYS['ecdsa-p256']().publicKey.export({ type: 'spki', format: 'pem' }));
    await assert.rejects(
      signFiles(
        { files: [join(dir, 'app.tgz')], key: pub, offline: true },
        { env: {}, logger: silentLogger, cwd: dir },
      ),
      {
        code: 'SIGN_KEY_INVALID',
      },
    );
    await assert.rejects(
      signFiles(
        { files: [join(dir, 'app.tgz')], key: 'ibmkms://key/1', offline: true },
        { env: {}, logger: silentLogger, cwd: dir },
      ),
      { code: 'SIGN_KEY_SCHEME_UNKNOWN' },
    );
    assert.equal(existsSync(join(dir, 'app.tgz.sigstore.json')), false);
  });

  it('refuses pull_request_target and workflow_run unless allowed', async () => {
    const dir = workspace();
    const keyPath = join(dir, 'k.pem');
    writeFileSync(
      keyPath,
      KEYS['ecdsa-p256']().privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    const opts = { files: [join(dir, 'app.tgz')], key: keyPath, offline: true };
    for (const event of ['pull_request_target', 'workflow_run']) {
      await assert.rejects(
        signFiles(opts, { env: { GITHUB_EVENT_NAME: event }, logger: silentLogger, cwd: dir }),
        {
          code: 'SIGN_UNTRUSTED_TRIGGER',
        },
      );
    }
    await assert.doesNotReject(
      signFiles(
        { ...opts, allowUntrustedTriggers: true },
        { env: { GITHUB_EVENT_NAME: 'workflow_run' }, logger: silentLogger, cwd: dir },
      ),
    );
  });
});
