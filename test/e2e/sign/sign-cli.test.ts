import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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
    const refusal = JSON.parse(untrusted.stdout).error;
    assert.equal(refusal.code, 'SIGN_UNTRUSTED_TRIGGER');
    assert.match(refusal.hint, /allow-untrusted-triggers: true/, 'names the action input');
    assert.match(refusal.hint, /--allow-untrusted-triggers\b/, 'names the CLI flag');
  });

  it('keys trust --output writes a trusted-keys file that verify --trusted-keys accepts, and extends it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-cli-trust-'));
    for (const name of ['a', 'b']) {
      const gen = vouch(
        [
          'keys',
          'generate',
          '--private',
          `${name}.key`,
          '--public',
          `${name}.pub`,
          '--unencrypted',
        ],
        { cwd: dir },
      );
      assert.equal(gen.status, 0, gen.stderr);
    }
    writeFileSync(join(dir, 'app.tgz'), 'the release\n');
    const sign = vouch(['sign', '--key', 'a.key', '--offline', 'app.tgz'], {
      cwd: dir,
      env: { GITHUB_EVENT_NAME: '' },
    });
    assert.equal(sign.status, 0, sign.stderr);
    const verify = () =>
      vouch(
        [
          'verify',
          '--bundle',
          'app.tgz.sigstore.json',
          '--trusted-keys',
          'keys.json',
          '--json',
          'app.tgz',
        ],
        { cwd: dir },
      );
    const trust = (pub: string) =>
      vouch(
        [
          'keys',
          'trust',
          pub,
          '--valid-from',
          '2020-01-01T00:00:00Z',
          '--output',
          'keys.json',
          '--json',
        ],
        { cwd: dir },
      );

    // The printed entry alone, or wrapped without mediaType, is refused with a message saying so.
    const printed = vouch(['keys', 'trust', 'a.pub', '--valid-from', '2020-01-01T00:00:00Z'], {
      cwd: dir,
    });
    assert.equal(printed.status, 0, printed.stderr);
    writeFileSync(join(dir, 'keys.json'), printed.stdout);
    const lone = verify();
    assert.equal(lone.status, 2);
    assert.match(JSON.parse(lone.stdout).error.message, /single entry/);
    assert.match(JSON.parse(lone.stdout).error.hint, /--output FILE/);
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ keys: [JSON.parse(printed.stdout)] }));
    const wrapped = verify();
    assert.equal(wrapped.status, 2);
    assert.match(JSON.parse(wrapped.stdout).error.message, /no "mediaType"/);
    rmSync(join(dir, 'keys.json'));

    // Only key b trusted: a's bundle is refused. Then a is added: it verifies.
    const first = trust('b.pub');
    assert.equal(first.status, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).created, true);
    assert.equal(verify().status, 1);
    const second = trust('a.pub');
    assert.equal(second.status, 0, second.stderr);
    assert.equal(JSON.parse(second.stdout).created, false);
    const file = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8'));
    assert.equal(file.mediaType, TRUSTED_KEYS_MEDIA_TYPE);
    assert.equal(file.keys.length, 2);
    const ok = verify();
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);

    // The same key again is refused and the file is left as it was, with no temp file beside it.
    const before = readFileSync(join(dir, 'keys.json'), 'utf8');
    const again = trust('a.pub');
    assert.equal(again.status, 2);
    assert.equal(JSON.parse(again.stdout).error.code, 'TRUSTED_KEYS_INVALID');
    assert.match(JSON.parse(again.stdout).error.message, /already lists key/);
    assert.equal(readFileSync(join(dir, 'keys.json'), 'utf8'), before);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('keys.json')),
      ['keys.json'],
    );
  });

  it('signs only files inside the current directory; the key may live anywhere', () => {
    const top = mkdtempSync(join(tmpdir(), 'vouch-cli-confine-'));
    const ws = join(top, 'ws');
    mkdirSync(join(ws, 'sub'), { recursive: true });
    const gen = vouch(
      ['keys', 'generate', '--private', 'k.pem', '--public', 'k.pub', '--unencrypted'],
      {
        cwd: top,
      },
    );
    assert.equal(gen.status, 0, gen.stderr);
    writeFileSync(join(top, 'outside.txt'), 'not part of the release\n');
    writeFileSync(join(ws, 'app.txt'), 'the release\n');
    symlinkSync(join(top, 'outside.txt'), join(ws, 'link.txt'));
    symlinkSync(top, join(ws, 'up'));
    const sign = (file: string) =>
      vouch(['sign', '--offline', '--key', '../k.pem', '--output-dir', 'o', '--json', file], {
        cwd: ws,
        env: { GITHUB_EVENT_NAME: '' },
      });
    for (const file of [
      '../outside.txt',
      join(top, 'outside.txt'),
      'sub/../../outside.txt',
      'link.txt',
      'up/outside.txt',
    ]) {
      const r = sign(file);
      assert.equal(r.status, 2, `${file}: ${r.stderr}`);
      const error = JSON.parse(r.stdout).error;
      assert.equal(error.code, 'PATH_OUTSIDE_WORKSPACE', file);
      assert.ok(error.message.includes(`"${file}"`), error.message);
    }
    assert.equal(existsSync(join(ws, 'o')), false, 'nothing signed for a refused file');
    assert.equal(existsSync(join(top, 'outside.txt.sigstore.json')), false);

    // Inside the workspace: relative, through `..` that stays inside, or absolute.
    for (const file of ['app.txt', 'sub/../app.txt', join(ws, 'app.txt')]) {
      const r = sign(file);
      assert.equal(r.status, 0, `${file}: ${r.stderr}`);
      assert.equal(
        JSON.parse(r.stdout).files[0].bundlePath,
        join(ws, 'o', 'app.txt.sigstore.json'),
      );
    }
  });
});
