/** `vouch sign-bundle` (the Sigstore conformance protocol) against in-process Fulcio, Rekor and TSA. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from '../../helpers/cli.ts';
import {
  makeIdentityToken,
  startMockSigstore,
  verifyKeyless,
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

const SAN = 'https://github.com/octo/app/.github/workflows/release.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

describe('vouch sign-bundle (conformance protocol)', () => {
  let sigstore: MockSigstore;
  before(async () => {
    sigstore = await startMockSigstore();
  });
  after(() => sigstore.close());

  it('signs a file into a message-signature bundle that verifies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-conf-'));
    writeFileSync(join(dir, 'a.txt'), 'conformance artifact\n');
    writeFileSync(join(dir, 'signing_config.json'), JSON.stringify(sigstore.signingConfig(1)));
    writeFileSync(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
    const token = makeIdentityToken();
    const r = await runCli(
      [
        'sign-bundle',
        '--identity-token',
        token,
        '--bundle',
        'out.sigstore.json',
        '--signing-config',
        'signing_config.json',
        '--trusted-root',
        'trusted_root.json',
        'a.txt',
      ],
      dir,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.stderr.includes(token));
    const bundle = JSON.parse(readFileSync(join(dir, 'out.sigstore.json'), 'utf8'));
    assert.ok(bundle.messageSignature);
    await verifyKeyless(bundle, sigstore.trustedRoot, readFileSync(join(dir, 'a.txt')), {
      subjectAlternativeName: SAN,
      issuer: ISSUER,
    });
  });

  it('--in-toto signs the statement as a DSSE envelope', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-conf-'));
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'a.txt', digest: { sha256: 'a'.repeat(64) } }],
      predicateType: 'https://example.com/p',
      predicate: {},
    };
    writeFileSync(join(dir, 'statement.json'), JSON.stringify(statement));
    const config = sigstore.signingConfig(1);
    // TSA only: the mock Rekor cannot canonicalise dsse entries (see sign-keyless.test.ts).
    writeFileSync(
      join(dir, 'signing_config.json'),
      JSON.stringify({ ...config, rekorTlogUrls: [] }),
    );
    const r = await runCli(
      [
        'sign-bundle',
        '--in-toto',
        '--identity-token',
        makeIdentityToken(),
        '--bundle',
        'out.json',
        '--signing-config',
        'signing_config.json',
        'statement.json',
      ],
      dir,
    );
    assert.equal(r.status, 0, r.stderr);
    const bundle = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    assert.equal(bundle.dsseEnvelope.payloadType, 'application/vnd.in-toto+json');
    await verifyKeyless(
      bundle,
      sigstore.trustedRoot,
      undefined,
      { subjectAlternativeName: SAN, issuer: ISSUER },
      { tlogThreshold: 0 },
    );
  });
});
