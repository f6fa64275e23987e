import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { silentLogger } from '../../../src/core/logger.ts';
import { createGateDeps } from '../../../src/adapters/gate/default-deps.ts';
import { writeEvidence } from '../../../src/adapters/gate/evidence.ts';
import { runGate, type GateRequest, type GateResult } from '../../../src/adapters/gate/run-gate.ts';
import { vouch } from '../../helpers/cli.ts';
import {
  exampleRepo,
  LOCAL_BUILDER,
  NPM,
  RUST,
  runIn,
  signedRelease,
  vouchIn,
} from '../../helpers/release-workspace.ts';
import {
  BASE_SHA,
  loadRecording,
  startGitHubServer,
  type Recording,
  type Routes,
  type SeenRequest,
} from '../../helpers/github-server.ts';
import { VouchError } from '../../../src/errors.ts';
import { parseGitHubSource } from '../../../src/adapters/verify/fetch-bundles.ts';
import { readInputs as readGateInputs } from '../../../src/actions/gate/inputs.ts';
import { run as runGateAction } from '../../../src/actions/gate/main.ts';
import { captureDeps, reader } from '../../helpers/action-io.ts';
import { pushTestImage, REGISTRY_BINARY, startRegistry } from '../../helpers/registry.ts';

// The default branch git knows is read from the workspace repository's own configuration only.
process.env['GIT_CONFIG_GLOBAL'] = '/dev/null';
process.env['GIT_CONFIG_NOSYSTEM'] = '1';

let ws = '';

const run = (cmd: string, args: string[]): void => runIn(ws, cmd, args);
const cli = (args: string[]): void => vouchIn(ws, args);

