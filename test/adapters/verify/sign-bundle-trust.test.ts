/**
 * `vouch sign-bundle --trusted-root` (the conformance protocol): the trusted root is read and
 * validated first, and the bundle must verify against it before it is written.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from '../../helpers/cli.ts';
import {
  makeIdentityToken,
  startMockSigstore,
  type MockSigstore,
} from '../../helpers/signing/mock-sigstore.ts';

function runCli(
  args: string[],
  cwd: string,
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'src/cli/index.ts'), ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

describe('vouch sign-bundle --trusted-root', () => {
  let sigstore: MockSigstore;
  before(async () => {
    sigstore = await startMockSigstore();
  });
  after(() => sigstore.close());

  function workdir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-sign-trust-'));
    writeFileSync(join(dir, 'a.txt'), 'conformance artifact\n');
    writeFileSync(join(dir, 'signing_config.json'), JSON.stringify(sigstore.signingConfig(1)));
    writeFileSync(join(dir, 'mock_root.json'), JSON.stringify(sigstore.trustedRoot));
    return dir;
  }
  const sign = (dir: string, trustedRoot: string) =>
    runCli(
      [
        'sign-bundle',
        '--identity-token',
        makeIdentityToken(),
        '--bundle',
        'out.sigstore.json',
        '--signing-config',
        'signing_config.json',
        '--trusted-root',
        trustedRoot,
        'a.txt',
      ],
      dir,
    );

  it('writes the bundle when it verifies against the trusted root', async () => {
    const dir = workdir();
    const r = await sign(dir, 'mock_root.json');
    assert.equal(r.status, 0, r.stderr);
    const bundle = JSON.parse(readFileSync(join(dir, 'out.sigstore.json'), 'utf8'));
    assert.ok(bundle.messageSignature);
  });

  for (const other of ['public-good', 'github', 'public-good-file'] as const) {
    it(`refuses, writing nothing, when the services are not the ones ${other} trusts`, async () => {
      const dir = workdir();
      let arg: string = other;
      if (other === 'public-good-file') {
        arg = 'root.json';
        writeFileSync(
          join(dir, arg),
          readFileSync(join(ROOT, 'src/adapters/verify/trust/public-good.trusted_root.json')),
        );
      }
      const r = await sign(dir, arg);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /SIGN_SELF_CHECK_FAILED/);
      assert.match(r.stderr, /it was not written/);
      assert.equal(existsSync(join(dir, 'out.sigstore.json')), false);
    });
  }

  it('refuses a trusted root that is not one before signing', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ mediaType: 'nope', tlogs: 'x' }));
    const r = await sign(dir, 'bad.json');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /VERIFY_TRUST_ROOT_INVALID/);
    assert.equal(existsSync(join(dir, 'out.sigstore.json')), false);
    const missing = await sign(dir, 'nowhere.json');
    assert.match(missing.stderr, /FILE_UNREADABLE/);
  });
});
