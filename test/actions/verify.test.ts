import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readInputs, type Inputs } from '../../src/actions/verify/inputs.ts';
import { run } from '../../src/actions/verify/main.ts';
import type { InputReader } from '../../src/actions/shared/inputs.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { VouchError } from '../../src/errors.ts';
import { build } from 'esbuild';
import { bundleOptions } from '../../scripts/bundle.ts';
import { runActionBundleAsync } from '../helpers/action-runner.ts';
import { startGitHubServer } from '../helpers/github-server.ts';
import { startMockSigstore } from '../helpers/signing/mock-sigstore.ts';
import {
  generateTestKey,
  githubClaims,
  ISSUER,
  keylessMessageBundle,
  keyMessageBundle,
  SAN,
  sha256Hex,
  writeEmptyTrustedRoot,
} from '../helpers/verify-bundles.ts';

function reader(values: Record<string, string | string[]>): InputReader {
  return {
    string: (n) => (typeof values[n] === 'string' ? (values[n] as string) : ''),
    list: (n) => (Array.isArray(values[n]) ? (values[n] as string[]) : []),
    boolean: (n) => values[n] === 'true',
    secret: () => '',
  };
}

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-verify-action-'));
  const key = generateTestKey();
  writeFileSync(join(dir, 'key.pub'), key.pem);
  writeEmptyTrustedRoot(dir);
  for (const n of ['a.tgz', 'b.tgz']) {
    const data = Buffer.from(`release ${n}\n`);
    writeFileSync(join(dir, n), data);
    writeFileSync(
      join(dir, `${n}.sigstore.json`),
      JSON.stringify(await keyMessageBundle(key, data)),
    );
  }
  return dir;
}

function deps(dir: string, env: NodeJS.ProcessEnv = {}) {
  const outputs: Record<string, string> = {};
  const summaries: string[] = [];
  return {
    outputs,
    summaries,
    deps: {
      logger: { ...silentLogger, summary: async (m: string) => void summaries.push(m) },
      setOutput: (n: string, v: string | number | boolean) => void (outputs[n] = String(v)),
      workspace: dir,
      env,
    },
  };
}

