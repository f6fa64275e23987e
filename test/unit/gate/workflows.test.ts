import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../../helpers/cli.ts';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  permissions?: Record<string, string>;
  uses?: string;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const load = (name: string): Workflow =>
  parse(readFileSync(join(ROOT, '.github/workflows', name), 'utf8')) as Workflow;
const text = (name: string): string => readFileSync(join(ROOT, '.github/workflows', name), 'utf8');
const needs = (j: Job): string[] => (j.needs === undefined ? [] : [j.needs].flat());

test('release-integrity.yml is reusable and builds nothing: sbom → sign → provenance → SBOM attestation → gate → publish', () => {
  const wf = load('release-integrity.yml');
  assert.ok('workflow_call' in wf.on);
  assert.deepEqual(wf.permissions, {});
  const inputs = (wf.on['workflow_call'] as { inputs: Record<string, unknown> }).inputs;
  for (const name of ['artifact-name', 'files', 'policy', 'exceptions', 'advisories'])
    assert.ok(name in inputs, name);
  assert.deepEqual(Object.keys(wf.jobs), [
    'sbom',
    'sign',
    'provenance',
    'sbom-attestation',
    'gate',
    'publish',
  ]);
  assert.deepEqual(needs(wf.jobs['sign']!), ['sbom']);
  assert.deepEqual(needs(wf.jobs['provenance']!), ['sbom']);
  assert.deepEqual(needs(wf.jobs['sbom-attestation']!), ['sbom']);
  assert.deepEqual(needs(wf.jobs['gate']!).sort(), ['provenance', 'sbom-attestation', 'sign']);
  assert.deepEqual(needs(wf.jobs['publish']!), ['gate']);
  const runs = Object.values(wf.jobs).flatMap((j) => (j.steps ?? []).map((s) => s.run ?? ''));
  assert.ok(
    !runs.some((r) => /npm (ci|install|run build)|make |cargo build/.test(r)),
    'builds nothing',
  );
});

test('each job has least privilege: id-token/attestations only where signing happens, contents: write only to publish', () => {
  const wf = load('release-integrity.yml');
  for (const [name, job] of Object.entries(wf.jobs)) {
    assert.ok(job.permissions, `${name} declares its permissions`);
    const signs = ['sign', 'provenance', 'sbom-attestation'].includes(name);
    assert.equal(job.permissions['id-token'] === 'write', signs, `${name}: id-token`);
    if (job.permissions['attestations'] === 'write') assert.ok(signs, `${name}: attestations`);
    if (job.permissions['attestations'] === 'read')
      assert.equal(name, 'gate', `${name}: attestations`);
    assert.equal(
      job.permissions['contents'],
      name === 'publish' ? 'write' : 'read',
      `${name}: contents`,
    );
  }
});

