/**
 * What the evidence manifest tells a reader about the bundles and advisories the gate was offered:
 * every bundle read is digested and kept (also those that matched no release file), a check is
 * proven only by bundles about that file, and an advisory file the gate did not read is named.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../../src/core/logger.ts';
import type { EvidenceManifest } from '../../../src/core/gate/manifest.ts';
import { createGateDeps } from '../../../src/adapters/gate/default-deps.ts';
import { readAdvisoryDirectories } from '../../../src/adapters/gate/policy-port.ts';
import { runGate, type GateRequest, type GateResult } from '../../../src/adapters/gate/run-gate.ts';
import {
  exampleRepo,
  LOCAL_BUILDER,
  NPM,
  NPM_SBOM,
  runIn,
  RUST,
  RUST_SBOM,
  signedRelease,
} from '../../helpers/release-workspace.ts';

process.env['GIT_CONFIG_GLOBAL'] = '/dev/null';
process.env['GIT_CONFIG_NOSYSTEM'] = '1';

const NOTES_SIG = 'dist/notes.txt.sigstore.json';
const BIG_ADVISORY = 'big-advisories/npm/GHSA-huge-huge-huge.json';
let ws = '';

const sha = (path: string): string =>
  createHash('sha256')
    .update(readFileSync(join(ws, path)))
    .digest('hex');

/**
 * The demo's tamper run: both files signed and attested, a third file (not released) signed into
 * the bundle directory, then the npm tarball altered after signing.
 */
before(() => {
  ws = exampleRepo('vouch-gate-offered-');
  mkdirSync(join(ws, 'notes'));
  writeFileSync(join(ws, 'notes/notes.txt'), 'release notes, not a release file\n');
  signedRelease(ws, ['notes/notes.txt']);
  runIn(ws, 'mv', ['notes/notes.txt.sigstore.json', NOTES_SIG]);
  // Tamper: flip the last byte of the npm tarball after it was signed and attested.
  const bytes = readFileSync(join(ws, NPM));
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
  writeFileSync(join(ws, NPM), bytes);
  // An advisory directory holding one record over the gate's 4 MiB cap, beside the real ones.
  cpSync(join(ws, 'advisories'), join(ws, 'big-advisories'), { recursive: true });
  const huge = { id: 'GHSA-huge-huge-huge', modified: '2026-01-01T00:00:00Z', padding: '' };
  huge.padding = 'x'.repeat(4 * 1024 * 1024);
  writeFileSync(join(ws, BIG_ADVISORY), JSON.stringify(huge));
});

let evidenceNo = 0;
async function gate(
  overrides: Partial<GateRequest> = {},
  logger: Logger = silentLogger,
): Promise<GateResult> {
  const request: GateRequest = {
    workspace: ws,
    files: ['dist/*.tgz', 'dist/*.tar.gz'],
    bundleDirs: ['dist', 'attestations'],
    trust: { key: 'release.pub' },
    builderIds: [LOCAL_BUILDER],
    signers: [],
    policy: '.vouch/policy.yml',
    advisories: ['advisories'],
    exceptions: '.vouch/exceptions.yml',
    exceptionsRef: 'main',
    evidenceDir: `evidence-offered-${++evidenceNo}`,
    now: new Date('2026-12-03T12:00:00Z'),
    ...overrides,
  };
  return runGate(request, createGateDeps({ logger, now: request.now, env: process.env, cwd: ws }));
}

/** manifest.json as written to the evidence directory (what a reader opens). */
function writtenManifest(result: GateResult): EvidenceManifest {
  return JSON.parse(
    readFileSync(join(result.evidenceDir, 'manifest.json'), 'utf8'),
  ) as EvidenceManifest;
}

test('bundles read but matching no release file are digested and kept in the evidence as bundle-unmatched', async () => {
  const result = await gate();
  assert.equal(result.decision.verdict, 'refuse');
  const manifest = writtenManifest(result);
  const bundleInputs = manifest.inputs
    .filter((i) => i.role === 'bundle' || i.role === 'bundle-unmatched')
    .map((i) => [i.path, i.role]);
  assert.deepEqual(bundleInputs, [
    ['attestations/npm.sbom.sigstore.json', 'bundle-unmatched'],
    ['attestations/provenance.sigstore.json', 'bundle'],
    ['attestations/rust.sbom.sigstore.json', 'bundle'],
    ['dist/notes.txt.sigstore.json', 'bundle-unmatched'],
    ['dist/rust-tunnel-0.1.0.tar.gz.sigstore.json', 'bundle'],
    ['dist/widget-web-1.4.0.tgz.sigstore.json', 'bundle'],
  ]);
  for (const path of [NPM_SBOM, NOTES_SIG]) {
    const input = manifest.inputs.find((i) => i.path === path)!;
    assert.equal(input.sha256, sha(path), path);
    assert.equal(input.size, readFileSync(join(ws, path)).length, path);
    // The copy in the evidence is listed with the same role, and its bytes are the bundle's.
    const copy = manifest.evidence.find((e) => e.path === `bundles/${path}`);
    assert.ok(copy, `bundles/${path} in the evidence`);
    assert.equal(copy.role, 'bundle-unmatched');
    assert.equal(copy.sha256, sha(path));
    assert.deepEqual(
      readFileSync(join(result.evidenceDir, copy.path)),
      readFileSync(join(ws, path)),
    );
  }
  // An unmatched bundle proves nothing: no check and no VSA cites it.
  const cited = manifest.files.flatMap((f) => f.checks.flatMap((c) => c.provenBy));
  assert.ok(!cited.includes(`bundles/${NPM_SBOM}`));
  assert.ok(!cited.includes(`bundles/${NOTES_SIG}`));
});

