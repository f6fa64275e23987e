import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  parseTrustedKeys,
  TRUSTED_KEYS_MEDIA_TYPE,
} from '../../../src/core/signing/trusted-keys.ts';
import { vouch } from '../../helpers/cli.ts';
import { verifyWithOpenssl, verifyWithPublicKey } from '../../helpers/signing/verify.ts';

const PASS = { VOUCH_KEY_PASSPHRASE: 'a long passphrase', GITHUB_EVENT_NAME: '' };

describe('vouch keys and vouch sign (CLI)', () => {
  it('keys generate → sign --offline → bundle verifies; keys public/trust agree on the key id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-cli-sign-'));
    const gen = vouch(['keys', 'generate', '--private', 'release.key', '--public', 'release.pub'], {
      cwd: dir,
      env: PASS,
    });
    assert.equal(gen.status, 0, gen.stderr);
    const keyId = gen.stdout.trim();
    assert.match(keyId, /^[0-9a-f]{64}$/);
    const priv = readFileSync(join(dir, 'release.key'), 'utf8');
    assert.match(priv, /BEGIN ENCRYPTED PRIVATE KEY/, 'encrypted at rest by default');
    assert.equal(statSync(join(dir, 'release.key')).mode & 0o777, 0o600);
    assert.ok(!gen.stderr.includes(PASS.VOUCH_KEY_PASSPHRASE));

    writeFileSync(join(dir, 'app-1.0.tgz'), 'the release\n');
    writeFileSync(join(dir, 'app-1.0.sbom.json'), '{}\n');
    const sign = vouch(
      ['sign', '--key', 'release.key', '--offline', '--json', 'app-1.0.tgz', 'app-1.0.sbom.json'],
      {
        cwd: dir,
        env: PASS,
      },
    );
    assert.equal(sign.status, 0, sign.stderr);
    const out = JSON.parse(sign.stdout);
    assert.equal(out.files.length, 2);
    assert.match(out.witnesses, /offline/);
    for (const f of out.files) {
      assert.equal(f.signer, keyId);
      const bundle = JSON.parse(readFileSync(f.bundlePath, 'utf8'));
      const pem = readFileSync(join(dir, 'release.pub'), 'utf8');
      assert.equal(readFileSync(f.publicKeyPath, 'utf8'), pem);
      await verifyWithPublicKey(bundle, pem, readFileSync(f.file));
      assert.ok(verifyWithOpenssl(f.file, bundle.messageSignature.signature, pem).ok);
    }

    const pub = vouch(['keys', 'public', 'release.key'], { cwd: dir, env: PASS });
    assert.equal(pub.status, 0, pub.stderr);
    assert.equal(pub.stdout, readFileSync(join(dir, 'release.pub'), 'utf8'));

    const trust = vouch(
      [
        'keys',
        'trust',
        'release.pub',
        '--valid-from',
        '2026-01-01T00:00:00Z',
        '--valid-until',
        '2027-01-01T00:00:00Z',
      ],
      {
        cwd: dir,
      },
    );
    assert.equal(trust.status, 0, trust.stderr);
    const entry = JSON.parse(trust.stdout);
    assert.equal(entry.keyId, keyId);
    const [parsed] = parseTrustedKeys(
      JSON.stringify({ mediaType: TRUSTED_KEYS_MEDIA_TYPE, keys: [entry] }),
      'k',
    );
    assert.equal(parsed!.validUntil!.toISOString(), '2027-01-01T00:00:00.000Z');
  });

  it('refuses to generate without a passphrase unless --unencrypted, and never overwrites a key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-cli-keys-'));
    const none = vouch(['keys', 'generate', '--private', 'k', '--public', 'k.pub', '--json'], {
      cwd: dir,
      env: { VOUCH_KEY_PASSPHRASE: '' },
    });
    assert.equal(none.status, 2);
    assert.equal(JSON.parse(none.stdout).error.code, 'SIGN_PASSPHRASE_MISSING');
    assert.equal(existsSync(join(dir, 'k')), false);
    const plain = vouch(
      [
        'keys',
        'generate',
        '--private',
        'k',
        '--public',
        'k.pub',
        '--unencrypted',
        '--algorithm',
        'ed25519',
      ],
      {
        cwd: dir,
      },
    );
    assert.equal(plain.status, 0, plain.stderr);
    assert.match(readFileSync(join(dir, 'k'), 'utf8'), /BEGIN PRIVATE KEY/);
    const again = vouch(
      ['keys', 'generate', '--private', 'k', '--public', 'k2.pub', '--unencrypted', '--json'],
      { cwd: dir },
    );
    assert.equal(JSON.parse(again.stdout).error.code, 'FILE_WRITE_FAILED');
    const alg = vouch(
      [
        'keys',
        'generate',
        '--private',
        'x',
        '--public',
        'x.pub',
        '--unencrypted',
        '--algorithm',
        'dsa',
        '--json',
      ],
      { cwd: dir },
    );
    assert.equal(JSON.parse(alg.stdout).error.code, 'USAGE_INVALID_VALUE');
  });

  it('coded errors: unknown key scheme (exit 2), keyless public key, bad --valid-from', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-cli-err-'));
    writeFileSync(join(dir, 'f'), 'x');
    const unknown = vouch(['sign', '--key', 'ibmkms://k', '--json', 'f'], { cwd: dir });
    assert.equal(unknown.status, 2);
    assert.equal(JSON.parse(unknown.stdout).error.code, 'SIGN_KEY_SCHEME_UNKNOWN');
    const keyless = vouch(['keys', 'public', 'keyless', '--json'], { cwd: dir });
    assert.equal(JSON.parse(keyless.stdout).error.code, 'SIGN_KEY_REF_INVALID');
    const trust = vouch(['keys', 'trust', 'f', '--valid-from', 'yesterday', '--json'], {
      cwd: dir,
    });
    assert.equal(trust.status, 2);
    const untrusted = vouch(['sign', '--key', 'f', '--offline', '--json', 'f'], {
      cwd: dir,
      env: { GITHUB_EVENT_NAME: 'pull_request_target' },
    });
    assert.equal(untrusted.status, 1);
    assert.equal(JSON.parse(untrusted.stdout).error.code, 'SIGN_UNTRUSTED_TRIGGER');
  });
});