test('every third-party action in the workflows is pinned by a full commit SHA with a version comment', () => {
  for (const file of readdirSync(join(ROOT, '.github/workflows'))) {
    for (const line of text(file).split('\n')) {
      const m = /uses:\s*([^\s#]+)(.*)$/.exec(line);
      if (!m || m[1]!.startsWith('./') || m[1]!.startsWith('OWNER/vouch/')) continue;
      assert.match(m[1]!, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, `${file}: ${line.trim()}`);
      assert.match(m[2]!, /#\s*v\d/, `${file}: version comment on ${line.trim()}`);
    }
  }
});

test('release.yml releases vouch itself with the reusable workflow', () => {
  const wf = load('release.yml');
  const release = Object.values(wf.jobs).find(
    (j) => j.uses === './.github/workflows/release-integrity.yml',
  );
  assert.ok(release, 'a job calls release-integrity.yml');
  assert.match(text('release.yml'), /npm pack/);
});

test('ci.yml runs every action from this checkout', () => {
  const ci = text('ci.yml');
  for (const action of readdirSync(join(ROOT, 'actions'))) {
    assert.match(ci, new RegExp(`uses: \\./actions/${action}\\n`), action);
  }
});

test('the gate reads the attestations the jobs stored to the GitHub attestations API, and keeps the files too', () => {
  const wf = load('release-integrity.yml');
  const store = (job: string): string =>
    (wf.jobs[job]!.steps ?? []).find((s) => /actions\/(provenance|attest)@/.test(s.uses ?? ''))!
      .with!['store']!;
  for (const job of ['provenance', 'sbom-attestation']) assert.match(store(job), /^github$/m, job);
  const gate = wf.jobs['gate']!;
  assert.deepEqual(gate.permissions, { contents: 'read', attestations: 'read' });
  const step = (gate.steps ?? []).find((s) => /actions\/gate@/.test(s.uses ?? ''))!;
  assert.equal(step.with!['from-github'], '${{ github.repository }}');
  // the workflow token, unless approver-teams asks for the approvals token
  assert.match(step.with!['github-token']!, /\|\| github\.token \}\}$/);
  assert.equal(step.with!['bundle-dirs'], 'bundles');
  for (const [name, job] of Object.entries(wf.jobs)) {
    if (name !== 'gate') assert.notEqual(job.permissions?.['attestations'], 'read', name);
  }
});

/** The `uses:` lines of the fenced YAML blocks of a Markdown file that name a third-party action
 * not pinned by a full commit SHA with a version comment. */
function unpinnedUses(markdown: string): string[] {
  const bad: string[] = [];
  let yaml = false;
  for (const line of markdown.split('\n')) {
    const fence = /^\s*```(\w*)/.exec(line);
    if (fence) {
      yaml = !yaml && /^ya?ml$/.test(fence[1]!);
      continue;
    }
    const m = yaml ? /^\s*(?:-\s+)?uses:\s*([^\s#]+)(.*)$/.exec(line) : null;
    if (!m || m[1]!.startsWith('./') || m[1]!.startsWith('OWNER/vouch/')) continue;
    if (!/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(m[1]!) || !/#\s*v\d/.test(m[2]!))
      bad.push(line.trim());
  }
  return bad;
}

const docs = (): string[] => [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

test('every third-party action in a docs workflow snippet is pinned by a full commit SHA with a version comment', () => {
  assert.deepEqual(
    unpinnedUses(
      '```yaml\n- uses: actions/checkout@v5\n- uses: OWNER/vouch/actions/sign@v1\n```\n',
    ),
    ['- uses: actions/checkout@v5'],
    'the check sees a tag pin',
  );
  for (const doc of docs()) {
    assert.deepEqual(unpinnedUses(readFileSync(join(ROOT, doc), 'utf8')), [], doc);
  }
});

test('docs workflow snippets never run `npx vouch`: vouch is not on npm, the CLI comes from a pinned checkout', () => {
  for (const doc of docs()) {
    const blocks = readFileSync(join(ROOT, doc), 'utf8').match(/```ya?ml\n[\s\S]*?```/g) ?? [];
    for (const block of blocks) assert.doesNotMatch(block, /npx vouch/, doc);
  }
  const expiry = /```yaml\n# \.github\/workflows\/exceptions-expiry\.yml[\s\S]*?```/.exec(
    readFileSync(join(ROOT, 'docs/exceptions.md'), 'utf8'),
  )![0];
  assert.match(expiry, /repository: OWNER\/vouch\n\s+ref: /);
  assert.match(expiry, /node vouch\/bin\/vouch\.js exceptions list/);
});

const SIGNING_ACTION = /^(\.\/|OWNER\/vouch\/)actions\/(sign|provenance|attest)(@|$)/;
const GATE_ACTION = /^(\.\/|OWNER\/vouch\/)actions\/gate(@|$)/;

/** Whether a job signs keyless: what id-token: write is for. */
function signsKeyless(job: Job): boolean {
  if (job.uses?.startsWith('./.github/workflows/')) {
    const called = load(basename(job.uses));
    return Object.values(called.jobs).some(signsKeyless);
  }
  return (job.steps ?? []).some(
    (s) =>
      (SIGNING_ACTION.test(s.uses ?? '') && s.with?.['key'] === 'keyless') ||
      (GATE_ACTION.test(s.uses ?? '') && s.with?.['sign-manifest-key'] === 'keyless'),
  );
}

test('every job with id-token: write signs keyless', () => {
  assert.equal(
    signsKeyless({
      permissions: { 'id-token': 'write' },
      steps: [{ uses: 'OWNER/vouch/actions/gate@v1', with: { files: 'dist/*' } }],
    }),
    false,
    'the check sees a job that only gates',
  );
  for (const file of readdirSync(join(ROOT, '.github/workflows'))) {
    for (const [name, job] of Object.entries(load(file).jobs)) {
      if (job.permissions?.['id-token'] === 'write')
        assert.ok(signsKeyless(job), `${file}: ${name} has id-token: write but signs nothing`);
    }
  }
});

test('with approver-teams the gate confirms approvals with the approvals token; without, it does not', () => {
  const wf = load('release-integrity.yml');
  const call = wf.on['workflow_call'] as {
    inputs: Record<string, { required?: boolean; default?: string }>;
    secrets: Record<string, { required?: boolean }>;
  };
  assert.equal(call.inputs['approver-teams']!.required ?? false, false);
  assert.equal(call.inputs['approver-teams']!.default, '');
  assert.equal(call.secrets['approvals-token']!.required, false);
  const gate = wf.jobs['gate']!;
  const step = (gate.steps ?? []).find((s) => GATE_ACTION.test(s.uses ?? ''))!;
  assert.equal(step.with!['verify-approvals'], "${{ inputs.approver-teams != '' }}");
  assert.equal(step.with!['approver-teams'], '${{ inputs.approver-teams }}');
  assert.equal(
    step.with!['github-token'],
    "${{ inputs.approver-teams != '' && secrets.approvals-token || github.token }}",
  );
  const guard = gate.steps!.indexOf(
    gate.steps!.find((s) => /approvals-token/.test(JSON.stringify(s)) && s.run)!,
  );
  assert.ok(
    guard >= 0 && guard < gate.steps!.indexOf(step),
    'a missing token fails before the gate',
  );
});

