/** The sign action's run(): globs confined to the workspace, key and keyless modes, outputs and summary. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readInputs } from '../../src/actions/sign/inputs.ts';
import { run } from '../../src/actions/sign/main.ts';
import { captureDeps, reader } from '../helpers/action-io.ts';
import {
  makeIdentityToken,
  startMockSigstore,
  verifyKeyless,
  type MockSigstore,
} from '../helpers/signing/mock-sigstore.ts';
import { verifyWithPublicKey } from '../helpers/signing/verify.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'vouch-sign-action-'));
  mkdirSync(join(ws, 'dist'));
  writeFileSync(join(ws, 'dist', 'app-linux.tgz'), 'linux build');
  writeFileSync(join(ws, 'dist', 'app-darwin.tgz'), 'darwin build');
  writeFileSync(join(ws, 'dist', 'README'), 'not matched');
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  writeFileSync(
    join(ws, 'release.key'),
    key.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'pw-from-secret',
    }),
  );
  return ws;
}

describe('sign action', () => {
  let sigstore: MockSigstore;
  before(async () => {
    sigstore = await startMockSigstore();
  });
  after(() => sigstore.close());

  it('key file + passphrase secret, offline: bundle-paths output and a job summary row per file', async () => {
    const ws = workspace();
    const inputs = readInputs(
      reader({
        files: 'dist/*.tgz',
        key: 'release.key',
        passphrase: 'pw-from-secret',
        offline: 'true',
        'output-dir': 'signed',
      }),
      {},
    );
    const deps = captureDeps(ws, {});
    await run(inputs, deps);
    const paths = deps.outputs.get('bundle-paths')!.split('\n');
    assert.deepEqual(paths, [
      'signed/app-darwin.tgz.sigstore.json',
      'signed/app-linux.tgz.sigstore.json',
    ]);
    const pem = readFileSync(join(ws, 'signed/app-linux.tgz.pub'), 'utf8');
    await verifyWithPublicKey(
      JSON.parse(readFileSync(join(ws, paths[1]!), 'utf8')),
      pem,
      Buffer.from('linux build'),
    );
    const summary = deps.summaries.join('\n');
    assert.match(
      summary,
      /\| `dist\/app-linux.tgz` \| `sha256:[0-9a-f]{64}` \| file: `[0-9a-f]{64}` \| offline/,
    );
    assert.match(summary, /Witnesses: offline/);
    assert.ok(!summary.includes('pw-from-secret'));
  });

  it('keyless with a signing config: certificate identity and log index in the summary', async () => {
    const ws = workspace();
    writeFileSync(join(ws, 'signing_config.json'), JSON.stringify(sigstore.signingConfig(1)));
    const token = makeIdentityToken();
    const server = createServer((_req, res) =>
      res.writeHead(200).end(JSON.stringify({ value: token })),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const env = {
        ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/t`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req',
        GITHUB_EVENT_NAME: 'push',
      };
      const deps = captureDeps(ws, env);
      await run(
        readInputs(
          reader({
            files: 'dist/app-linux.tgz',
            key: 'keyless',
            'signing-config': 'signing_config.json',
          }),
          env,
        ),
        deps,
      );
      const bundlePath = join(ws, deps.outputs.get('bundle-paths')!);
      await verifyKeyless(
        JSON.parse(readFileSync(bundlePath, 'utf8')),
        sigstore.trustedRoot,
        Buffer.from('linux build'),
        {
          subjectAlternativeName:
            'https://github.com/octo/app/.github/workflows/release.yml@refs/heads/main',
          issuer: 'https://token.actions.githubusercontent.com',
        },
      );
      assert.match(
        deps.summaries.join('\n'),
        /keyless: `https:\/\/github.com\/octo\/app\/.github\/workflows\/release.yml@refs\/heads\/main` \| log index \d+ \(integrated \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\), timestamp \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \|/,
      );
    } finally {
      server.close();
    }
  });

  it('refuses globs that leave the workspace, escaping symlinks, and no matches', async () => {
    const ws = workspace();
    const outside = mkdtempSync(join(tmpdir(), 'vouch-outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'outside');
    symlinkSync(join(outside, 'secret.txt'), join(ws, 'dist', 'link.tgz'));
    const base = { key: 'release.key', passphrase: 'pw-from-secret', offline: 'true' };
    for (const files of ['../*.tgz', '/etc/passwd', 'dist/*.tgz']) {
      await assert.rejects(
        run(readInputs(reader({ ...base, files }), {}), captureDeps(ws, {})),
        { code: 'PATH_OUTSIDE_WORKSPACE' },
        files,
      );
    }
    await assert.rejects(
      run(readInputs(reader({ ...base, files: 'nothing/*.zip' }), {}), captureDeps(ws, {})),
      { code: 'SIGN_NO_FILES' },
    );
    await assert.rejects(
      run(
        readInputs(reader({ ...base, files: 'dist/app-linux.tgz', 'output-dir': '../out' }), {}),
        captureDeps(ws, {}),
      ),
      {
        code: 'PATH_OUTSIDE_WORKSPACE',
      },
    );
  });

  it('refuses files reached through a symlinked directory that points outside, and writes nothing', async () => {
    const ws = workspace();
    const out = mkdtempSync(join(tmpdir(), 'vouch-out-'));
    writeFileSync(join(out, 'secret.txt'), 'outside');
    symlinkSync(out, join(ws, 'outlink'));
    const base = { key: 'release.key', passphrase: 'pw-from-secret', offline: 'true' };
    for (const files of ['outlink/*', 'outlink/secret.txt', 'outlink/**']) {
      const deps = captureDeps(ws, {});
      await assert.rejects(
        run(readInputs(reader({ ...base, files }), {}), deps),
        (e: Error & { code: string }) => {
          assert.equal(e.code, 'PATH_OUTSIDE_WORKSPACE', files);
          assert.match(e.message, /^outlink\S* .*outside the workspace/);
          return true;
        },
        files,
      );
      assert.equal(deps.outputs.size, 0, files);
    }
    // output-dir and signing-config are confined the same way (.., absolute, through the link).
    writeFileSync(join(out, 'signing_config.json'), JSON.stringify(sigstore.signingConfig(1)));
    for (const [input, value] of [
      ['output-dir', 'outlink/signed'],
      ['output-dir', 'outlink'],
      ['output-dir', out],
      ['signing-config', 'outlink/signing_config.json'],
      ['signing-config', join(out, 'signing_config.json')],
      ['signing-config', '../signing_config.json'],
    ] as const) {
      const deps = captureDeps(ws, {});
      await assert.rejects(
        run(
          readInputs(
            reader({ ...base, offline: '', files: 'dist/app-linux.tgz', [input]: value }),
            {},
          ),
          deps,
        ),
        (e: Error & { code: string }) => {
          assert.equal(e.code, 'PATH_OUTSIDE_WORKSPACE', `${input}: ${value}`);
          assert.match(e.message, new RegExp(`input "${input}"`));
          return true;
        },
      );
      assert.equal(deps.outputs.size, 0);
    }
    assert.deepEqual(
      readdirSync(out).sort(),
      ['secret.txt', 'signing_config.json'],
      'nothing written outside',
    );
    assert.deepEqual(readdirSync(join(ws, 'dist')).sort(), [
      'README',
      'app-darwin.tgz',
      'app-linux.tgz',
    ]);
    // A symlinked directory that stays inside the workspace is fine.
    symlinkSync(join(ws, 'dist'), join(ws, 'inlink'));
    const deps = captureDeps(ws, {});
    await run(
      readInputs(reader({ ...base, files: 'inlink/app-linux.tgz', 'output-dir': 'signed' }), {}),
      deps,
    );
    assert.equal(deps.outputs.get('bundle-paths'), 'signed/app-linux.tgz.sigstore.json');
  });

  it('refuses untrusted triggers unless allow-untrusted-triggers, and missing inputs', async () => {
    const ws = workspace();
    const base = {
      files: 'dist/app-linux.tgz',
      key: 'release.key',
      passphrase: 'pw-from-secret',
      offline: 'true',
    };
    const env = { GITHUB_EVENT_NAME: 'pull_request_target' };
    await assert.rejects(run(readInputs(reader(base), env), captureDeps(ws, env)), {
      code: 'SIGN_UNTRUSTED_TRIGGER',
    });
    await run(
      readInputs(reader({ ...base, 'allow-untrusted-triggers': 'true' }), env),
      captureDeps(ws, env),
    );
    await assert.rejects(run(readInputs(reader({ ...base, key: '' }), {}), captureDeps(ws, {})), {
      code: 'INPUT_MISSING',
    });
    await assert.rejects(run(readInputs(reader({ ...base, files: '' }), {}), captureDeps(ws, {})), {
      code: 'INPUT_MISSING',
    });
  });
});