before(() => {
  ws = exampleRepo('vouch-gate-');
  signedRelease(ws);
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

// --- exceptions from the default branch through the GitHub API (recorded responses) ---

const GH_REPO = 'acme/widget-web';
const GH_BASE = `/repos/${GH_REPO}`;
const EXCEPTION_ID = 'GHSA-593m-55hh-j8gv';

function recordingWith(name: string, patch: Record<string, unknown>): Recording {
  const r = loadRecording(name);
  return { ...r, body: { ...(r.body as object), ...patch } };
}

/** Base and merge commits of the approval pull request (the recorded pull-17-merged). */
const PR_BASE_SHA = '17b45e0c3d2a1f0e9d8c7b6a5f4e3d2c1b0a9f81';
const PR_MERGE_SHA = 'e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3';

/** acme/widget-web: main is protected and holds the example's exceptions file; #42 approved it. */
function githubRoutes(overrides: Routes = {}): Routes {
  const text = readFileSync(join(ws, '.vouch/exceptions.yml'));
  return {
    [`GET ${GH_BASE}`]: recordingWith('repo', { name: 'widget-web', full_name: GH_REPO }),
    [`GET ${GH_BASE}/branches/main`]: 'branch-main',
    [`GET ${GH_BASE}/contents/.vouch/exceptions.yml?ref=${BASE_SHA}`]: recordingWith(
      'exceptions-main',
      { content: text.toString('base64'), size: text.length },
    ),
    [`GET ${GH_BASE}/pulls/42`]: recordingWith('pull-17-merged', {
      number: 42,
      html_url: `https://github.com/${GH_REPO}/pull/42`,
    }),
    [`GET ${GH_BASE}/pulls/42/files`]: 'files-17',
    [`GET ${GH_BASE}/pulls/42/reviews`]: 'reviews-17',
    [`GET ${GH_BASE}/pulls/42/commits`]: 'commits-17',
    // the pull request's own change: no exceptions at its base, this one at its merge commit
    [`GET ${GH_BASE}/contents/.vouch/exceptions.yml?ref=${PR_BASE_SHA}`]: 'exceptions-17-base',
    [`GET ${GH_BASE}/contents/.vouch/exceptions.yml?ref=${PR_MERGE_SHA}`]: recordingWith(
      'exceptions-17-merge',
      { content: text.toString('base64'), size: text.length },
    ),
    'GET /orgs/acme/teams/release-managers/memberships/rm-bob': 'membership-active',
    'GET /orgs/acme/teams/release-managers/memberships/outsider-dave': 'not-found',
    ...overrides,
  };
}

async function gateOnGitHub(
  routes: Routes,
  overrides: Partial<GateRequest> = {},
): Promise<{ result: GateResult; requests: SeenRequest[] }> {
  const server = await startGitHubServer(routes);
  try {
    const r = request({
      exceptionsRef: undefined,
      github: {
        repository: GH_REPO,
        verifyApprovals: true,
        approverTeams: ['acme/release-managers'],
      },
      ...overrides,
    });
    const result = await runGate(
      r,
      createGateDeps({
        logger: silentLogger,
        now: r.now,
        env: process.env,
        cwd: ws,
        github: { token: 'ghs_x', baseUrl: server.url, retryDelayMs: 1, sleep: async () => {} },
      }),
    );
    return { result, requests: server.requests };
  } finally {
    await server.close();
  }
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

test('GitHub mode: an exception approved in a merged pull request by an allowed approver waives, and the approval is in the evidence', async () => {
  const { result, requests } = await gateOnGitHub(githubRoutes());
  assert.equal(result.decision.verdict, 'pass', result.text);
  const ex = result.manifest.exceptions;
  assert.equal(ex.source, 'protected-branch');
  assert.equal(ex.repository, GH_REPO);
  assert.equal(ex.ref, 'main');
  assert.equal(ex.commit, BASE_SHA);
  assert.equal(ex.branchFrom, 'github-api');
  assert.equal(ex.protection, 'confirmed');
  assert.equal(ex.fromReleaseTree, false);
  assert.deepEqual(
    ex.approvals?.map((a) => [a.exceptionId, a.checked, a.verified, a.pullRequest, a.approvers]),
    [[EXCEPTION_ID, true, true, 42, ['rm-bob']]],
  );
  assert.equal(ex.approvals?.[0]?.mergeCommitSha, 'e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3');
  // the file is read at the branch's tip commit, and its digest is an input
  assert.ok(
    requests.some(
      (q) => q.path === `${GH_BASE}/contents/.vouch/exceptions.yml` && q.query['ref'] === BASE_SHA,
    ),
  );
  const sha = createHash('sha256')
    .update(readFileSync(join(ws, '.vouch/exceptions.yml')))
    .digest('hex');
  assert.equal(
    result.manifest.inputs.find((i) => i.role === 'exceptions')?.path,
    'main:.vouch/exceptions.yml',
  );
  assert.equal(result.manifest.inputs.find((i) => i.role === 'exceptions')?.sha256, sha);
  const report = readJson(join(result.evidenceDir, 'reports/exceptions.json'));
  assert.deepEqual((report['evidence'] as { approvals: unknown }).approvals, ex.approvals);
  const summary = readFileSync(join(result.evidenceDir, 'summary.md'), 'utf8');
  assert.match(summary, /### Exceptions/);
  assert.match(summary, /protected branch \(confirmed through the GitHub API\)/);
  assert.match(
    summary,
    /\| `GHSA-593m-55hh-j8gv` \| .* \| confirmed: #42 merged, approved by rm-bob \|/,
  );
  assert.match(result.text, /GHSA-593m-55hh-j8gv .*confirmed: #42 merged, approved by rm-bob/);
});

for (const [name, overrides, reason] of [
  [
    'approved only by someone outside the approver team',
    { [`GET ${GH_BASE}/pulls/42/reviews`]: 'reviews-17-outsider' },
    /no approving review by an allowed approver/,
  ],
  [
    'not merged',
    {
      [`GET ${GH_BASE}/pulls/42`]: recordingWith('pull-18-open', {
        number: 42,
        html_url: `https://github.com/${GH_REPO}/pull/42`,
      }),
    },
    /#42 is not merged/,
  ],
  [
    'approved only by its own author',
    { [`GET ${GH_BASE}/pulls/42/reviews`]: 'reviews-self' },
    /other than its author/,
  ],
  [
    'approved only before its last push (stale)',
    { [`GET ${GH_BASE}/pulls/42/reviews`]: 'reviews-17-stale' },
    /on its final head commit c0ffee0 \(rm-bob: stale: approved b0a7c6d, before the last push\)/,
  ],
  [
    'one that did not add this exception',
    // (read when the test runs: the workspace is made before the tests)
    (): Routes => ({
      [`GET ${GH_BASE}/contents/.vouch/exceptions.yml?ref=${PR_BASE_SHA}`]: recordingWith(
        'exceptions-main',
        { content: readFileSync(join(ws, '.vouch/exceptions.yml')).toString('base64') },
      ),
    }),
    /#42 did not add or extend exception GHSA-593m-55hh-j8gv for pkg:npm\/%40sentry\/browser/,
  ],
] as const) {
  test(`GitHub mode: an exception whose approval pull request is ${name} is refused: GATE_EXCEPTION_UNAPPROVED`, async () => {
    const { result } = await gateOnGitHub(
      githubRoutes(typeof overrides === 'function' ? overrides() : overrides),
    );
    assertRefused(result, 'GATE_EXCEPTION_UNAPPROVED', 'policy', NPM);
    const refusal = result.decision.refusals.find((r) => r.code === 'GATE_EXCEPTION_UNAPPROVED')!;
    assert.match(refusal.message, new RegExp(`exception ${EXCEPTION_ID}`));
    assert.match(refusal.message, reason);
    const approval = result.manifest.exceptions.approvals?.[0];
    assert.equal(approval?.checked, true);
    assert.equal(approval?.verified, false);
    assert.match(approval?.reason ?? '', reason);
    // the other release file needs no exception and still passes
    assert.equal(result.manifest.files.find((f) => f.name === RUST)!.verdict, 'pass');
  });
}

test('GitHub mode: an unprotected default branch is refused: GATE_EXCEPTIONS_BRANCH_UNPROTECTED', async () => {
  const { result } = await gateOnGitHub(
    githubRoutes({
      [`GET ${GH_BASE}/branches/main`]: recordingWith('branch-main', { protected: false }),
    }),
  );
  assertRefused(result, 'GATE_EXCEPTIONS_BRANCH_UNPROTECTED', 'exceptions');
  assert.equal(result.manifest.exceptions.protection, 'unprotected');
});

test('GitHub mode without approval checks records that the links were not checked', async () => {
  const { result, requests } = await gateOnGitHub(githubRoutes(), {
    github: { repository: GH_REPO, verifyApprovals: false, approverTeams: [] },
  });
  assert.equal(result.decision.verdict, 'pass', result.text);
  assert.equal(result.manifest.exceptions.approvals?.[0]?.checked, false);
  assert.equal(result.manifest.exceptions.note, 'approval links not checked');
  assert.ok(!requests.some((q) => q.path.includes('/pulls/')));
});

test('GitHub mode: an exceptions ref other than the default branch, or a file missing there, is bad input', async () => {
  await assert.rejects(
    gateOnGitHub(githubRoutes(), { exceptionsRef: 'origin/release' }),
    (e: unknown) => e instanceof VouchError && e.code === 'EXCEPTIONS_REF_NOT_DEFAULT',
  );
  const routes = githubRoutes();
  delete routes[`GET ${GH_BASE}/contents/.vouch/exceptions.yml?ref=${BASE_SHA}`];
  const evidenceDir = `evidence-gh-missing`;
  await assert.rejects(
    gateOnGitHub(routes, { evidenceDir }),
    (e: unknown) =>
      e instanceof VouchError &&
      e.code === 'GATE_INPUT_UNREADABLE' &&
      /\.vouch\/exceptions\.yml does not exist on acme\/widget-web@main/.test(e.message),
  );
  assert.equal(existsSync(join(ws, evidenceDir)), false);
  // origin/main names the default branch, and is accepted
  const { result } = await gateOnGitHub(githubRoutes(), { exceptionsRef: 'origin/main' });
  assert.equal(result.decision.verdict, 'pass', result.text);
});

// --- exceptions from the local repository's default branch ---

test('local mode: the branch given is read and recorded as a local ref whose protection is not confirmed', async () => {
  const result = await gate();
  assert.equal(result.decision.verdict, 'pass', result.text);
  const ex = result.manifest.exceptions;
  assert.equal(ex.source, 'git-ref');
  assert.equal(ex.protection, 'not-confirmed');
  assert.equal(ex.note, 'local ref, protection not confirmed');
  assert.equal(ex.branchFrom, 'explicit');
  assert.equal(ex.approvals, undefined);
  assert.match(
    readFileSync(join(result.evidenceDir, 'summary.md'), 'utf8'),
    /\.vouch\/exceptions\.yml at main \([0-9a-f]{12}\): local ref, protection not confirmed/,
  );
  assert.match(result.text, /Exceptions: .*local ref, protection not confirmed/);
});

test('local mode: refs/remotes/origin/HEAD names the default branch; another branch is bad input', async () => {
  run('git', ['update-ref', 'refs/remotes/origin/main', 'main']);
  run('git', ['symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main']);
  try {
    const result = await gate({ exceptionsRef: undefined });
    assert.equal(result.decision.verdict, 'pass', result.text);
    assert.equal(result.manifest.exceptions.ref, 'origin/main');
    assert.equal(result.manifest.exceptions.branchFrom, 'origin-head');
    assert.equal(result.manifest.exceptions.protection, 'not-confirmed');
    await assert.rejects(
      gate({ exceptionsRef: 'main' }),
      (e: unknown) => e instanceof VouchError && e.code === 'EXCEPTIONS_REF_NOT_DEFAULT',
    );
  } finally {
    run('git', ['symbolic-ref', '--delete', 'refs/remotes/origin/HEAD']);
    run('git', ['update-ref', '-d', 'refs/remotes/origin/main']);
  }
});

// --- bad input: a user error naming the path (exit 2), and nothing written ---

const CLI_BASE = [
  'gate',
  '--files',
  NPM,
  '--bundle-dir',
  'dist',
  '--bundle-dir',
  'attestations',
  '--key',
  'release.pub',
  '--builder-id',
  LOCAL_BUILDER,
  '--policy',
  '.vouch/policy.yml',
  '--exceptions',
  '.vouch/exceptions.yml',
  '--exceptions-ref',
  'main',
  '--advisories',
  'advisories',
  '--now',
  '2026-12-03T12:00:00Z',
];

/** CLI_BASE with `flag`'s value replaced (or the flag added). */
function withFlag(flag: string, value: string, base: readonly string[] = CLI_BASE): string[] {
  const args = [...base];
  const at = args.indexOf(flag);
  if (at >= 0 && !args.includes(flag, at + 1)) args[at + 1] = value;
  else args.push(flag, value);
  return args;
}

/** `base` without the pair `flag value`. */
function withoutFlag(flag: string, value: string, base: readonly string[]): string[] {
  const at = base.findIndex((a, i) => a === flag && base[i + 1] === value);
  return at < 0 ? [...base] : [...base.slice(0, at), ...base.slice(at + 2)];
}

for (const [name, args, code, named] of [
  [
    'a missing public key',
    withFlag('--key', 'missing.pub'),
    'GATE_INPUT_UNREADABLE',
    'missing.pub',
  ],
  [
    'a missing trusted root',
    withFlag('--trusted-root', 'missing-root.json'),
    'GATE_INPUT_UNREADABLE',
    'missing-root.json',
  ],
  [
    'a missing trusted-keys file',
    withFlag('--trusted-keys', 'missing-keys.json'),
    'GATE_INPUT_UNREADABLE',
    'missing-keys.json',
  ],
  [
    'a missing advisory directory',
    withFlag('--advisories', 'missing-osv'),
    'GATE_INPUT_UNREADABLE',
    'missing-osv',
  ],
  [
    'a missing bundle directory',
    [...CLI_BASE, '--bundle-dir', 'missing-bundles'],
    'GATE_INPUT_UNREADABLE',
    'missing-bundles',
  ],
  [
    'a missing policy file, with no SBOM attested',
    withoutFlag('--bundle-dir', 'attestations', withFlag('--policy', 'missing-policy.yml')),
    'GATE_INPUT_UNREADABLE',
    'missing-policy.yml',
  ],
  [
    'an exceptions file missing at the ref',
    withFlag('--exceptions', 'missing-exceptions.yml'),
    'GATE_INPUT_UNREADABLE',
    'missing-exceptions.yml',
  ],
  [
    'an exceptions ref that is a tag',
    withFlag('--exceptions-ref', 'v0-exceptions-tag'),
    'EXCEPTIONS_REF_NOT_DEFAULT',
    'v0-exceptions-tag',
  ],
  [
    'a missing manifest signing key',
    [...CLI_BASE, '--sign-manifest-key', 'missing.key'],
    'GATE_INPUT_UNREADABLE',
    'missing.key',
  ],
] as const) {
  test(`vouch gate: ${name} is bad input (exit 2), and no evidence is written`, () => {
    run('git', ['tag', '-f', 'v0-exceptions-tag', 'main']);
    const evidence = `evidence-bad-${name.replace(/\W+/g, '-')}`;
    const r = vouch([...args, '--evidence', evidence], { cwd: ws });
    assert.equal(r.status, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, new RegExp(`\\[${code}\\]`));
    assert.ok(r.stderr.includes(named), r.stderr);
    assert.equal(existsSync(join(ws, evidence)), false, `${evidence}/ was written`);
    assert.equal(
      existsSync(join(ws, `${evidence}.tar.gz`)),
      false,
      `${evidence}.tar.gz was written`,
    );
  });
}

test('vouch gate: a refusal stays a refusal (exit 1) with the evidence written', () => {
  const evidence = 'evidence-cli-refused';
  const r = vouch(
    [...withFlag('--builder-id', 'https://example.invalid/other-builder'), '--evidence', evidence],
    { cwd: ws },
  );
  assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /GATE_BUILDER_UNTRUSTED/);
  assert.ok(existsSync(join(ws, evidence, 'manifest.json')));
  assert.ok(existsSync(join(ws, `${evidence}.tar.gz`)));
});

test('vouch gate: --trusted-root github names the shipped GitHub instance root, not a file; the key-signed release still passes', () => {
  const evidence = 'evidence-cli-github-root';
  const r = vouch([...withFlag('--trusted-root', 'github'), '--evidence', evidence], { cwd: ws });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const manifest = readJson(join(ws, evidence, 'manifest.json')) as {
    inputs: Array<{ role: string }>;
  };
  assert.equal(
    manifest.inputs.some((i) => i.role === 'trusted-root'),
    false,
    'a shipped root is no input file of the workspace',
  );
});

test('vouch gate: --verify-approvals without the GitHub API is a usage error', () => {
  const r = vouch([...CLI_BASE, '--verify-approvals', '--approver-team', 'acme/release-managers'], {
    cwd: ws,
    env: { GITHUB_TOKEN: '', GH_TOKEN: '', GITHUB_REPOSITORY: '' },
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /USAGE_MISSING_ARGUMENT/);
});

test('GitHub mode: an exceptions file on the default branch that does not parse is a refusal that says where it was read: GATE_EXCEPTIONS_UNREADABLE', async () => {
  const { result } = await gateOnGitHub(
    githubRoutes({
      [`GET ${GH_BASE}/contents/.vouch/exceptions.yml?ref=${BASE_SHA}`]:
        'exceptions-head-malformed',
    }),
  );
  assertRefused(result, 'GATE_EXCEPTIONS_UNREADABLE', 'exceptions');
  const ex = readJson(join(result.evidenceDir, 'reports/exceptions.json'))['evidence'] as Record<
    string,
    unknown
  >;
  assert.equal(ex['source'], 'protected-branch');
  assert.equal(ex['repository'], GH_REPO);
  assert.equal(ex['ref'], 'main');
  assert.equal(ex['fromReleaseTree'], false);
  assert.match((ex['error'] as { code: string }).code, /^(EXCEPTIONS_INVALID|YAML_INVALID)$/);
});

// --- attestations from the GitHub attestations API (recorded responses served on loopback) ---

const API_REPO = 'acme/widget-web';
const fastRetry = { baseDelayMs: 1, maxDelayMs: 5, retries: 2 };
/** The body GitHub answered when the installation's rate limit ran out. */
const RATE_LIMITED = JSON.parse(
  readFileSync(
    join(import.meta.dirname, '../../fixtures/provenance/github-api/rate-limited.403.json'),
    'utf8',
  ),
) as unknown;

function sha256Of(path: string): string {
  return `sha256:${createHash('sha256')
    .update(readFileSync(join(ws, path)))
    .digest('hex')}`;
}

function bundleJson(path: string): unknown {
  return JSON.parse(readFileSync(join(ws, path), 'utf8'));
}

/** `GET /repos/{repo}/attestations/{digest}` as GitHub answers it: one entry per attestation. */
function attestationsAnswer(...paths: string[]): Recording {
  return {
    status: 200,
    headers: { 'x-ratelimit-remaining': '4999' },
    body: {
      attestations: paths.map((p) => ({ bundle: bundleJson(p), repository_id: 618431207 })),
    },
  };
}

/** The API holds the provenance (for both files) and each file's SBOM attestation. */
function attestationRoutes(overrides: Routes = {}): Routes {
  return {
    [`GET /repos/${API_REPO}/attestations/${sha256Of(NPM)}`]: attestationsAnswer(
      'attestations/provenance.sigstore.json',
      'attestations/npm.sbom.sigstore.json',
    ),
    [`GET /repos/${API_REPO}/attestations/${sha256Of(RUST)}`]: attestationsAnswer(
      'attestations/provenance.sigstore.json',
      'attestations/rust.sbom.sigstore.json',
    ),
    ...overrides,
  };
}

async function gateWithApi(
  routes: Routes,
  overrides: Partial<GateRequest> = {},
): Promise<{ result: GateResult; requests: SeenRequest[]; url: string }> {
  const server = await startGitHubServer(routes);
  try {
    const r = request({
      // only the signatures beside the files are local; the rest is in the API
      bundleDirs: ['dist'],
      sources: [parseGitHubSource(API_REPO)],
      ...overrides,
    });
    const result = await runGate(
      r,
      createGateDeps({
        logger: silentLogger,
        now: r.now,
        env: process.env,
        cwd: ws,
        fetch: { apiUrl: server.url, token: 'ghs_x', retry: fastRetry },
      }),
    );
    return { result, requests: server.requests, url: server.url };
  } finally {
    await server.close();
  }
}

test('attestations API: a release whose provenance and SBOM attestations come only from the API passes, and the evidence says where each came from', async () => {
  const { result, requests, url } = await gateWithApi(attestationRoutes());
  assert.equal(result.decision.verdict, 'pass', result.text);
  assert.deepEqual(
    requests.map((q) => q.path).sort(),
    [
      `/repos/${API_REPO}/attestations/${sha256Of(NPM)}`,
      `/repos/${API_REPO}/attestations/${sha256Of(RUST)}`,
    ].sort(),
  );
  assert.ok(requests.every((q) => q.authorization === 'Bearer ghs_x'));
  const npm = result.manifest.files.find((f) => f.name === NPM)!;
  const [signature, provenance, sbom] = npm.checks;
  assert.deepEqual(signature!.provenBy, [`bundles/${NPM}.sigstore.json`]);
  assert.match(
    provenance!.provenBy[0]!,
    /^bundles\/remote\/github\/acme_widget-web\/[0-9a-f]{16}\.sigstore\.json$/,
  );
  assert.match(sbom!.provenBy[0]!, /^bundles\/remote\/github\/acme_widget-web\//);
  // the provenance, answered for both digests, is one bundle
  const remoteInputs = result.manifest.inputs.filter((i) => i.origin);
  assert.equal(remoteInputs.length, 3, JSON.stringify(remoteInputs));
  for (const i of remoteInputs) {
    assert.equal(i.origin!.source, 'github');
    assert.equal(i.origin!.ref, API_REPO);
    assert.match(
      i.origin!.url,
      new RegExp(
        `^${url}/repos/${API_REPO}/attestations/sha256:[0-9a-f]{64}#attestations\\[[01]\\]$`,
      ),
    );
    assert.ok(existsSync(join(result.evidenceDir, 'bundles', i.path)), i.path);
  }
  const sources = readJson(join(result.evidenceDir, 'reports/sources.json'));
  assert.deepEqual(
    (sources['sources'] as { file: string; bundles: number; error?: unknown }[])
      .map((s) => [s.file, s.bundles, s.error])
      .sort(),
    [
      [NPM, 2, undefined],
      [RUST, 2, undefined],
    ].sort(),
  );
  const verification = readJson(join(result.evidenceDir, 'reports/verification.json'));
  const bundles = verification['bundles'] as { bundle: string; origin: { source: string } }[];
  assert.ok(bundles.some((b) => b.origin.source === 'file'));
  assert.ok(bundles.some((b) => b.origin.source === 'github'));
  assert.ok(result.manifest.evidence.some((e) => e.path === 'reports/sources.json'));
});

test('attestations API: none for a release file is a refusal naming the file, the piece and the source', async () => {
  const { result } = await gateWithApi(
    attestationRoutes({
      // GitHub answers 404 for a digest it holds no attestation of
      [`GET /repos/${API_REPO}/attestations/${sha256Of(RUST)}`]: {
        status: 404,
        body: {
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest',
          status: '404',
        },
      },
    }),
  );
  // the provenance answered for the npm file names both files; the Rust SBOM is nowhere
  assertRefused(result, 'GATE_SBOM_NOT_COVERING', 'sbom-attestation', RUST);
  const refusal = result.decision.refusals.find((r) => r.file === RUST)!;
  assert.match(refusal.message, /GitHub attestations of acme\/widget-web: none/);
  assert.equal(result.decision.refusals.length, 2, JSON.stringify(result.decision.refusals));
  assert.ok(result.decision.refusals.some((r) => r.file === RUST && r.check === 'policy'));
  assert.equal(result.manifest.files.find((f) => f.name === NPM)!.verdict, 'pass');
});

test('attestations API: a rate limit past the retries refuses every piece it could hold, even with the files at hand: GATE_ATTESTATION_SOURCE_FAILED', async () => {
  const limited: Recording = {
    status: 403,
    headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1893456000' },
    body: RATE_LIMITED,
  };
  const { result, requests } = await gateWithApi(
    {
      [`GET /repos/${API_REPO}/attestations/${sha256Of(NPM)}`]: limited,
      [`GET /repos/${API_REPO}/attestations/${sha256Of(RUST)}`]: limited,
    },
    // the local copies are there too: a source that cannot be read is still never a silent pass
    { bundleDirs: ['dist', 'attestations'] },
  );
  for (const file of [NPM, RUST]) {
    for (const piece of ['signature', 'provenance', 'sbom-attestation']) {
      assertRefused(result, 'GATE_ATTESTATION_SOURCE_FAILED', piece, file);
    }
  }
  const refusal = result.decision.refusals.find((r) => r.check === 'provenance')!;
  assert.match(refusal.message, /GitHub attestations of acme\/widget-web could not be read/);
  assert.match(refusal.message, /\[VERIFY_FETCH_RATE_LIMITED\]/);
  assert.match(refusal.message, /2030-01-01T00:00:00\.000Z/);
  // the first try and two retries, then the source is not asked again for the other file
  assert.equal(requests.length, 3);
  const sources = readJson(join(result.evidenceDir, 'reports/sources.json'))['sources'] as {
    file: string;
    error?: { code: string };
  }[];
  assert.deepEqual(
    sources.map((s) => s.error?.code),
    ['VERIFY_FETCH_RATE_LIMITED', 'VERIFY_FETCH_RATE_LIMITED'],
  );
});

test('gate action: from-github reads the attestations API with github-token', async () => {
  const server = await startGitHubServer(attestationRoutes());
  try {
    const inputs = readGateInputs(
      {
        ...reader({
          files: `${NPM}\n${RUST}`,
          'bundle-dirs': 'dist',
          'from-github': API_REPO,
          policy: '.vouch/policy.yml',
          exceptions: '.vouch/exceptions.yml',
          'exceptions-ref': 'main',
          advisories: 'advisories',
          'public-key': 'release.pub',
          'builder-ids': LOCAL_BUILDER,
          'evidence-dir': 'evidence-action-api',
        }),
        secret: (name) => (name === 'github-token' ? 'ghs_workflow' : ''),
      },
      { GITHUB_API_URL: server.url },
    );
    const deps = captureDeps(ws, { GITHUB_API_URL: server.url });
    await runGateAction(inputs, deps);
    assert.equal(deps.outputs.get('verdict'), 'pass');
    assert.equal(server.requests.length, 2);
    assert.ok(server.requests.every((q) => q.authorization === 'Bearer ghs_workflow'));
    const m = readJson(join(ws, 'evidence-action-api/manifest.json')) as {
      inputs: { origin?: { source: string } }[];
    };
    assert.ok(m.inputs.some((i) => i.origin?.source === 'github'));
  } finally {
    await server.close();
  }
});

test('vouch gate: a malformed --from-github is bad input (exit 2)', () => {
  const r = vouch([...CLI_BASE, '--from-github', 'not a repository'], { cwd: ws });
  assert.equal(r.status, 2, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /VERIFY_BUNDLE_SOURCE_INVALID/);
});

test(
  'OCI registry on loopback: provenance and SBOM attestations stored as referrers of the image count for the release files they name',
  { skip: !existsSync(REGISTRY_BINARY) && `${REGISTRY_BINARY} is not installed` },
  async () => {
    const registry = await startRegistry();
    try {
      const digest = await pushTestImage(registry.host, 'acme/widget-web', 'widget layer');
      const image = `${registry.host}/acme/widget-web@${digest}`;
      mkdirSync(join(ws, 'oci-out'), { recursive: true });
      cli([
        'provenance',
        '--key',
        'release.key',
        '--offline',
        '--store',
        `oci:${image}`,
        '--output',
        'oci-out/provenance.sigstore.json',
        NPM,
        image,
      ]);
      cli([
        'attest',
        '--key',
        'release.key',
        '--offline',
        '--predicate',
        'sbom/npm.cdx.json',
        '--predicate-type',
        'https://cyclonedx.org/bom',
        '--store',
        `oci:${image}`,
        '--output',
        'oci-out/npm.sbom.sigstore.json',
        NPM,
        image,
      ]);
      const { parseOciSource } = await import('../../../src/adapters/verify/fetch-bundles.ts');
      const r = request({ files: [NPM], bundleDirs: ['dist'], sources: [parseOciSource(image)] });
      const result = await runGate(
        r,
        createGateDeps({ logger: silentLogger, now: r.now, env: process.env, cwd: ws }),
      );
      assert.equal(result.decision.verdict, 'pass', result.text);
      const origins = result.manifest.inputs.filter((i) => i.origin).map((i) => i.origin!);
      assert.equal(origins.length, 2);
      for (const o of origins) {
        assert.equal(o.source, 'oci');
        assert.equal(o.ref, image);
        assert.match(o.url, new RegExp(`^${registry.host}/acme/widget-web@sha256:[0-9a-f]{64}$`));
      }
    } finally {
      await registry.stop();
    }
  },
);
