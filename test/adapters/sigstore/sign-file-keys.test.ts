import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import {
  closeSync,
  existsSync,
  ftruncateSync,
  promises as fsp,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { signDsseBundle } from '../../../src/adapters/sigstore/bundler.ts';
import { signFileMessage, signFiles } from '../../../src/adapters/sigstore/sign-files.ts';
import { verifyArtifacts } from '../../../src/adapters/verify/verify-artifacts.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { computeKeyHint, createKeySigner } from '../../../src/core/signing/key-signer.ts';
import type { VouchError } from '../../../src/errors.ts';
import { verifyWithOpenssl, verifyWithPublicKey } from '../../helpers/signing/verify.ts';

/** Key types that sign files (message signatures); Ed25519 signs only DSSE, see below. */
const KEYS = {
  'ecdsa-p256': () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  'ecdsa-p384': () => generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  rsa: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
} as const;

/** vouch's own verifier on one key-signed bundle: 'pass' or the failure's code. */
async function ourVerdict(
  dir: string,
  artifact: string,
  bundle: string,
  publicKey: string,
): Promise<string> {
  const root = join(dir, 'empty-trusted-root.json');
  writeFileSync(
    root,
    JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [],
      certificateAuthorities: [],
      ctlogs: [],
      timestampAuthorities: [],
    }),
  );
  try {
    const result = await verifyArtifacts(
      {
        artifacts: [artifact],
        bundles: [bundle],
        key: publicKey,
        trust: { kind: 'file', path: root },
      },
      { cwd: dir, logger: silentLogger },
    );
    const report = result.artifacts[0]!;
    return report.verdict === 'pass' ? 'pass' : (report.error?.code ?? 'fail');
  } finally {
    rmSync(root, { force: true });
  }
}

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-sign-'));
  writeFileSync(join(dir, 'app.tgz'), Buffer.from('release bytes\n'.repeat(1000)));
  writeFileSync(join(dir, 'notes.txt'), 'v1.2.3\n');
  return dir;
}

