/**
 * Real HSM signing against SoftHSM2: a token initialised in a temp directory, keys generated on
 * it with pkcs11-tool, bundles verified with @sigstore/verify and openssl, and the public key
 * cross-checked with the one pkcs11-tool reads off the token.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { signFiles } from '../../../src/adapters/sigstore/sign-files.ts';
import { resolveSigner } from '../../../src/adapters/sigstore/resolve-signer.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { verifyWithOpenssl, verifyWithPublicKey } from '../../helpers/signing/verify.ts';

const MODULE = '/usr/lib/softhsm/libsofthsm2.so';
const PIN = '123456';
const home = mkdtempSync(join(tmpdir(), 'vouch-softhsm-'));
mkdirSync(join(home, 'tokens'));
writeFileSync(
  join(home, 'softhsm2.conf'),
  `directories.tokendir = ${join(home, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
);
// SoftHSM reads its configuration from the environment of the process that loads it.
process.env['SOFTHSM2_CONF'] = join(home, 'softhsm2.conf');

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: process.env });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const uri = (object: string, extra = ''): string =>
  `pkcs11:token=release;object=${object}?module-path=${MODULE}${extra}`;

describe('PKCS#11 signing with SoftHSM2', () => {
  before(() => {
    run('softhsm2-util', [
      '--init-token',
      '--free',
      '--label',
      'release',
      '--pin',
      PIN,
      '--so-pin',
      '654321',
    ]);
    const tool = ['--module', MODULE, '--token-label', 'release', '--login', '--pin', PIN];
    run('pkcs11-tool', [
      ...tool,
      '--keypairgen',
      '--key-type',
      'EC:prime256v1',
      '--label',
      'ec-signing',
      '--id',
      '01',
    ]);
    run('pkcs11-tool', [
      ...tool,
      '--keypairgen',
      '--key-type',
      'EC:secp384r1',
      '--label',
      'ec384-signing',
      '--id',
      '03',
    ]);
    run('pkcs11-tool', [
      ...tool,
      '--keypairgen',
      '--key-type',
      'rsa:2048',
      '--label',
      'rsa-signing',
      '--id',
      '02',
    ]);
  });

  for (const [object, id] of [
    ['ec-signing', '01'],
    ['ec384-signing', '03'],
    ['rsa-signing', '02'],
  ] as const) {
    it(`${object}: bundle verifies with @sigstore/verify and openssl; public key matches the token's`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vouch-p11-sign-'));
      const file = join(dir, 'release.tar.gz');
      writeFileSync(file, Buffer.alloc(300_000, 7));
      const result = await signFiles(
        { files: [file], key: uri(object), offline: true },
        { env: { VOUCH_PKCS11_PIN: PIN }, logger: silentLogger, cwd: dir },
      );
      const f = result.files[0]!;
      assert.equal(f.mode, 'pkcs11');
      const bundle = JSON.parse(readFileSync(f.bundlePath, 'utf8'));
      const pem = readFileSync(f.publicKeyPath!, 'utf8');
      const openssl = verifyWithOpenssl(file, bundle.messageSignature.signature, pem);
      assert.ok(openssl.ok, openssl.output);
      await verifyWithPublicKey(bundle, pem, readFileSync(file));
      // Independent read of the public key off the token (OpenSC's pkcs11-tool cannot export
      // P-384 public keys: "cannot create EVP_PKEY"; the signature checks above cover that key).
      if (object === 'ec384-signing') return;
      const der = join(dir, 'token-pub.der');
      run('pkcs11-tool', [
        '--module',
        MODULE,
        '--token-label',
        'release',
        '--read-object',
        '--type',
        'pubkey',
        '--id',
        id,
        '-o',
        der,
      ]);
      const tokenKey = createPublicKey({ key: readFileSync(der), format: 'der', type: 'spki' });
      assert.equal(tokenKey.export({ type: 'spki', format: 'pem' }).toString(), pem);
    });
  }

  it('selects the key by id and reads the PIN from pin-source', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-p11-'));
    const pinFile = join(dir, 'pin');
    writeFileSync(pinFile, `${PIN}\n`);
    const resolved = await resolveSigner(
      `pkcs11:token=release;id=%01?module-path=${MODULE}&pin-source=file:${pinFile}`,
      {
        env: {},
        logger: silentLogger,
      },
    );
    try {
      const sig = await resolved.signer.sign(Buffer.from('hello'));
      assert.equal(sig.key.$case, 'publicKey');
      assert.equal(resolved.description.mode, 'pkcs11');
    } finally {
      await resolved.close();
    }
  });

  it('masks the PIN before logging anything', async () => {
    const secrets: string[] = [];
    const resolved = await resolveSigner(uri('ec-signing'), {
      env: { VOUCH_PKCS11_PIN: PIN },
      logger: { ...silentLogger, secret: (s) => secrets.push(s) },
    });
    await resolved.close();
    assert.ok(secrets.includes(PIN));
  });

  it('refuses: no PIN, wrong PIN, unknown token, missing key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-p11-'));
    const file = join(dir, 'a');
    writeFileSync(file, 'a');
    const sign = (key: string, env: NodeJS.ProcessEnv) =>
      signFiles({ files: [file], key, offline: true }, { env, logger: silentLogger, cwd: dir });
    await assert.rejects(sign(uri('ec-signing'), {}), { code: 'SIGN_PKCS11_PIN_MISSING' });
    await assert.rejects(sign(uri('ec-signing'), { VOUCH_PKCS11_PIN: '000000' }), {
      code: 'SIGN_PKCS11_FAILED',
    });
    await assert.rejects(
      sign(`pkcs11:token=nope;object=ec-signing?module-path=${MODULE}`, { VOUCH_PKCS11_PIN: PIN }),
      {
        code: 'SIGN_PKCS11_FAILED',
      },
    );
    await assert.rejects(sign(uri('no-such-key'), { VOUCH_PKCS11_PIN: PIN }), {
      code: 'SIGN_PKCS11_FAILED',
    });
    await assert.rejects(sign(`${uri('ec-signing')}&pin-value=${PIN}`, { VOUCH_PKCS11_PIN: PIN }), {
      code: 'SIGN_PKCS11_URI_INVALID',
    });
    assert.equal(existsSync(`${file}.sigstore.json`), false);
  });
});
