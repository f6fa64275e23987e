import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../../helpers/cli.ts';

interface Job {
  needs?: string | string[];
  permissions?: Record<string, string>;
  uses?: string;
  steps?: { id?: string; uses?: string; run?: string; with?: Record<string, string> }[];
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
  assert.equal(step.with!['github-token'], '${{ github.token }}');
  assert.equal(step.with!['bundle-dirs'], 'bundles');
  for (const [name, job] of Object.entries(wf.jobs)) {
    if (name !== 'gate') assert.notEqual(job.permissions?.['attestations'], 'read', name);
  }
});
