import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runActionBundle, type ActionRun } from '../helpers/action-runner.ts';
import { ROOT, vouch } from '../helpers/cli.ts';

const FILE = 'dist/widget-web-1.4.0.tgz';
const LOCAL_BUILDER = 'https://vouch.dev/builders/local/v1';
let ws = '';

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, {
    cwd: ws,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'r',
      GIT_AUTHOR_EMAIL: 'r@example.invalid',
      GIT_COMMITTER_NAME: 'r',
      GIT_COMMITTER_EMAIL: 'r@example.invalid',
      GIT_CONFIG_GLOBAL: '/dev/null',
    },
  });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
}

/** Runs a producing action; when this build's action cannot run yet, makes the same output with the CLI. */
function produce(
  t: { diagnostic(m: string): void },
  name: string,
  inputs: Record<string, string>,
  cli: string[],
): ActionRun {
  const r = runActionBundle(name, inputs, ws);
  if (r.status !== 0) {
    t.diagnostic(
      `actions/${name} failed (${/::error::(.*)/.exec(r.stdout)?.[1] ?? r.status}); using vouch ${cli[0]}`,
    );
    const c = vouch(cli, { cwd: ws });
    assert.equal(c.status, 0, c.stderr);
  }
  return r;
}

before(() => {
  const b = spawnSync(process.execPath, [join(ROOT, 'scripts/bundle.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.equal(b.status, 0, b.stderr);
  ws = mkdtempSync(join(tmpdir(), 'vouch-actions-e2e-'));
  cpSync(join(ROOT, 'examples'), ws, { recursive: true });
  sh('git', ['init', '-q', '-b', 'main']);
  sh('git', ['add', '-A']);
  sh('git', ['commit', '-q', '-m', 'approved exceptions on main']);
  mkdirSync(join(ws, 'dist'));
  mkdirSync(join(ws, 'attestations'));
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
  if (k.status !== 0) {
    const pair = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    mkdirSync(join(ws, 'keys'), { recursive: true });
    writeFileSync(join(ws, 'keys/release.key'), pair.privateKey);
    writeFileSync(join(ws, 'keys/release.pub'), pair.publicKey);
  }
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

test('each action runs from its bundle, and the gate passes over their outputs', async (t) => {
  const sbom = runActionBundle(
    'sbom',
    { path: 'npm-app', files: 'dist/*.tgz', 'output-dir': 'sbom' },
    ws,
  );
  assert.equal(sbom.status, 0, sbom.stdout);
  assert.equal(sbom.outputs['component-count'], '11');
  assert.match(sbom.outputs['cyclonedx-path']!, /sbom\.cdx\.json$/);
  assert.match(sbom.summary, /11 components/);
  const sbomPath = sbom.outputs['cyclonedx-path']!;

  produce(t, 'sign', { files: 'dist/*.tgz', key: 'keys/release.key' }, [
    'sign',
    '--key',
    'keys/release.key',
    '--offline',
    FILE,
  ]);
  produce(
    t,
    'provenance',
    {
      files: 'dist/*.tgz',
      key: 'keys/release.key',
      output: 'attestations/provenance.sigstore.json',
    },
    [
      'provenance',
      '--key',
      'keys/release.key',
      '--offline',
      '--output',
      'attestations/provenance.sigstore.json',
      FILE,
    ],
  );
  produce(
    t,
    'attest',
    {
      files: 'dist/*.tgz',
      sbom: sbomPath,
      key: 'keys/release.key',
      output: 'attestations/sbom.sigstore.json',
    },
    [
      'attest',
      '--key',
      'keys/release.key',
      '--offline',
      '--predicate',
      sbomPath,
      '--predicate-type',
      'https://cyclonedx.org/bom',
      '--output',
      'attestations/sbom.sigstore.json',
      FILE,
    ],
  );

  const gate = runActionBundle('gate', gateInputs(), ws);
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
  const gate = runActionBundle('gate', gateInputs(), ws);
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
  const gate = runActionBundle('gate', inputs, ws);
  assert.equal(gate.status, 1);
  assert.match(gate.summary, /`GATE_EXCEPTIONS_FROM_RELEASE_TREE`/);
});
