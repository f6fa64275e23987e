import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { silentLogger } from '../../../src/core/logger.ts';
import { createGateDeps } from '../../../src/adapters/gate/default-deps.ts';
import { writeEvidence } from '../../../src/adapters/gate/evidence.ts';
import { runGate, type GateRequest, type GateResult } from '../../../src/adapters/gate/run-gate.ts';
import { vouch } from '../../helpers/cli.ts';

const NPM = 'dist/widget-web-1.4.0.tgz';
const RUST = 'dist/rust-tunnel-0.1.0.tar.gz';
const LOCAL_BUILDER = 'https://vouch.dev/builders/local/v1';
let ws = '';

function run(cmd: string, args: string[]): void {
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

function cli(args: string[]): void {
  const r = vouch(args, { cwd: ws });
  assert.equal(r.status, 0, `vouch ${args.join(' ')}: ${r.stderr}`);
}

before(() => {
  ws = mkdtempSync(join(tmpdir(), 'vouch-gate-'));
  cpSync(join(import.meta.dirname, '../../../examples'), ws, { recursive: true });
  run('git', ['init', '-q', '-b', 'main']);
  run('git', ['add', '-A']);
  run('git', ['commit', '-q', '-m', 'approved exceptions on main']);
  mkdirSync(join(ws, 'dist'));
  mkdirSync(join(ws, 'attestations'));
  mkdirSync(join(ws, 'sbom'));
  run('tar', ['-czf', NPM, '-C', 'npm-app', 'package.json', 'index.js']);
  run('tar', ['-czf', RUST, '-C', 'rust-tunnel', 'Cargo.toml', 'Cargo.lock']);
  cli(['keys', 'generate', '--unencrypted', '--private', 'release.key', '--public', 'release.pub']);
  cli(['sbom', 'npm-app', '--file', NPM, '--output', 'sbom/npm.cdx.json']);
  cli(['sbom', 'rust-tunnel', '--file', RUST, '--output', 'sbom/rust.cdx.json']);
  cli(['sign', '--key', 'release.key', '--offline', NPM, RUST]);
  cli([
    'provenance',
    '--key',
    'release.key',
    '--offline',
    '--output',
    'attestations/provenance.sigstore.json',
    NPM,
    RUST,
  ]);
  for (const [sbom, file, out] of [
    ['sbom/npm.cdx.json', NPM, 'attestations/npm.sbom.sigstore.json'],
    ['sbom/rust.cdx.json', RUST, 'attestations/rust.sbom.sigstore.json'],
  ] as const) {
    cli([
      'attest',
      '--key',
      'release.key',
      '--offline',
      '--predicate',
      sbom,
      '--predicate-type',
      'https://cyclonedx.org/bom',
      '--output',
      out,
      file,
    ]);
  }
});

let evidenceNo = 0;
function request(overrides: Partial<GateRequest> = {}): GateRequest {
  return {
    workspace: ws,
    files: [NPM, RUST],
    bundleDirs: ['dist', 'attestations'],
    trust: { key: 'release.pub' },
    builderIds: [LOCAL_BUILDER],
    signers: [],
    policy: '.vouch/policy.yml',
    advisories: ['advisories'],
    exceptions: '.vouch/exceptions.yml',
    exceptionsRef: 'main',
    evidenceDir: `evidence-${++evidenceNo}`,
    now: new Date('2026-12-03T12:00:00Z'),
    ...overrides,
  };
}

async function gate(overrides: Partial<GateRequest> = {}): Promise<GateResult> {
  const r = request(overrides);
  return runGate(
    r,
    createGateDeps({ logger: silentLogger, now: r.now, env: process.env, cwd: ws }),
  );
}

/** The refusal is in the decision, the job summary, manifest.json and the archive's manifest. */
function assertRefused(result: GateResult, code: string, check: string, file?: string): void {
  assert.equal(result.decision.verdict, 'refuse');
  assert.ok(
    result.decision.refusals.some((r) => r.code === code && r.check === check && r.file === file),
    `${code} ${check} ${file} in ${JSON.stringify(result.decision.refusals, null, 1)}`,
  );
  assert.match(result.markdown, new RegExp(`\\| ${check} \\| \`${code}\` \\|`));
  const manifest = JSON.parse(readFileSync(join(result.evidenceDir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.verdict, 'refuse');
  assert.ok(
    manifest.refusals.some(
      (r: { code: string; file?: string }) => r.code === code && r.file === file,
    ),
  );
  assert.match(readFileSync(join(result.evidenceDir, 'summary.md'), 'utf8'), new RegExp(code));
}

test('a complete release passes; the evidence holds reports, a VSA per file, input digests and a signed manifest', async () => {
  const result = await gate({ signManifestKey: 'release.key' });
  assert.equal(result.decision.verdict, 'pass', result.text);
  const m = result.manifest;
  assert.deepEqual(
    m.files.map((f) => [f.name, f.verdict]),
    [
      [RUST, 'pass'],
      [NPM, 'pass'],
    ],
  );
  const npm = m.files.find((f) => f.name === NPM)!;
  assert.deepEqual(
    npm.checks.map((c) => [c.check, c.provenBy]),
    [
      ['signature', [`bundles/${NPM}.sigstore.json`]],
      ['provenance', ['bundles/attestations/provenance.sigstore.json']],
      ['sbom-attestation', ['bundles/attestations/npm.sbom.sigstore.json']],
      ['policy', [npm.checks[3]!.provenBy[0]!]],
    ],
  );
  assert.match(npm.checks[3]!.message, /waived: GHSA-593m-55hh-j8gv/);
  const sha = (p: string): string =>
    createHash('sha256')
      .update(readFileSync(join(ws, p)))
      .digest('hex');
  assert.equal(m.inputs.find((i) => i.path === NPM)?.sha256, sha(NPM));
  assert.equal(m.inputs.find((i) => i.role === 'policy')?.sha256, sha('.vouch/policy.yml'));
  assert.ok(
    m.inputs.some((i) => i.role === 'exceptions' && i.path === 'main:.vouch/exceptions.yml'),
  );
  assert.ok(m.inputs.some((i) => i.path === 'advisories/npm/GHSA-593m-55hh-j8gv.json'));
  for (const e of m.evidence) {
    assert.equal(
      createHash('sha256')
        .update(readFileSync(join(result.evidenceDir, e.path)))
        .digest('hex'),
      e.sha256,
      e.path,
    );
  }
  const vsa = JSON.parse(readFileSync(join(result.evidenceDir, npm.vsa!), 'utf8'));
  assert.equal(vsa.predicateType, 'https://slsa.dev/verification_summary/v1');
  assert.equal(vsa.predicate.verificationResult, 'PASSED');
  assert.equal(vsa.subject[0].digest.sha256, sha(NPM));
  // the signed manifest verifies independently with the public key
  const v = vouch(
    [
      'verify',
      '--bundle',
      join(result.evidenceDir, 'manifest.json.sigstore.json'),
      '--key',
      'release.pub',
      join(result.evidenceDir, 'manifest.json'),
    ],
    { cwd: ws },
  );
  assert.equal(v.status, 0, v.stderr + v.stdout);
  // the archive holds the same directory
  const list = spawnSync('tar', ['-tzf', result.archive], { encoding: 'utf8' }).stdout.split('\n');
  assert.ok(list.includes(`${basename(result.evidenceDir)}/manifest.json`), list.join(' '));
  assert.ok(list.includes(`${basename(result.evidenceDir)}/reports/verification.json`));
});

test('a release file with no bundle is refused: GATE_SIGNATURE_MISSING', async () => {
  mkdirSync(join(ws, 'extra'), { recursive: true });
  writeFileSync(join(ws, 'extra/notes.tgz'), 'unsigned');
  const result = await gate({
    files: [NPM, 'extra/*.tgz'],
    bundleDirs: ['dist', 'attestations', 'extra'],
  });
  assertRefused(result, 'GATE_SIGNATURE_MISSING', 'signature', 'extra/notes.tgz');
  assert.equal(result.manifest.files.find((f) => f.name === NPM)!.verdict, 'pass');
});

test('a bundle made for another file is refused: GATE_SIGNATURE_WRONG_FILE', async () => {
  mkdirSync(join(ws, 'wrong'), { recursive: true });
  writeFileSync(join(ws, 'wrong/other.tgz'), 'other bytes');
  copyFileSync(join(ws, `${NPM}.sigstore.json`), join(ws, 'wrong/other.tgz.sigstore.json'));
  const result = await gate({ files: ['wrong/*.tgz'], bundleDirs: ['wrong', 'attestations'] });
  assertRefused(result, 'GATE_SIGNATURE_WRONG_FILE', 'signature', 'wrong/other.tgz');
});

test('provenance from an untrusted builder is refused: GATE_BUILDER_UNTRUSTED', async () => {
  const result = await gate({
    builderIds: [
      'https://github.com/acme/widget/.github/workflows/release-integrity.yml@refs/tags/v1',
    ],
  });
  assertRefused(result, 'GATE_BUILDER_UNTRUSTED', 'provenance', NPM);
  assertRefused(result, 'GATE_BUILDER_UNTRUSTED', 'provenance', RUST);
});

test('an SBOM that does not cover a release file is refused: GATE_SBOM_NOT_COVERING', async () => {
  mkdirSync(join(ws, 'partial'), { recursive: true });
  copyFileSync(
    join(ws, 'attestations/provenance.sigstore.json'),
    join(ws, 'partial/provenance.sigstore.json'),
  );
  copyFileSync(
    join(ws, 'attestations/npm.sbom.sigstore.json'),
    join(ws, 'partial/npm.sbom.sigstore.json'),
  );
  const result = await gate({ bundleDirs: ['dist', 'partial'] });
  assertRefused(result, 'GATE_SBOM_NOT_COVERING', 'sbom-attestation', RUST);
  assert.equal(result.manifest.files.find((f) => f.name === NPM)!.verdict, 'pass');
});

test('an expired exception stops waiving: GATE_EXCEPTION_EXPIRED', async () => {
  const result = await gate({ now: new Date('2027-03-01T00:00:00Z') });
  assertRefused(result, 'GATE_EXCEPTION_EXPIRED', 'policy', NPM);
  assert.match(result.text, /GHSA-593m-55hh-j8gv .*expired on 2027-02-15/);
});

test('an exception read from the release tree is refused: GATE_EXCEPTIONS_FROM_RELEASE_TREE', async () => {
  const result = await gate({ exceptionsRef: undefined });
  assertRefused(result, 'GATE_EXCEPTIONS_FROM_RELEASE_TREE', 'exceptions');
  assertRefused(result, 'GATE_EXCEPTIONS_FROM_RELEASE_TREE', 'policy', NPM);
  assert.equal(result.manifest.exceptions.fromReleaseTree, true);
});

test('exceptions are read at the ref, not from the working tree', async () => {
  const path = join(ws, '.vouch/exceptions.yml');
  const original = readFileSync(path, 'utf8');
  writeFileSync(path, 'version: 1\nexceptions: []\n');
  try {
    const result = await gate();
    assert.equal(result.decision.verdict, 'pass', result.text);
    assert.equal(result.manifest.exceptions.ref, 'main');
    assert.match(result.manifest.exceptions.commit ?? '', /^[0-9a-f]{40}$/);
  } finally {
    writeFileSync(path, original);
  }
});

test('the evidence archive is byte-identical for the same evidence', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-evidence-'));
  const files = [
    { path: 'manifest.json', data: Buffer.from('{"a":1}\n') },
    { path: 'reports/x.json', data: Buffer.from('{}\n') },
  ];
  const one = await writeEvidence(join(dir, 'one', 'evidence'), files);
  const two = await writeEvidence(join(dir, 'two', 'evidence'), [...files].reverse());
  assert.equal(one.archiveSha256, two.archiveSha256);
});
