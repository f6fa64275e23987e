import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseKeyReference } from '../../../src/core/signing/key-ref.ts';
import { parsePkcs11Uri } from '../../../src/core/signing/pkcs11-uri.ts';
import {
  buildTrustedKeyEntry,
  isTrustedAt,
  parseTrustedKeys,
  TRUSTED_KEYS_MEDIA_TYPE,
} from '../../../src/core/signing/trusted-keys.ts';
import { assertTrustedTrigger } from '../../../src/core/signing/trigger.ts';
import {
  parseSigningConfig,
  selectSigstoreInstance,
} from '../../../src/core/signing/witness-config.ts';
import { rawEcdsaToDer } from '../../../src/core/signing/ecdsa-der.ts';

const MOD = '/usr/lib/softhsm/libsofthsm2.so';

describe('PKCS#11 URIs (RFC 7512, THREATS 48)', () => {
  it('parses token, object, id, slot and module path', () => {
    const uri = parsePkcs11Uri(
      `pkcs11:token=Release%20Token;object=signing;id=%01%ab?module-path=${MOD}`,
    );
    assert.equal(uri.token, 'Release Token');
    assert.equal(uri.object, 'signing');
    assert.deepEqual([...uri.id!], [0x01, 0xab]);
    assert.equal(uri.modulePath, MOD);
    assert.equal(parsePkcs11Uri(`pkcs11:slot-id=3;object=k?module-path=${MOD}`).slotId, 3);
    assert.equal(
      parsePkcs11Uri(`pkcs11:token=t;object=k?module-path=${MOD}&pin-source=file:/run/pin`)
        .pinSource,
      '/run/pin',
    );
  });
  const refusals: Array<[string, string]> = [
    ['relative module path', 'pkcs11:token=t;object=k?module-path=lib/softhsm2.so'],
    ['no module path', 'pkcs11:token=t;object=k'],
    ['no token or slot', `pkcs11:object=k?module-path=${MOD}`],
    ['non-numeric slot id', `pkcs11:slot-id=one;object=k?module-path=${MOD}`],
    ['no key object or id', `pkcs11:token=t?module-path=${MOD}`],
    ['PIN in the URI (query)', `pkcs11:token=t;object=k?module-path=${MOD}&pin-value=1234`],
    ['PIN in the URI (path)', `pkcs11:token=t;object=k;pin-value=1234?module-path=${MOD}`],
    ['unknown attribute', `pkcs11:token=t;object=k;colour=red?module-path=${MOD}`],
    ['public key object type', `pkcs11:token=t;object=k;type=public?module-path=${MOD}`],
    ['relative pin-source', `pkcs11:token=t;object=k?module-path=${MOD}&pin-source=pin.txt`],
    ['duplicate attribute', `pkcs11:token=t;token=u;object=k?module-path=${MOD}`],
  ];
  for (const [why, uri] of refusals) {
    it(`refuses: ${why}`, () => {
      assert.throws(() => parsePkcs11Uri(uri), { code: 'SIGN_PKCS11_URI_INVALID' });
    });
  }
  it('never echoes a pin-value in the error', () => {
    assert.throws(
      () => parsePkcs11Uri(`pkcs11:token=t;object=k?module-path=${MOD}&pin-value=s3cr3t-pin`),
      (e: Error) => !e.message.includes('s3cr3t-pin'),
    );
  });
});

