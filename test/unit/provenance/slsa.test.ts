import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  GitHubBuildContext,
  LocalBuildContext,
} from '../../../src/core/provenance/build-context.ts';
import {
  buildGitHubProvenance,
  buildLocalProvenance,
  GITHUB_WORKFLOW_BUILD_TYPE,
  LOCAL_BUILD_TYPE,
  splitWorkflowRef,
} from '../../../src/core/provenance/slsa.ts';
import { ROOT } from '../../helpers/cli.ts';

const FIXTURES = join(ROOT, 'test/fixtures/provenance');

/** The statement GitHub's own attest-build-provenance wrote (a real bundle). */
function githubStatement(): { predicate: unknown; predicateType: string } {
  const bundle = JSON.parse(
    readFileSync(join(FIXTURES, 'github-attest-build-provenance.sigstore.json'), 'utf8'),
  ) as {
    dsseEnvelope: { payload: string };
  };
  return JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as {
    predicate: unknown;
    predicateType: string;
  };
}

const RUN: GitHubBuildContext = {
  kind: 'github',
  serverUrl: 'https://github.com',
  repository: 'loosebazooka/aa-test',
  repositoryId: '891715444',
  repositoryOwnerId: '1304826',
  eventName: 'workflow_dispatch',
  ref: 'refs/heads/main',
  sha: 'a9cd7bf0bbfd5732800b8196ce893ae9915b1e87',
  workflowRef: 'loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main',
  jobWorkflowRef: 'loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main',
  runId: '12359684360',
  runAttempt: '1',
  runnerEnvironment: 'github-hosted',
};

test('GitHub provenance equals what actions/attest-build-provenance wrote, field for field and in order', () => {
  const real = githubStatement();
  assert.equal(real.predicateType, 'https://slsa.dev/provenance/v1');
  const ours = buildGitHubProvenance(RUN);
  assert.equal(JSON.stringify(ours), JSON.stringify(real.predicate));
});

test('a reusable workflow is the builder (job_workflow_ref), the caller stays the workflow', () => {
  const ctx = {
    ...RUN,
    jobWorkflowRef: 'acme/release-kit/.github/workflows/build.yml@refs/tags/v2.0.0',
  };
  const p = buildGitHubProvenance(ctx);
  assert.equal(
    p.runDetails.builder.id,
    'https://github.com/acme/release-kit/.github/workflows/build.yml@refs/tags/v2.0.0',
  );
  assert.deepEqual(p.buildDefinition.externalParameters.workflow, {
    ref: 'refs/heads/main',
    repository: 'https://github.com/loosebazooka/aa-test',
    path: '.github/workflows/provenance.yaml',
  });
  const snapshot = JSON.parse(
    readFileSync(join(FIXTURES, 'github-reusable.provenance.json'), 'utf8'),
  ) as unknown;
  assert.deepEqual(
    p,
    snapshot,
    'pinned by test/fixtures/provenance/github-reusable.provenance.json',
  );
});

test('a tag containing @ (monorepo release) stays whole in the workflow ref', () => {
  assert.deepEqual(
    splitWorkflowRef('o/r/.github/workflows/rel.yml@refs/tags/@scope/pkg@1.0.0', 'o/r'),
    {
      path: '.github/workflows/rel.yml',
      ref: 'refs/tags/@scope/pkg@1.0.0',
    },
  );
  assert.throws(() => splitWorkflowRef('o/r/.github/workflows/rel.yml', 'o/r'), {
    code: 'BUILD_CONTEXT_INVALID',
  });
});

test('GitHub Enterprise Server URLs are used as given (no trailing slash)', () => {
  const p = buildGitHubProvenance({ ...RUN, serverUrl: 'https://ghe.example.com/' });
  assert.equal(
    p.runDetails.metadata.invocationId,
    'https://ghe.example.com/loosebazooka/aa-test/actions/runs/12359684360/attempts/1',
  );
  assert.equal(
    p.buildDefinition.resolvedDependencies[0]!.uri,
    'git+https://ghe.example.com/loosebazooka/aa-test@refs/heads/main',
  );
});

test('an incomplete GitHub context is refused and names what is missing', () => {
  assert.throws(
    () => buildGitHubProvenance({ ...RUN, runAttempt: '', repositoryId: '' }),
    (e: Error & { code: string }) => {
      assert.equal(e.code, 'BUILD_CONTEXT_INVALID');
      assert.match(e.message, /GITHUB_REPOSITORY_ID, GITHUB_RUN_ATTEMPT/);
      return true;
    },
  );
});

const LOCAL: LocalBuildContext = {
  kind: 'local',
  repository: 'https://github.com/acme/app.git',
  worktree: '/home/dev/app',
  commit: 'c'.repeat(40),
  ref: 'refs/heads/feature',
  dirty: true,
  startedOn: '2026-12-03T20:00:00Z',
};

test('a local build is marked local and never dressed up as GitHub', () => {
  const p = buildLocalProvenance(LOCAL);
  assert.equal(p.buildDefinition.buildType, LOCAL_BUILD_TYPE);
  assert.notEqual(p.buildDefinition.buildType, GITHUB_WORKFLOW_BUILD_TYPE);
  assert.doesNotMatch(JSON.stringify(p), /actions\.github\.io|\/actions\/runs\//);
  assert.equal(p.buildDefinition.internalParameters.local.dirty, true);
  assert.deepEqual(p.buildDefinition.resolvedDependencies, [
    {
      uri: 'git+https://github.com/acme/app.git@refs/heads/feature',
      digest: { gitCommit: 'c'.repeat(40) },
    },
  ]);
  assert.equal(p.runDetails.metadata.startedOn, '2026-12-03T20:00:00Z');
});

test('a local repository with no commit yet has no resolved dependency; a detached HEAD has no ref', () => {
  const none = buildLocalProvenance({
    kind: 'local',
    worktree: '/w',
    dirty: true,
    startedOn: '2026-01-01T00:00:00Z',
  });
  assert.deepEqual(none.buildDefinition.resolvedDependencies, []);
  assert.deepEqual(none.buildDefinition.externalParameters.source, { repository: null, ref: null });
  const detached = buildLocalProvenance({ ...LOCAL, ref: undefined, dirty: false });
  assert.equal(
    detached.buildDefinition.resolvedDependencies[0]!.uri,
    'git+https://github.com/acme/app.git',
  );
});
