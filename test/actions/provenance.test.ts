/**
 * The provenance action's run(): keyless through in-process Fulcio/Rekor/TSA, the GitHub
 * environment of a recorded run, the OIDC token endpoint of the Actions runtime on loopback,
 * and the attestations API answering with recorded responses.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInputs } from '../../src/actions/provenance/inputs.ts';
import { OUTPUTS, run } from '../../src/actions/provenance/main.ts';
import { captureDeps, reader } from '../helpers/action-io.ts';
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

  it('no subjects is SUBJECT_NONE', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'vouch-prov-action-'));
    await assert.rejects(run(readInputs(reader({ key: 'keyless' }), ENV), captureDeps(ws, ENV)), {
      code: 'SUBJECT_NONE',
    });
  });
});