describe('key references', () => {
  it('recognises every custody mode', () => {
    assert.deepEqual(parseKeyReference('keyless'), { kind: 'keyless' });
    assert.deepEqual(parseKeyReference('keys/release.pem'), {
      kind: 'file',
      path: 'keys/release.pem',
    });
    assert.deepEqual(parseKeyReference('awskms:///alias/release'), {
      kind: 'awskms',
      keyId: 'alias/release',
    });
    assert.deepEqual(parseKeyReference('awskms://127.0.0.1:4566/1234abcd'), {
      kind: 'awskms',
      keyId: '1234abcd',
      endpoint: '127.0.0.1:4566',
    });
    assert.deepEqual(
      parseKeyReference('gcpkms://projects/p/locations/global/keyRings/r/cryptoKeys/k'),
      {
        kind: 'gcpkms',
        name: 'projects/p/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1',
      },
    );
    assert.deepEqual(parseKeyReference('azurekms://myvault.vault.azure.net/release/abc'), {
      kind: 'azurekms',
      vaultUrl: 'https://myvault.vault.azure.net',
      keyName: 'release',
      version: 'abc',
    });
    assert.deepEqual(parseKeyReference('hashivault://release'), {
      kind: 'hashivault',
      keyName: 'release',
    });
    assert.equal(parseKeyReference(`pkcs11:token=t;object=k?module-path=${MOD}`).kind, 'pkcs11');
  });
  it('unknown schemes are errors, never a fallback', () => {
    for (const ref of ['ibmkms://k', 'k8s://ns/secret', 'ssh:foo', 'HTTPS://example.com/key.pem']) {
      assert.throws(() => parseKeyReference(ref), { code: 'SIGN_KEY_SCHEME_UNKNOWN' }, ref);
    }
  });
  it('malformed KMS references are coded errors', () => {
    for (const ref of [
      'awskms://',
      'gcpkms://projects/p',
      'azurekms://vault',
      'hashivault://a/b',
    ]) {
      assert.throws(() => parseKeyReference(ref), { code: 'SIGN_KEY_REF_INVALID' }, ref);
    }
    assert.throws(() => parseKeyReference(' '), { code: 'INPUT_MISSING' });
  });
});

describe('trusted keys', () => {
  const pem = (): string =>
    generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
  const doc = (keys: unknown[]): string =>
    JSON.stringify({ mediaType: TRUSTED_KEYS_MEDIA_TYPE, keys });

  it('round-trips what `keys trust` emits; windows are inclusive, revocation wins', () => {
    const key = pem();
    const entry = buildTrustedKeyEntry(key, {
      validFrom: new Date('2026-01-01T00:00:00Z'),
      validUntil: new Date('2026-12-31T23:59:59Z'),
    });
    const [parsed] = parseTrustedKeys(
      doc([{ ...entry, revokedAt: '2026-06-01T00:00:00Z' }]),
      'keys.json',
    );
    assert.equal(parsed!.keyId, entry['keyId']);
    assert.equal(parsed!.hint, entry['keyId']);
    assert.equal(isTrustedAt(parsed!, new Date('2026-01-01T00:00:00Z')), true);
    assert.equal(isTrustedAt(parsed!, new Date('2025-12-31T23:59:59Z')), false);
    assert.equal(isTrustedAt(parsed!, new Date('2026-06-01T00:00:00Z')), false);
    const [open] = parseTrustedKeys(doc([{ ...entry }]), 'keys.json');
    assert.equal(
      isTrustedAt(open!, new Date('2026-12-31T23:59:59Z')),
      true,
      'end instant inclusive',
    );
    assert.equal(isTrustedAt(open!, new Date('2027-01-01T00:00:00Z')), false);
  });
  it('allows overlapping and future windows (rotation)', () => {
    const a = buildTrustedKeyEntry(pem(), {
      validFrom: new Date('2026-01-01T00:00:00Z'),
      validUntil: new Date('2026-07-01T00:00:00Z'),
    });
    const b = buildTrustedKeyEntry(pem(), { validFrom: new Date('2026-06-01T00:00:00Z') });
    const c = buildTrustedKeyEntry(pem(), { validFrom: new Date('2099-01-01T00:00:00Z') });
    assert.equal(parseTrustedKeys(doc([a, b, c]), 'k').length, 3);
  });
  it('refuses bad entries with TRUSTED_KEYS_INVALID', () => {
    const key = pem();
    const ok = buildTrustedKeyEntry(key, { validFrom: new Date('2026-01-01T00:00:00Z') });
    const cases: unknown[] = [
      [{ ...ok, keyId: 'ab'.repeat(32) }],
      [{ ...ok, validFrom: '2026-01-01' }],
      [{ ...ok, validFrom: '2026-01-01T00:00:00+02:00' }],
      [{ ...ok, validUntil: '2025-01-01T00:00:00Z' }],
      [{ ...ok, publicKey: 'not a key' }],
      [{ ...ok, expires: '2027-01-01T00:00:00Z' }],
      [ok, ok],
      [{ ...ok, validFrom: undefined }],
    ];
    for (const keys of cases) {
      assert.throws(
        () => parseTrustedKeys(doc(keys as unknown[]), 'k'),
        { code: 'TRUSTED_KEYS_INVALID' },
        JSON.stringify(keys).slice(0, 80),
      );
    }
    assert.throws(() => parseTrustedKeys(JSON.stringify({ mediaType: 'x', keys: [] }), 'k'), {
      code: 'TRUSTED_KEYS_INVALID',
    });
    assert.throws(() => parseTrustedKeys('{"mediaType":"x","__proto__":{}}', 'k'), {
      code: 'UNSAFE_KEY',
    });
  });
});

