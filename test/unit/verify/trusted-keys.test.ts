import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { checkKeyWindow, parseTrustedKeys } from '../../../src/core/verify/trusted-keys.ts';
import { VouchError } from '../../../src/errors.ts';

const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof VouchError, String(error));
    return error.code;
  }
  return 'passed';
}

test('parseTrustedKeys reads windows and revocation; bad files are coded user errors', () => {
  const keys = parseTrustedKeys(
    JSON.stringify({
      keys: [
        {
          hint: 'k1',
          publicKey: pem,
          validFrom: '2026-01-01T00:00:00Z',
          validUntil: '2026-06-30T23:59:59Z',
          revokedAt: '2026-03-01T00:00:00Z',
        },
      ],
    }),
    'keys.json',
  );
  assert.equal(keys[0]!.hint, 'k1');
  assert.equal(keys[0]!.validUntil!.toISOString(), '2026-06-30T23:59:59.000Z');
  for (const bad of [
    '{',
    '{"keys":[]}',
    JSON.stringify({ keys: [{ publicKey: pem }] }),
    JSON.stringify({ keys: [{ publicKey: 'not pem', validFrom: '2026-01-01T00:00:00Z' }] }),
    JSON.stringify({ keys: [{ publicKey: pem, validFrom: '2026-01-01' }] }),
    JSON.stringify({ keys: [{ publicKey: pem, validFrom: '2026-01-01T00:00:00Z', expires: 'x' }] }),
    JSON.stringify({
      keys: [
        { publicKey: pem, validFrom: '2026-02-01T00:00:00Z', validUntil: '2026-01-01T00:00:00Z' },
      ],
    }),
    JSON.stringify({
      keys: [
        { hint: 'a', publicKey: pem, validFrom: '2026-01-01T00:00:00Z' },
        { hint: 'a', publicKey: pem, validFrom: '2026-01-01T00:00:00Z' },
      ],
    }),
  ]) {
    assert.match(
      code(() => parseTrustedKeys(bad, 'keys.json')),
      /^(VERIFY_KEY_INVALID|JSON_INVALID)$/,
      bad,
    );
  }
  assert.equal(
    code(() => parseTrustedKeys('{"keys":[],"__proto__":{}}', 'k')),
    'UNSAFE_KEY',
  );
});

test('key windows: start and end inclusive, revocation excludes its instant onward (rotation, rollback)', () => {
  const [key] = parseTrustedKeys(
    JSON.stringify({
      keys: [
        {
          hint: 'k',
          publicKey: pem,
          validFrom: '2026-01-01T00:00:00Z',
          validUntil: '2026-02-01T00:00:00Z',
        },
      ],
    }),
    'k',
  );
  assert.equal(
    code(() => checkKeyWindow(key!, [new Date('2026-01-01T00:00:00Z')])),
    'passed',
  );
  assert.equal(
    code(() => checkKeyWindow(key!, [new Date('2026-02-01T00:00:00Z')])),
    'passed',
  );
  assert.equal(
    code(() => checkKeyWindow(key!, [new Date('2026-02-01T00:00:01Z')])),
    'VERIFY_KEY_WINDOW',
  );
  assert.equal(
    code(() => checkKeyWindow(key!, [new Date('2025-12-31T23:59:59Z')])),
    'VERIFY_KEY_WINDOW',
  );
  const [revoked] = parseTrustedKeys(
    JSON.stringify({
      keys: [
        {
          hint: 'k',
          publicKey: pem,
          validFrom: '2026-01-01T00:00:00Z',
          revokedAt: '2026-01-15T00:00:00Z',
        },
      ],
    }),
    'k',
  );
  assert.equal(
    code(() => checkKeyWindow(revoked!, [new Date('2026-01-14T23:59:59Z')])),
    'passed',
  );
  assert.equal(
    code(() => checkKeyWindow(revoked!, [new Date('2026-01-15T00:00:00Z')])),
    'VERIFY_KEY_WINDOW',
  );
});
