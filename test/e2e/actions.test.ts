import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ACTIONS, bundleOptions } from '../../scripts/bundle.ts';
import { runActionBundle, runActionBundleAsync, type ActionRun } from '../helpers/action-runner.ts';
import { ROOT, vouch } from '../helpers/cli.ts';
import { pullRequest42Routes, startGitHubServer } from '../helpers/github-server.ts';
import { runIn } from '../helpers/release-workspace.ts';

const FILE = 'dist/widget-web-1.4.0.tgz';
const LOCAL_BUILDER = 'https://vouch.dev/builders/local/v1';
let ws = '';
/** This run's own bundles, built with the project's bundle options (dist/ is shared and rebuilt by others). */
let bundles = '';

/** Runs one action's real bundle and requires it to succeed. */
function action(
  name: string,
  inputs: Record<string, string>,
  env: NodeJS.ProcessEnv = {},
): ActionRun {
  const r = runActionBundle(name, inputs, ws, env, bundles);
  assert.equal(r.status, 0, `actions/${name}:\n${r.stdout}${r.stderr}`);
  assert.doesNotMatch(r.stdout, /::error::/, `actions/${name}`);
  return r;
}

const sh = (cmd: string, args: string[]): void => runIn(ws, cmd, args);

before(async () => {
  bundles = mkdtempSync(join(tmpdir(), 'vouch-actions-e2e-dist-'));
  await Promise.all(
    ACTIONS.map((name) =>
      build({
        ...bundleOptions(name, `src/actions/${name}/index.ts`),
        outdir: join(bundles, name),
      }),
    ),
  );
  ws = mkdtempSync(join(tmpdir(), 'vouch-actions-e2e-'));
  cpSync(join(ROOT, 'examples'), ws, { recursive: true });
  sh('git', ['init', '-q', '-b', 'main']);
  sh('git', ['add', '-A']);
  sh('git', ['commit', '-q', '-m', 'approved exceptions on main']);
  mkdirSync(join(ws, 'dist'));
  mkdirSync(join(ws, 'attestations'));
  mkdirSync(join(ws, 'keys'));
  sh('tar', ['-czf', FILE, '-C', 'npm-app', 'package.json', 'index.js']);
  const k = vouch(
    [
      'keys',
      'generate',
      '--unencrypted',
      '--private',
      'keys/release.key',
      '--public',
      'keys/release.pub',
    ],
    {
      cwd: ws,
    },
  );
  assert.equal(k.status, 0, k.stderr);
  // Key-signed, no transparency log or timestamp authority: nothing here reaches a network.
  writeFileSync(
    join(ws, 'offline-signing.json'),
    JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
      caUrls: [],
      oidcUrls: [],
      rekorTlogUrls: [],
      tsaUrls: [],
    }),
  );
});

const gateInputs = (): Record<string, string> => ({
  files: 'dist/*.tgz',
  'bundle-dirs': 'dist\nattestations',
  'public-key': 'keys/release.pub',
  'builder-ids': LOCAL_BUILDER,
  policy: 'npm-app/.vouch/policy.yml',
  exceptions: 'npm-app/.vouch/exceptions.yml',
  'exceptions-ref': 'main',
  advisories: 'advisories',
  'evidence-dir': 'evidence',
});

