/**
 * Which Sigstore services `sign` uses when no signing config is given: the same choice attest
 * makes, by the repository's visibility in GitHub Actions (public-good outside it), for
 * key-based signing as for keyless.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStatementSigner } from '../../../src/adapters/attest/signing.ts';
import { defaultSigstoreInstance } from '../../../src/adapters/sigstore/default-instance.ts';
import { chooseInstance } from '../../../src/adapters/sigstore/sign-files.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { GITHUB_INSTANCE, PUBLIC_GOOD_INSTANCE } from '../../../src/core/signing/witness-config.ts';

function actionsEnv(repository: Record<string, unknown> | undefined): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-instance-'));
  const event = join(dir, 'event.json');
  writeFileSync(event, JSON.stringify(repository ? { repository } : {}));
  return { GITHUB_ACTIONS: 'true', GITHUB_EVENT_PATH: event, GITHUB_EVENT_NAME: 'push' };
}

const CASES = [
  ['public repository', actionsEnv({ visibility: 'public', private: false }), PUBLIC_GOOD_INSTANCE],
  ['public (private: false only)', actionsEnv({ private: false }), PUBLIC_GOOD_INSTANCE],
  ['private repository', actionsEnv({ visibility: 'private', private: true }), GITHUB_INSTANCE],
  ['internal repository', actionsEnv({ visibility: 'internal', private: true }), GITHUB_INSTANCE],
  ['no repository in the event', actionsEnv(undefined), GITHUB_INSTANCE],
  // No repository to go by: public-good, as cosign signs, so the default trusted root verifies it.
  ['outside GitHub Actions', {}, PUBLIC_GOOD_INSTANCE],
] as const;

test('key-signed and keyless sign pick the Sigstore instance by repository visibility, as attest does (public-good outside GitHub Actions)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-instance-key-'));
  const keyPath = join(dir, 'k.pem');
  writeFileSync(
    keyPath,
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }),
  );
  for (const [name, env, expected] of CASES) {
    const deps = { env, logger: silentLogger, cwd: dir };
    assert.deepEqual(await defaultSigstoreInstance(env), expected, name);
    for (const keyless of [false, true]) {
      const chosen = await chooseInstance(
        { files: [], key: keyless ? 'keyless' : keyPath },
        deps,
        keyless,
      );
      assert.deepEqual(chosen, expected, `${name}, ${keyless ? 'keyless' : 'key file'}`);
    }
    // attest opens its signer with the same services.
    const opened = await openStatementSigner({ key: keyPath, env, logger: silentLogger, cwd: dir });
    try {
      assert.deepEqual(opened.witnesses, expected.witnesses, `${name}, attest`);
    } finally {
      await opened.close();
    }
  }
  // A private repository's key-signed files never go to the public-good log.
  const priv = await chooseInstance(
    { files: [], key: keyPath },
    { env: CASES[2][1], logger: silentLogger, cwd: dir },
    false,
  );
  assert.equal(priv.witnesses.rekor, undefined);
  assert.equal(priv.name, 'github');
});

test('offline, an explicit instance and a signing config still win over the visibility', async () => {
  const env = actionsEnv({ visibility: 'private' });
  const deps = { env, logger: silentLogger, cwd: tmpdir() };
  assert.deepEqual(
    (await chooseInstance({ files: [], key: 'k', offline: true }, deps, false)).witnesses,
    {},
  );
  assert.equal(
    (await chooseInstance({ files: [], key: 'k', instance: PUBLIC_GOOD_INSTANCE }, deps, false))
      .name,
    'public-good',
  );
  const dir = mkdtempSync(join(tmpdir(), 'vouch-instance-config-'));
  const config = join(dir, 'signing_config.json');
  writeFileSync(
    config,
    JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
      caUrls: [],
      oidcUrls: [],
      rekorTlogUrls: [{ url: 'https://rekor.example', majorApiVersion: 1 }],
      tsaUrls: [],
    }),
  );
  const chosen = await chooseInstance({ files: [], key: 'k', signingConfig: config }, deps, false);
  assert.equal(chosen.witnesses.rekor?.url, 'https://rekor.example');
});