describe('sign with PEM key files (offline)', () => {
  for (const [name, make] of Object.entries(KEYS)) {
    it(`${name}: bundle v0.3 per file, public key beside it, verifies with openssl, @sigstore/verify and vouch verify`, async () => {
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
        await verifyWithPublicKey(bundle, pem, data);
        assert.equal(await ourVerdict(dir, f.file, f.bundlePath, f.publicKeyPath), 'pass');
        // A changed file must not verify.
        const tampered = join(dir, 'tampered');
        writeFileSync(tampered, Buffer.concat([data, Buffer.from('x')]));
        assert.equal(verifyWithOpenssl(tampered, bundle.messageSignature.signature, pem).ok, false);
      }
    });
  }

  it('ed25519: refused for files with a coded error and a hint, nothing written; its DSSE attestations verify with @sigstore/verify and vouch verify', async () => {
    const dir = workspace();
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const keyPath = join(dir, 'ed25519.key');
    writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const before = readdirSync(dir).sort();
    for (const outputDir of [undefined, join(dir, 'signed')]) {
      await assert.rejects(
        signFiles(
          {
            files: [join(dir, 'app.tgz')],
            key: keyPath,
            offline: true,
            ...(outputDir ? { outputDir } : {}),
          },
          { env: {}, logger: silentLogger, cwd: dir },
        ),
        (e: VouchError) => {
          assert.equal(e.code, 'SIGN_ED25519_MESSAGE_UNSUPPORTED');
          assert.match(e.message, /ed25519\.key is an Ed25519 key/);
          assert.match(e.hint, /ECDSA P-256\/P-384 or RSA/);
          assert.match(e.hint, /DSSE/);
          return true;
        },
      );
    }
    assert.deepEqual(readdirSync(dir).sort(), before, 'no bundle, no public key, no output dir');

    // The same key signs DSSE: @sigstore/verify and vouch verify both accept the envelope.
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const data = readFileSync(join(dir, 'app.tgz'));
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [
        { name: 'app.tgz', digest: { sha256: createHash('sha256').update(data).digest('hex') } },
      ],
      predicateType: 'https://example.com/test/v1',
      predicate: {},
    };
    const dsse = await signDsseBundle(
      createKeySigner(privateKey),
      Buffer.from(JSON.stringify(statement)),
      'application/vnd.in-toto+json',
      {},
    );
    await verifyWithPublicKey(dsse, pem);
    writeFileSync(join(dir, 'app.tgz.intoto.sigstore.json'), JSON.stringify(dsse));
    writeFileSync(join(dir, 'ed25519.pub'), pem);
    assert.equal(
      await ourVerdict(
        dir,
        join(dir, 'app.tgz'),
        join(dir, 'app.tgz.intoto.sigstore.json'),
        join(dir, 'ed25519.pub'),
      ),
      'pass',
    );

    // A message bundle signed with Ed25519 by other means: @sigstore/verify refuses it, and so does vouch.
    const { toMessageSignatureBundle, bundleToJSON } = await import('@sigstore/bundle');
    const message = bundleToJSON(
      toMessageSignatureBundle({
        digest: createHash('sha256').update(data).digest(),
        signature: sign(null, data, privateKey),
        keyHint: computeKeyHint(pem),
        certificateChain: false,
      }),
    );
    assert.equal(
      verifyWithOpenssl(join(dir, 'app.tgz'), message.messageSignature!.signature, pem).ok,
      true,
    );
    await assert.rejects(verifyWithPublicKey(message, pem, data), /signature/i);
    writeFileSync(join(dir, 'app.tgz.ed25519.sigstore.json'), JSON.stringify(message));
    assert.equal(
      await ourVerdict(
        dir,
        join(dir, 'app.tgz'),
        join(dir, 'app.tgz.ed25519.sigstore.json'),
        join(dir, 'ed25519.pub'),
      ),
      'VERIFY_UNSUPPORTED',
    );
  });

  for (const [name, make] of Object.entries(KEYS)) {
    it(`${name}, streamed: files above the in-memory limit are hashed as they stream and signed by digest; openssl, @sigstore/verify and vouch verify accept the signature`, async () => {
      const dir = workspace();
      const { privateKey } = make();
      const keyPath = join(dir, 'release.key');
      writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const files = [join(dir, 'app.tgz'), join(dir, 'notes.txt')];
      const readFile = fsp.readFile;
      const read: string[] = [];
      // Any whole-file read of a release file would show here: the streamed path never makes one.
      fsp.readFile = (async (...args: Parameters<typeof readFile>) => {
        if (typeof args[0] === 'string' && files.includes(args[0])) read.push(args[0]);
        return readFile(...args);
      }) as typeof readFile;
      let result;
      try {
        result = await signFiles(
          { files, key: keyPath, offline: true, inMemoryLimit: 0 },
          { env: {}, logger: silentLogger, cwd: dir },
        );
      } finally {
        fsp.readFile = readFile;
      }
      assert.deepEqual(read, [], 'no release file was read whole');
      for (const f of result.files) {
        const bundle = JSON.parse(readFileSync(f.bundlePath, 'utf8'));
        const pem = readFileSync(f.publicKeyPath!, 'utf8');
        const data = readFileSync(f.file);
        assert.equal(f.sha256, createHash('sha256').update(data).digest('hex'));
        const openssl = verifyWithOpenssl(f.file, bundle.messageSignature.signature, pem);
        assert.ok(openssl.ok, openssl.output);
        await verifyWithPublicKey(bundle, pem, data);
        assert.equal(await ourVerdict(dir, f.file, f.bundlePath, f.publicKeyPath!), 'pass');
        const tampered = join(dir, 'tampered');
        writeFileSync(tampered, Buffer.concat([data, Buffer.from('x')]));
        assert.equal(verifyWithOpenssl(tampered, bundle.messageSignature.signature, pem).ok, false);
      }
    });
  }

  it('a sparse file larger than 2 GiB is signed as it streams (ECDSA P-256); the bundle verifies by the file digest', async (t) => {
    const dir = workspace();
    const big = join(dir, 'huge.img');
    t.after(() => rmSync(big, { force: true }));
    // 2 GiB + 4 KiB of zeros ending in "tail": past Node's 2 GiB limit for one read.
    const size = 2 * 1024 * 1024 * 1024 + 4096;
    const fd = openSync(big, 'w');
    ftruncateSync(fd, size);
    writeSync(fd, Buffer.from('tail'), 0, 4, size - 4);
    closeSync(fd);
    // `openssl dgst -sha256` of that file, computed once.
    const sha256 = '3adbb72496a948cb0994383e0ce7c610a6b23a77e9bcfcbde6c37c84ddde4675';
    const { privateKey, publicKey } = KEYS['ecdsa-p256']();
    const keyPath = join(dir, 'release.key');
    writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const pub = join(dir, 'release.pub');
    writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
    const result = await signFiles(
      { files: [big], key: keyPath, offline: true },
      { env: {}, logger: silentLogger, cwd: dir },
    );
    assert.equal(result.files[0]!.sha256, sha256);
    // vouch verify's digest-only ECDSA check (its own, not the signing library) over that digest.
    assert.equal(
      await ourVerdict(dir, `sha256:${sha256}`, result.files[0]!.bundlePath, pub),
      'pass',
    );
  });

  it('a signer that cannot sign a digest refuses a file above the in-memory limit, naming it (FILE_TOO_LARGE)', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const signer = createKeySigner(privateKey);
    const bytesOnly = { sign: (data: Buffer) => signer.sign(data) };
    const dir = workspace();
    await assert.rejects(
      signFileMessage(bytesOnly, join(dir, 'app.tgz'), {}, 1000),
      (e: VouchError) => {
        assert.equal(e.code, 'FILE_TOO_LARGE');
        assert.match(e.message, /app\.tgz is 14000 bytes/);
        return true;
      },
    );
    // Within the limit the same signer signs from memory, and the signature verifies.
    const { bundle } = await signFileMessage(bytesOnly, join(dir, 'notes.txt'), {}, 1000);
    const openssl = verifyWithOpenssl(
      join(dir, 'notes.txt'),
      bundle.messageSignature!.signature,
      signer.publicKeyPem,
    );
    assert.ok(openssl.ok, openssl.output);
  });

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