test('a check is proven only by bundles about that release file, never by another file’s attestation', async () => {
  const result = await gate();
  const manifest = writtenManifest(result);
  const npm = manifest.files.find((f) => f.name === NPM)!;
  const sbomCheck = npm.checks.find((c) => c.check === 'sbom-attestation')!;
  assert.equal(sbomCheck.status, 'fail');
  assert.equal(sbomCheck.code, 'GATE_SBOM_NOT_COVERING');
  assert.deepEqual(sbomCheck.provenBy, []);
  // The signature named after the file is the evidence that it was altered after signing.
  assert.deepEqual(npm.checks.find((c) => c.check === 'signature')!.provenBy, [
    `bundles/${NPM}.sigstore.json`,
  ]);
  // Nothing about the Rust file is cited for the npm file, in the manifest or in its VSA.
  const rustBundles = [`bundles/${RUST_SBOM}`, `bundles/${RUST}.sigstore.json`];
  for (const c of npm.checks) {
    for (const p of c.provenBy) assert.ok(!rustBundles.includes(p), `${c.check}: ${p}`);
  }
  const vsa = JSON.parse(readFileSync(join(result.evidenceDir, npm.vsa!), 'utf8')) as {
    predicate: { inputAttestations: { uri: string }[] };
  };
  assert.deepEqual(
    vsa.predicate.inputAttestations.map((a) => a.uri),
    [`bundles/${NPM}.sigstore.json`],
  );
  // The Rust file still cites its own SBOM attestation.
  const rust = manifest.files.find((f) => f.name === RUST)!;
  assert.deepEqual(rust.checks.find((c) => c.check === 'sbom-attestation')!.provenBy, [
    `bundles/${RUST_SBOM}`,
  ]);
});

test('an advisory file over the size cap is reported as skipped in the policy report and warned about', async () => {
  const warnings: string[] = [];
  const logger: Logger = { ...silentLogger, warn: (m) => void warnings.push(m) };
  const result = await gate({ advisories: ['big-advisories'] }, logger);
  const manifest = writtenManifest(result);
  // The Rust SBOM is attested and evaluated: its policy report is the one a reader opens.
  const rust = manifest.files.find((f) => f.name === RUST)!;
  const reportPath = rust.checks.find((c) => c.check === 'policy')!.provenBy[0]!;
  assert.ok(
    manifest.evidence.some((e) => e.path === reportPath && e.role === 'policy-report'),
    reportPath,
  );
  const report = JSON.parse(readFileSync(join(result.evidenceDir, reportPath), 'utf8')) as {
    advisories: { skipped: { id: string; source: string; reason: string }[] };
  };
  assert.deepEqual(report.advisories.skipped, [
    { id: BIG_ADVISORY, source: BIG_ADVISORY, reason: `larger than ${4 * 1024 * 1024} bytes` },
  ]);
  assert.ok(
    warnings.some((w) => w.includes(BIG_ADVISORY) && /skipped.*larger than/.test(w)),
    warnings.join('\n'),
  );
  // The file is still listed (and digested) as an input: what was offered is on record.
  assert.equal(manifest.inputs.find((i) => i.path === BIG_ADVISORY)?.sha256, sha(BIG_ADVISORY));
});

test('readAdvisoryDirectories names every file it does not read (too large, symbolic link)', async () => {
  const { symlinkSync } = await import('node:fs');
  mkdirSync(join(ws, 'linked-advisories'), { recursive: true });
  symlinkSync(join(ws, BIG_ADVISORY), join(ws, 'linked-advisories/elsewhere.json'));
  const got = await readAdvisoryDirectories(['big-advisories', 'linked-advisories'], ws);
  assert.equal(got.raw.length, 8, 'the eight real records are read');
  assert.deepEqual(got.skipped, [
    { id: BIG_ADVISORY, source: BIG_ADVISORY, reason: `larger than ${4 * 1024 * 1024} bytes` },
    {
      id: 'linked-advisories/elsewhere.json',
      source: 'linked-advisories/elsewhere.json',
      reason: 'symbolic link: not followed',
    },
  ]);
});