describe('witnesses and triggers', () => {
  it('picks the instance as GitHub attest does', () => {
    assert.equal(selectSigstoreInstance('public').name, 'public-good');
    assert.equal(selectSigstoreInstance('private').name, 'github');
    assert.equal(selectSigstoreInstance('internal').name, 'github');
  });
  it('reads a signing config, preferring Rekor v2 when valid now', () => {
    const config = JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
      caUrls: [
        {
          url: 'https://fulcio.example',
          majorApiVersion: 1,
          validFor: { start: '2020-01-01T00:00:00Z' },
        },
      ],
      rekorTlogUrls: [
        {
          url: 'https://rekor.example',
          majorApiVersion: 1,
          validFor: { start: '2020-01-01T00:00:00Z' },
        },
        {
          url: 'https://rekor2.example',
          majorApiVersion: 2,
          validFor: { start: '2020-01-01T00:00:00Z' },
        },
        {
          url: 'https://rekor3.example',
          majorApiVersion: 3,
          validFor: { start: '2020-01-01T00:00:00Z' },
        },
      ],
      tsaUrls: [
        {
          url: 'https://tsa.example/api/v1/timestamp',
          majorApiVersion: 1,
          validFor: { start: '2020-01-01T00:00:00Z', end: '2021-01-01T00:00:00Z' },
        },
      ],
    });
    const instance = parseSigningConfig(config, 'sc.json', new Date('2026-01-01T00:00:00Z'));
    assert.equal(instance.fulcioUrl, 'https://fulcio.example');
    assert.deepEqual(instance.witnesses.rekor, {
      url: 'https://rekor2.example',
      majorApiVersion: 2,
    });
    assert.equal(instance.witnesses.tsa, undefined, 'expired TSA entry ignored');
    assert.throws(() => parseSigningConfig('{"mediaType":"nope"}', 'sc', new Date()), {
      code: 'SIGN_SIGNING_CONFIG_INVALID',
    });
  });
  it('refuses untrusted triggers unless allowed', () => {
    assert.throws(() => assertTrustedTrigger('pull_request_target', false), {
      code: 'SIGN_UNTRUSTED_TRIGGER',
    });
    assert.throws(() => assertTrustedTrigger('workflow_run', false), {
      code: 'SIGN_UNTRUSTED_TRIGGER',
    });
    assert.doesNotThrow(() => assertTrustedTrigger('workflow_run', true));
    assert.doesNotThrow(() => assertTrustedTrigger('push', false));
  });
  it('converts r||s ECDSA signatures to DER', () => {
    const raw = Buffer.concat([
      Buffer.alloc(32, 0x80),
      Buffer.concat([Buffer.alloc(1, 0), Buffer.alloc(31, 1)]),
    ]);
    const der = rawEcdsaToDer(raw);
    assert.equal(der[0], 0x30);
    assert.equal(der[2], 0x02);
    assert.equal(der[3], 33, 'high bit set → leading zero');
  });
});