test('each action runs from its bundle, and the gate passes over their outputs', async () => {
  const sbom = action('sbom', { path: 'npm-app', files: 'dist/*.tgz', 'output-dir': 'sbom' });
  assert.equal(sbom.outputs['component-count'], '11');
  assert.match(sbom.outputs['cyclonedx-path']!, /sbom\.cdx\.json$/);
  assert.match(sbom.summary, /11 components/);
  const sbomPath = sbom.outputs['cyclonedx-path']!;

  const sign = action('sign', { files: 'dist/*.tgz', key: 'keys/release.key', offline: 'true' });
  assert.equal(sign.outputs['bundle-paths'], `${FILE}.sigstore.json`);

  const provenance = action('provenance', {
    files: 'dist/*.tgz',
    key: 'keys/release.key',
    'signing-config': 'offline-signing.json',
    output: 'attestations/provenance.sigstore.json',
  });
  assert.equal(provenance.outputs['subject-count'], '1');
  assert.equal(
    provenance.outputs['bundle-path'],
    join(ws, 'attestations/provenance.sigstore.json'),
  );

  const attest = action('attest', {
    files: 'dist/*.tgz',
    sbom: sbomPath,
    key: 'keys/release.key',
    'signing-config': 'offline-signing.json',
    output: 'attestations/sbom.sigstore.json',
  });
  assert.equal(attest.outputs['subject-count'], '1');
  assert.match(attest.summary, /https:\/\/cyclonedx\.org\/bom/);

  const verify = action('verify', {
    files: 'dist/*.tgz',
    'public-key': 'keys/release.pub',
    report: 'reports/verify.json',
  });
  assert.equal(verify.outputs['verdict'], 'pass');
  const report = JSON.parse(readFileSync(join(ws, 'reports/verify.json'), 'utf8'));
  assert.ok(JSON.stringify(report).includes('widget-web-1.4.0.tgz'), 'the report names the file');

  const policy = action('policy', {
    sbom: sbomPath,
    policy: 'npm-app/.vouch/policy.yml',
    exceptions: 'npm-app/.vouch/exceptions.yml',
    advisories: 'advisories',
    'output-dir': 'reports',
  });
  assert.equal(policy.outputs['verdict'], 'pass');
  assert.equal(policy.outputs['failed-count'], '0');
  assert.equal(policy.outputs['waived-count'], '1');

  const gate = runActionBundle('gate', gateInputs(), ws, {}, bundles);
  assert.equal(gate.status, 0, gate.stdout);
  assert.equal(gate.outputs['verdict'], 'pass');
  assert.equal(gate.outputs['refusals'], '0');
  assert.equal(gate.outputs['evidence-path'], join(ws, 'evidence'));
  assert.equal(gate.outputs['archive-path'], join(ws, 'evidence.tar.gz'));
  assert.match(gate.summary, /## vouch gate: release may ship/);
  assert.match(
    gate.summary,
    /\| `dist\/widget-web-1\.4\.0\.tgz` \| pass \| pass \| pass \| pass \| PASS \|/,
  );
  const manifest = JSON.parse(readFileSync(join(ws, 'evidence/manifest.json'), 'utf8'));
  assert.equal(
    manifest.files[0].checks.find((c: { check: string }) => c.check === 'policy').status,
    'pass',
  );
  assert.match(
    manifest.files[0].checks.find((c: { check: string }) => c.check === 'policy').message,
    /GHSA-593m-55hh-j8gv/,
  );
});

test('the gate action refuses an altered release file, with the code in the summary and the step error', () => {
  const path = join(ws, FILE);
  writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.from('x')]));
  const gate = runActionBundle('gate', gateInputs(), ws, {}, bundles);
  assert.equal(gate.status, 1);
  assert.equal(gate.outputs['verdict'], 'refuse');
  assert.match(gate.summary, /`GATE_SIGNATURE_WRONG_FILE`/);
  assert.match(
    gate.summary,
    /\| `dist\/widget-web-1\.4\.0\.tgz` \| signature \| `GATE_SIGNATURE_WRONG_FILE` \|/,
  );
  assert.match(gate.stdout, /::error::\[GATE_SIGNATURE_WRONG_FILE\] the release is refused/);
});

test('the gate action refuses exceptions read from the release tree', () => {
  const inputs = gateInputs();
  delete inputs['exceptions-ref'];
  const gate = runActionBundle('gate', inputs, ws, {}, bundles);
  assert.equal(gate.status, 1);
  assert.match(gate.summary, /`GATE_EXCEPTIONS_FROM_RELEASE_TREE`/);
});

test('the exceptions-review action reviews a pull request through the REST API (recorded responses)', async () => {
  const server = await startGitHubServer(pullRequest42Routes());
  const event = join(ws, 'pull-request-event.json');
  writeFileSync(
    event,
    JSON.stringify({
      action: 'synchronize',
      number: 42,
      pull_request: { number: 42 },
      sender: { login: 'dev-alice' },
    }),
  );
  try {
    const env = {
      GITHUB_REPOSITORY: 'acme/widget',
      GITHUB_EVENT_PATH: event,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_API_URL: server.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '12002',
      VOUCH_NOW: '2026-12-02T12:00:00Z',
    };
    const inputs = {
      'github-token': 'ghs_e2e_token_value',
      'approver-teams': 'acme/release-managers',
      exceptions: '.vouch/exceptions.yml',
      policy: '.vouch/policy.yml',
    };
    const r = await runActionBundleAsync('exceptions-review', inputs, ws, env, bundles);
    assert.equal(r.status, 0, r.stdout);
    assert.equal(r.outputs['verdict'], 'pass');
    assert.equal(
      r.outputs['comment-url'],
      'https://github.com/acme/widget/pull/42#issuecomment-2510000003',
    );
    assert.match(r.stdout, /::add-mask::ghs_e2e_token_value/);
    assert.match(r.summary, /CVE-2021-23337/);
    const check = server.requests.find((q) => q.path === '/repos/acme/widget/check-runs');
    assert.equal((check?.body as { conclusion?: string } | undefined)?.conclusion, 'success');
  } finally {
    await server.close();
  }
});
