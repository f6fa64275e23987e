/**
 * The provenance action's run(): keyless through in-process Fulcio/Rekor/TSA, the GitHub
 * environment of a recorded run, the OIDC token endpoint of the Actions runtime on loopback,
 * and the attestations API answering with recorded responses.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { readInputs } from '../../src/actions/provenance/inputs.ts';
import { OUTPUTS, run } from '../../src/actions/provenance/main.ts';
import { captureDeps, reader, runWithLocalAction } from '../helpers/action-io.ts';
import { ROOT } from '../helpers/cli.ts';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.ts';
import {
  makeIdentityToken,
  startMockSigstore,
  verifyKeyless,
  type MockSigstore,
} from '../helpers/signing/mock-sigstore.ts';

const ENV = JSON.parse(
  readFileSync(join(ROOT, 'test/fixtures/provenance/github-env.json'), 'utf8'),
) as Record<string, string>;
const REUSABLE = 'acme/release-kit/.github/workflows/build.yml@refs/tags/v2.0.0';

describe('provenance action', () => {
  let sigstore: MockSigstore;
  let gh: FakeGitHub;
  let tokenUrl: string;
  let closeToken: () => Promise<void>;
  before(async () => {
    sigstore = await startMockSigstore();
    gh = await startFakeGitHub();
    const token = makeIdentityToken({ job_workflow_ref: REUSABLE });
    const server = createServer((req, res) => {
      const ok = req.headers.authorization === 'Bearer runtime';
      res
        .writeHead(ok ? 200 : 403, { 'content-type': 'application/json' })
        .end(ok ? JSON.stringify({ value: token }) : '{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`;
    closeToken = () => new Promise((r) => server.close(() => r()));
  });
  after(async () => {
    await sigstore.close();
    await gh.close();
    await closeToken();
  });

  it('keyless provenance for release files, stored in the attestations API; outputs and job summary', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'vouch-prov-action-'));
    mkdirSync(join(ws, 'dist'));
    writeFileSync(join(ws, 'dist', 'app.tgz'), 'app');
    writeFileSync(join(ws, 'dist', 'app.zip'), 'zip');
    // TSA only, as GitHub's own Sigstore instance for private repositories.
    const config = { ...sigstore.signingConfig(1), rekorTlogUrls: [] };
    writeFileSync(join(ws, 'signing_config.json'), JSON.stringify(config));
    gh.on('POST /repos/loosebazooka/aa-test/attestations', {
      status: 201,
      fixture: 'create-attestation.201.json',
    });
    const env = {
      ...ENV,
      GITHUB_API_URL: gh.url,
      GITHUB_WORKSPACE: ws,
      ACTIONS_ID_TOKEN_REQUEST_URL: tokenUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runtime',
    };
    const inputs = readInputs(
      reader({
        files: 'dist/*\n# comment',
        key: 'keyless',
        'signing-config': 'signing_config.json',
        store: 'github',
        'github-token': 'ghs_x',
      }),
      env,
    );
    const deps = captureDeps(ws, env);
    await run(inputs, deps);
    assert.deepEqual([...deps.outputs.keys()].sort(), [...OUTPUTS].sort());
    assert.equal(deps.outputs.get('bundle-path'), join(ws, 'attestation.sigstore.json'));
    assert.equal(deps.outputs.get('attestation-id'), '2');
    assert.equal(
      deps.outputs.get('attestation-url'),
      'https://github.com/loosebazooka/aa-test/attestations/2',
    );
    assert.equal(deps.outputs.get('subject-count'), '2');
    const summary = deps.summaries.join('\n');
    assert.match(summary, /\| app\.tgz \|/);
    assert.match(
      summary,
      /\| github \| 2 subjects \| stored: https:\/\/github\.com\/loosebazooka\/aa-test\/attestations\/2 \|/,
    );

    const bundle = JSON.parse(readFileSync(join(ws, 'attestation.sigstore.json'), 'utf8')) as {
      dsseEnvelope: { payload: string };
    };
    await verifyKeyless(
      bundle,
      sigstore.trustedRoot,
      undefined,
      {
        subjectAlternativeName:
          'https://github.com/octo/app/.github/workflows/release.yml@refs/heads/main',
        issuer: 'https://token.actions.githubusercontent.com',
      },
      { tlogThreshold: 0 },
    );
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString()) as {
      predicate: {
        runDetails: { builder: { id: string } };
        buildDefinition: { buildType: string };
      };
    };
    assert.equal(
      statement.predicate.buildDefinition.buildType,
      'https://actions.github.io/buildtypes/workflow/v1',
    );
    assert.equal(statement.predicate.runDetails.builder.id, `https://github.com/${REUSABLE}`);
  });

  it('refuses to sign in a pull_request_target run unless allowed (THREATS 30)', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'vouch-prov-action-'));
    writeFileSync(join(ws, 'a.bin'), 'a');
    const env = { ...ENV, GITHUB_EVENT_NAME: 'pull_request_target' };
    await assert.rejects(
      run(readInputs(reader({ files: 'a.bin', key: 'keyless' }), env), captureDeps(ws, env)),
      { code: 'SIGN_UNTRUSTED_TRIGGER' },
    );
  });

  it('keyless without `id-token: write` names the permission', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'vouch-prov-action-'));
    writeFileSync(join(ws, 'a.bin'), 'a');
    await assert.rejects(
      run(readInputs(reader({ files: 'a.bin', key: 'keyless' }), ENV), captureDeps(ws, ENV)),
      (e: Error & { code: string }) => {
        assert.equal(e.code, 'SIGN_OIDC_PERMISSION_MISSING');
        assert.match(e.message, /id-token: write/);
        return true;
      },
    );
  });

  it('output, checksums and signing-config outside the workspace (.., absolute, escaping symlink) are refused before signing; nothing written', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'vouch-prov-action-'));
    writeFileSync(join(ws, 'a.bin'), 'a');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(join(ws, 'release.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const outside = mkdtempSync(join(tmpdir(), 'vouch-prov-outside-'));
    writeFileSync(join(outside, 'SHA256SUMS'), `${'0'.repeat(64)}  other.bin\n`);
    writeFileSync(
      join(outside, 'signing_config.json'),
      JSON.stringify({ ...sigstore.signingConfig(1), rekorTlogUrls: [] }),
    );
    symlinkSync(outside, join(ws, 'outlink'));
    const before = { ws: readdirSync(ws).sort(), outside: readdirSync(outside).sort() };
    const base = { files: 'a.bin', key: 'release.key' };
    for (const at of [`${relative(ws, outside)}/`, `${outside}/`, 'outlink/']) {
      for (const [input, values] of [
        ['output', { ...base, output: `${at}prov.sigstore.json` }],
        ['checksums', { ...base, checksums: `${at}SHA256SUMS` }],
        ['signing-config', { ...base, 'signing-config': `${at}signing_config.json` }],
      ] as const) {
        const deps = captureDeps(ws, ENV);
        await assert.rejects(
          run(readInputs(reader(values), ENV), deps),
          (e: Error & { code: string }) => {
            assert.equal(e.code, 'PATH_OUTSIDE_WORKSPACE', JSON.stringify(values));
            assert.match(e.message, new RegExp(`input "${input}"`));
            return true;
          },
        );
        assert.equal(deps.outputs.size, 0, 'no outputs');
      }
    }
    assert.deepEqual(
      { ws: readdirSync(ws).sort(), outside: readdirSync(outside).sort() },
      before,
      'nothing written',
    );
  });

  it('no subjects is SUBJECT_NONE', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'vouch-prov-action-'));
    await assert.rejects(run(readInputs(reader({ key: 'keyless' }), ENV), captureDeps(ws, ENV)), {
      code: 'SUBJECT_NONE',
    });
  });

  it('runs end to end through @github/local-action (INPUT_* variables, ::set-output, job summary)', () => {
    const ws = mkdtempSync(join(tmpdir(), 'vouch-prov-local-action-'));
    writeFileSync(join(ws, 'a.txt'), 'a');
    writeFileSync(join(ws, 'b.txt'), 'b');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(join(ws, 'release.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    // A signing config naming no services: key-based, offline.
    writeFileSync(
      join(ws, 'offline.json'),
      JSON.stringify({
        mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
        caUrls: [],
        oidcUrls: [],
        rekorTlogUrls: [],
        tsaUrls: [],
      }),
    );
    writeFileSync(join(ws, 'summary.md'), '');
    execFileSync('git', ['init', '-q'], { cwd: ws });
    const r = runWithLocalAction('provenance', ws, {
      INPUT_FILES: '*.txt',
      INPUT_KEY: 'release.key',
      INPUT_STORE: 'file',
      'INPUT_SIGNING-CONFIG': 'offline.json',
      GITHUB_WORKSPACE: ws,
      GITHUB_STEP_SUMMARY: join(ws, 'summary.md'),
    });
    assert.doesNotMatch(r.output, /::error::/, r.output);
    assert.equal(r.outputs.get('bundle-path'), join(ws, 'attestation.sigstore.json'));
    assert.equal(r.outputs.get('subject-count'), '2');
    assert.ok(existsSync(join(ws, 'attestation.intoto.jsonl')));
    const summary = readFileSync(join(ws, 'summary.md'), 'utf8');
    assert.match(summary, /### SLSA provenance/);
    assert.match(summary, /\*\*Local build\*\*/);
    assert.match(summary, /\| a\.txt \| `[0-9a-f]{64}` \|/);
    const statement = JSON.parse(
      Buffer.from(
        (
          JSON.parse(readFileSync(join(ws, 'attestation.sigstore.json'), 'utf8')) as {
            dsseEnvelope: { payload: string };
          }
        ).dsseEnvelope.payload,
        'base64',
      ).toString(),
    ) as { predicate: { buildDefinition: { buildType: string } } };
    assert.equal(
      statement.predicate.buildDefinition.buildType,
      'https://vouch.dev/buildtypes/local/v1',
    );
  });
});