/** Runs the publish job's upload step in `dir` with a `gh` that records its arguments. */
function runUpload(
  dir: string,
  files: string,
): { status: number | null; stderr: string; gh: string[][] } {
  const wf = load('release-integrity.yml');
  const steps = wf.jobs['publish']!.steps ?? [];
  const download = steps.find((s) => /-\{signatures,/.test(s.with?.['pattern'] ?? ''))!;
  // one directory per artifact, which the script relies on
  assert.equal(download.with!['path'], 'publish');
  assert.equal(download.with!['merge-multiple'], undefined);
  const script = steps.find((s) => /gh release upload/.test(s.run ?? ''))!.run!;
  const bin = join(dir, '.bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'gh'),
    '#!/usr/bin/env bash\nfor a in "$@"; do printf "%s\\t" "$a"; done >> "$GH_LOG"; echo >> "$GH_LOG"\n',
  );
  chmodSync(join(bin, 'gh'), 0o755);
  const log = join(dir, '.gh.log');
  writeFileSync(log, '');
  const run = spawnSync('bash', ['-e', '-c', script], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      PATH: `${bin}:${process.env['PATH']}`,
      GH_LOG: log,
      TAG: 'v1.4.0',
      FILES: files,
      ARTIFACT: 'dist',
    },
  });
  const gh = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/\t$/, '').split('\t'));
  return { status: run.status, stderr: run.stdout + run.stderr, gh };
}

function publishLayout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-publish-'));
  const put = (rel: string): void => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), rel);
  };
  // as the publish job's download steps lay the artifacts out
  put('dist/widget-web-1.4.0.tgz');
  put('dist/rust-tunnel-0.1.0.tar.gz');
  put('publish/dist-signatures/widget-web-1.4.0.tgz.sigstore.json');
  put('publish/dist-signatures/rust-tunnel-0.1.0.tar.gz.sigstore.json');
  put('publish/dist-provenance/provenance.sigstore.json');
  put('publish/dist-sbom-attestation/sbom.sigstore.json');
  put('publish/dist-sbom/widget-web.cdx.json');
  put('publish/dist-sbom/widget-web.spdx.json');
  put('publish/dist-evidence/evidence.tar.gz');
  put('publish/dist-evidence/evidence/manifest.json');
  put('publish/dist-evidence/evidence/bundles/bundles/widget-web-1.4.0.tgz.sigstore.json');
  put('publish/dist-evidence/evidence/bundles/remote/widget-web-1.4.0.tgz.sigstore.json');
  put('publish/dist-evidence/evidence/bundles/attestations/provenance.sigstore.json');
  return dir;
}

test('the publish job uploads the release files, bundles, SBOMs and evidence.tar.gz, never the unpacked evidence tree', () => {
  const dir = publishLayout();
  const { status, stderr, gh } = runUpload(dir, 'dist/*.tgz\ndist/*.tar.gz\n');
  assert.equal(status, 0, stderr);
  const upload = gh.find((a) => a[0] === 'release' && a[1] === 'upload')!;
  assert.ok(upload, 'gh release upload ran');
  const assets = upload.slice(upload.indexOf('--') + 1);
  assert.deepEqual(assets.map((a) => basename(a)).sort(), [
    'evidence.tar.gz',
    'provenance.sigstore.json',
    'rust-tunnel-0.1.0.tar.gz',
    'rust-tunnel-0.1.0.tar.gz.sigstore.json',
    'sbom.sigstore.json',
    'widget-web-1.4.0.tgz',
    'widget-web-1.4.0.tgz.sigstore.json',
    'widget-web.cdx.json',
    'widget-web.spdx.json',
  ]);
  assert.ok(!assets.some((a) => a.includes('/evidence/')), assets.join(' '));
});

test('the publish job refuses to upload two assets of the same name', () => {
  const dir = publishLayout();
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'other/widget-web-1.4.0.tgz'), 'another build');
  const { status, stderr, gh } = runUpload(dir, 'dist/*.tgz\nother/*.tgz\n');
  assert.notEqual(status, 0);
  assert.match(stderr, /same name: widget-web-1\.4\.0\.tgz/);
  assert.ok(!gh.some((a) => a[1] === 'upload'), 'nothing was uploaded');
});