describe('verify action', () => {
  it('verifies every release file, sets verdict and report-path, writes a job summary table', async () => {
    const dir = await setup();
    const inputs: Inputs = readInputs(
      reader({ files: ['*.tgz'], 'public-key': 'key.pub', 'trusted-root': 'trusted_root.json' }),
      {},
    );
    const d = deps(dir);
    await run(inputs, d.deps);
    assert.equal(d.outputs['verdict'], 'pass');
    assert.equal(d.outputs['report-path'], join(dir, 'vouch-verify-report.json'));
    const report = JSON.parse(readFileSync(d.outputs['report-path']!, 'utf8'));
    assert.deepEqual(
      report.artifacts.map((a: { verdict: string }) => a.verdict),
      ['pass', 'pass'],
    );
    assert.match(d.summaries[0]!, /\| artifact \| verdict \| signer \| log index \| predicate \|/);
    assert.match(d.summaries[0]!, /`a\.tgz` \| ✅ pass/);
  });

  it('fails the step with a coded refusal when one file was altered, still writing outputs', async () => {
    const dir = await setup();
    writeFileSync(join(dir, 'b.tgz'), 'altered');
    const d = deps(dir);
    await assert.rejects(
      run(
        readInputs(
          reader({
            files: ['*.tgz'],
            'public-key': 'key.pub',
            'trusted-root': 'trusted_root.json',
          }),
          {},
        ),
        d.deps,
      ),
      (e: unknown) =>
        e instanceof VouchError && e.code === 'VERIFY_ARTIFACT_MISMATCH' && e.kind === 'refusal',
    );
    assert.equal(d.outputs['verdict'], 'fail');
    assert.match(d.summaries[0]!, /VERIFY_ARTIFACT_MISMATCH/);
  });

  it('refuses a key together with an identity, globs leaving the workspace, and no files', async () => {
    const dir = await setup();
    const bad = async (values: Record<string, string | string[]>, code: string) =>
      assert.rejects(
        run(readInputs(reader(values), {}), deps(dir).deps),
        (e: unknown) => e instanceof VouchError && e.code === code,
      );
    await bad(
      {
        files: ['*.tgz'],
        'public-key': 'key.pub',
        'certificate-identity': 'x',
        'certificate-oidc-issuer': 'y',
      },
      'VERIFY_POLICY_CONFLICT',
    );
    await bad({ files: ['../*.tgz'], 'public-key': 'key.pub' }, 'PATH_OUTSIDE_WORKSPACE');
    await bad({ files: [], 'public-key': 'key.pub' }, 'INPUT_MISSING');
    await bad({ files: ['*.tgz'], 'trusted-root': 'trusted_root.json' }, 'VERIFY_POLICY_MISSING');
  });

  it('signs a VSA per file with vsa-key (an encrypted PEM key and its passphrase), a FAILED one too', async () => {
    const dir = await setup();
    writeFileSync(join(dir, 'b.tgz'), 'altered');
    const vsaKey = generateTestKey();
    writeFileSync(
      join(dir, 'vsa.pem'),
      vsaKey.privateKey.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'vsa pass',
      }),
    );
    const values = {
      files: ['*.tgz'],
      'public-key': 'key.pub',
      'trusted-root': 'trusted_root.json',
      'vsa-dir': 'vsa',
      'vsa-key': 'vsa.pem',
    };
    const withPassphrase: InputReader = {
      ...reader(values),
      secret: (n) => (n === 'passphrase' ? 'vsa pass' : ''),
    };
    const d = deps(dir);
    await assert.rejects(
      run(readInputs(withPassphrase, {}), d.deps),
      (e: unknown) => e instanceof VouchError && e.code === 'VERIFY_ARTIFACT_MISMATCH',
    );
    const verdicts: Record<string, string> = {};
    for (const n of ['a.tgz', 'b.tgz']) {
      const bundle = JSON.parse(readFileSync(join(dir, 'vsa', `${n}.vsa.sigstore.json`), 'utf8'));
      const statement = JSON.parse(
        Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'),
      );
      assert.equal(statement.predicateType, 'https://slsa.dev/verification_summary/v1');
      assert.equal(statement.subject[0].digest.sha256, sha256Hex(readFileSync(join(dir, n))));
      verdicts[n] = statement.predicate.verificationResult;
    }
    assert.deepEqual(verdicts, { 'a.tgz': 'PASSED', 'b.tgz': 'FAILED' });

    // Without the passphrase the key cannot be opened: a coded user error, no VSA, no report.
    const fresh = await setup();
    writeFileSync(join(fresh, 'vsa.pem'), readFileSync(join(dir, 'vsa.pem')));
    const f = deps(fresh);
    await assert.rejects(
      run(readInputs(reader(values), {}), f.deps),
      (e: unknown) =>
        e instanceof VouchError && e.code === 'SIGN_PASSPHRASE_MISSING' && e.kind === 'user',
    );
    assert.equal(existsSync(join(fresh, 'vsa')), false);
    assert.equal(existsSync(join(fresh, 'vouch-verify-report.json')), false);
  });

  it('fetches bundles from the GitHub attestations API by digest (from-github, github-token)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-verify-action-api-'));
    const key = generateTestKey();
    writeFileSync(join(dir, 'key.pub'), key.pem);
    writeEmptyTrustedRoot(dir);
    const data = Buffer.from('release from the API\n');
    writeFileSync(join(dir, 'app.tgz'), data);
    const digest = `sha256:${sha256Hex(data)}`;
    const gh = await startGitHubServer({
      [`GET /repos/octo/app/attestations/${digest}`]: {
        status: 200,
        body: {
          attestations: [{ bundle: await keyMessageBundle(key, data), repository_id: 1 }],
        },
      },
    });
    try {
      const values = {
        files: ['app.tgz'],
        'public-key': 'key.pub',
        'trusted-root': 'trusted_root.json',
        'from-github': ['octo/app'],
      };
      const d = deps(dir, { GITHUB_API_URL: gh.url });
      await run(readInputs({ ...reader(values), secret: () => 'ghs_workflow' }, {}), d.deps);
      assert.equal(d.outputs['verdict'], 'pass');
      const report = JSON.parse(readFileSync(d.outputs['report-path']!, 'utf8'));
      assert.equal(
        report.artifacts[0].bundle,
        `${gh.url}/repos/octo/app/attestations/${digest}#attestations[0]`,
      );
      assert.equal(gh.requests[0]!.authorization, 'Bearer ghs_workflow');
      // Nothing there for another repository: the step fails with a refusal naming the digest.
      await assert.rejects(
        run(
          readInputs(reader({ ...values, 'from-github': ['octo/other'] }), {}),
          deps(dir, {
            GITHUB_API_URL: gh.url,
          }).deps,
        ),
        (e: unknown) =>
          e instanceof VouchError &&
          e.code === 'VERIFY_NO_ATTESTATIONS' &&
          e.kind === 'refusal' &&
          e.message.includes(digest),
      );
    } finally {
      await gh.close();
    }
  });

  it('holds keyless bundles to the certificate claims the CLI knows (repository, ref, trigger, commit, signer workflow and digest, github-hosted)', async () => {
    const sigstore = await startMockSigstore();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'vouch-verify-action-claims-'));
      writeFileSync(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
      const data = Buffer.from('keyless release\n');
      writeFileSync(join(dir, 'app.tgz'), data);
      writeFileSync(
        join(dir, 'app.tgz.sigstore.json'),
        JSON.stringify(
          await keylessMessageBundle(sigstore, data, {
            claims: githubClaims({ event_name: 'release' }),
          }),
        ),
      );
      const base = {
        files: ['app.tgz'],
        'trusted-root': 'trusted_root.json',
        'certificate-identity': SAN,
        'certificate-oidc-issuer': ISSUER,
      };
      const claims = {
        'certificate-github-repository': 'octo/app',
        'certificate-github-ref': 'refs/tags/v1.2.3',
        'certificate-github-trigger': 'release',
        'certificate-github-sha': 'b'.repeat(40),
        'certificate-github-signer-workflow': 'octo/app/.github/workflows/release.yml',
        'certificate-github-signer-digest': 'a'.repeat(40),
        'github-hosted': 'true',
      };
      const d = deps(dir);
      await run(readInputs(reader({ ...base, ...claims }), {}), d.deps);
      assert.equal(d.outputs['verdict'], 'pass');
      for (const [name, value] of [
        ['certificate-github-repository', 'octo/app-evil'],
        ['certificate-github-ref', 'refs/heads/main'],
        ['certificate-github-trigger', 'push'],
        ['certificate-github-sha', 'c'.repeat(40)],
        ['certificate-github-signer-workflow', 'octo/shared/.github/workflows/build.yml'],
        ['certificate-github-signer-digest', 'd'.repeat(40)],
      ] as const) {
        await assert.rejects(
          run(readInputs(reader({ ...base, ...claims, [name]: value }), {}), deps(dir).deps),
          (e: unknown) => e instanceof VouchError && e.code === 'VERIFY_CLAIM_MISMATCH',
          name,
        );
      }
      // Claims without an identity policy are refused, as on the command line.
      await assert.rejects(
        run(
          readInputs(
            reader({ files: ['app.tgz'], 'trusted-root': 'trusted_root.json', ...claims }),
            {},
          ),
          deps(dir).deps,
        ),
        (e: unknown) => e instanceof VouchError && e.code === 'VERIFY_POLICY_CONFLICT',
      );
    } finally {
      await sigstore.close();
    }
  });

  it('runs from its bundle through the Actions runtime: bundles from a release and the attestations API', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'vouch-verify-action-dist-'));
    await build({
      ...bundleOptions('verify', 'src/actions/verify/index.ts'),
      outdir: join(dist, 'verify'),
    });
    const ws = mkdtempSync(join(tmpdir(), 'vouch-verify-action-ws-'));
    const key = generateTestKey();
    writeFileSync(join(ws, 'key.pub'), key.pem);
    writeEmptyTrustedRoot(ws);
    const a = Buffer.from('first file\n');
    const b = Buffer.from('second file\n');
    writeFileSync(join(ws, 'a.tgz'), a);
    writeFileSync(join(ws, 'b.tgz'), b);
    const gh = await startGitHubServer({
      'GET /repos/octo/app/releases/tags/v1.2.3': {
        status: 200,
        body: {
          id: 7,
          tag_name: 'v1.2.3',
          assets: [
            { id: 71, name: 'a.tgz', size: a.length, url: '/repos/octo/app/releases/assets/71' },
            {
              id: 72,
              name: 'a.tgz.sigstore.json',
              size: 3000,
              url: '/repos/octo/app/releases/assets/72',
            },
          ],
        },
      },
      'GET /repos/octo/app/releases/assets/72': {
        status: 200,
        body: await keyMessageBundle(key, a),
      },
      [`GET /repos/octo/app/attestations/sha256:${sha256Hex(a)}`]: { status: 404 },
      [`GET /repos/octo/app/attestations/sha256:${sha256Hex(b)}`]: {
        status: 200,
        body: { attestations: [{ bundle: await keyMessageBundle(key, b), repository_id: 1 }] },
      },
    });
    try {
      const r = await runActionBundleAsync(
        'verify',
        {
          files: 'a.tgz\nb.tgz',
          'public-key': 'key.pub',
          'trusted-root': 'trusted_root.json',
          'from-release': 'octo/app@v1.2.3',
          'from-github': 'octo/app',
          'github-token': 'ghs_runner',
          'github-hosted': 'false',
        },
        ws,
        { GITHUB_API_URL: gh.url },
        dist,
      );
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.equal(r.outputs['verdict'], 'pass');
      const report = JSON.parse(readFileSync(r.outputs['report-path']!, 'utf8'));
      assert.deepEqual(
        report.artifacts.map((x: { bundle: string }) => x.bundle),
        [
          'octo/app@v1.2.3/a.tgz.sigstore.json',
          `${gh.url}/repos/octo/app/attestations/sha256:${sha256Hex(b)}#attestations[0]`,
        ],
      );
      assert.ok(gh.requests.every((q) => q.authorization === 'Bearer ghs_runner'));
      assert.match(r.summary, /`b\.tgz` \| ✅ pass/);
    } finally {
      await gh.close();
    }
  });
});
