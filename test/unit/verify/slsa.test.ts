import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bareRefKind, checkSlsaProvenance, refMatches } from '../../../src/core/verify/slsa.ts';
import { VouchError } from '../../../src/errors.ts';
import { githubProvenance } from '../../helpers/verify-bundles.ts';

const BUILDER = 'https://github.com/octo/app/.github/workflows/release.yml@refs/tags/v1.2.3';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof VouchError, String(error));
    return error.code;
  }
  return 'passed';
}

test('builder allow-list is exact: another builder, version or a branch reference is refused (THREATS 22)', () => {
  assert.equal(
    code(() => checkSlsaProvenance(githubProvenance(), { builderIds: [BUILDER] })),
    'passed',
  );
  assert.equal(
    code(() =>
      checkSlsaProvenance(
        githubProvenance({
          builderId: 'https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1.2.3',
        }),
        { builderIds: [BUILDER] },
      ),
    ),
    'VERIFY_BUILDER_UNTRUSTED',
  );
  assert.equal(
    code(() =>
      checkSlsaProvenance(githubProvenance({ builderId: BUILDER.replace('v1.2.3', 'v1.2.4') }), {
        builderIds: [BUILDER],
      }),
    ),
    'VERIFY_BUILDER_UNTRUSTED',
  );
  assert.equal(
    code(() =>
      checkSlsaProvenance(
        githubProvenance({ builderId: BUILDER.replace('refs/tags/v1.2.3', 'refs/heads/main') }),
        { builderIds: [BUILDER] },
      ),
    ),
    'VERIFY_BUILDER_UNTRUSTED',
  );
});

test('source repository exact, look-alikes refused (THREATS 23)', () => {
  assert.equal(
    code(() => checkSlsaProvenance(githubProvenance(), { sourceRepository: 'octo/app' })),
    'passed',
  );
  assert.equal(
    code(() =>
      checkSlsaProvenance(githubProvenance(), { sourceRepository: 'https://github.com/octo/app' }),
    ),
    'passed',
  );
  for (const r of [
    'https://github.com/octo/app-evil',
    'https://github.com/octo/ap',
    'https://github.com/octo-evil/app',
    'https://github.com/octo/app.',
    'https://github.com/Octo/app',
  ]) {
    assert.equal(
      code(() =>
        checkSlsaProvenance(githubProvenance({ repository: r }), { sourceRepository: 'octo/app' }),
      ),
      'VERIFY_SOURCE_MISMATCH',
      r,
    );
  }
});

test('ref: branch, tag, case-sensitive, semver ranges on tags only, manual runs with no tag (THREATS 24)', () => {
  assert.equal(refMatches('main', 'refs/heads/main'), true);
  assert.equal(refMatches('Main', 'refs/heads/main'), false);
  assert.equal(refMatches('refs/tags/v1.2.3', 'refs/tags/v1.2.3'), true);
  assert.equal(refMatches('v1.2.3', 'refs/tags/v1.2.3'), true);
  assert.equal(refMatches('^1.2.0', 'refs/tags/v1.2.3'), true);
  assert.equal(refMatches('^1.3.0', 'refs/tags/v1.2.3'), false);
  assert.equal(refMatches('^1.2.0', 'refs/heads/1.2.3'), false);
  // A bare name means one kind of ref: a version or range a tag, anything else a branch.
  assert.equal(bareRefKind('v1.2.3'), 'tag');
  assert.equal(bareRefKind('main'), 'branch');
  assert.equal(refMatches('v1.2.3', 'refs/heads/v1.2.3'), false, 'a branch pushed as v1.2.3');
  assert.equal(refMatches('1.2.3', 'refs/heads/1.2.3'), false);
  assert.equal(refMatches('2.0.0-rc.1', 'refs/tags/v2.0.0-rc.1'), true);
  assert.equal(refMatches('1.x', 'refs/tags/v1.4.0'), true);
  assert.equal(refMatches('1.x', 'refs/heads/1.x'), false, 'refs/heads/1.x names that branch');
  assert.equal(refMatches('refs/heads/1.x', 'refs/heads/1.x'), true);
  assert.equal(refMatches('main', 'refs/tags/main'), false, 'a tag pushed as main');
  assert.equal(refMatches('release-2024', 'refs/heads/release-2024'), true);
  assert.equal(refMatches('release-2024', 'refs/tags/release-2024'), false);
  assert.equal(refMatches('refs/tags/release-2024', 'refs/tags/release-2024'), true);
  assert.equal(refMatches('1-stable', 'refs/heads/1-stable'), true);
  assert.equal(
    code(() =>
      checkSlsaProvenance(githubProvenance({ ref: 'refs/heads/v1.2.3' }), {
        sourceRef: 'v1.2.3',
      }),
    ),
    'VERIFY_REF_MISMATCH',
  );
  assert.equal(
    code(() =>
      checkSlsaProvenance(
        githubProvenance({ ref: 'refs/heads/main', event: 'workflow_dispatch' }),
        { sourceRef: '>=1.0.0' },
      ),
    ),
    'VERIFY_REF_MISMATCH',
  );
  assert.equal(
    code(() =>
      checkSlsaProvenance(githubProvenance({ ref: 'refs/tags/V1.2.3' }), {
        sourceRef: 'refs/tags/v1.2.3',
      }),
    ),
    'VERIFY_REF_MISMATCH',
  );
  assert.equal(
    code(() => checkSlsaProvenance(githubProvenance(), { sourceRef: '>=1.0.0 <2' })),
    'passed',
  );
});

test('workflow path and inputs (THREATS 25)', () => {
  assert.equal(
    code(() =>
      checkSlsaProvenance(githubProvenance(), { workflow: '.github/workflows/release.yml' }),
    ),
    'passed',
  );
  assert.equal(
    code(() =>
      checkSlsaProvenance(githubProvenance({ path: '.github/workflows/evil.yml' }), {
        workflow: '.github/workflows/release.yml',
      }),
    ),
    'VERIFY_WORKFLOW_MISMATCH',
  );
  const withInputs = githubProvenance() as {
    buildDefinition: { externalParameters: Record<string, unknown> };
  };
  withInputs.buildDefinition.externalParameters['inputs'] = { env: 'staging' };
  assert.equal(
    code(() => checkSlsaProvenance(withInputs, { workflowInputs: { env: 'production' } })),
    'VERIFY_WORKFLOW_MISMATCH',
  );
  assert.equal(
    code(() => checkSlsaProvenance(withInputs, { workflowInputs: { env: 'staging' } })),
    'passed',
  );
});

test('claims the certificate cannot back are refused (THREATS 27)', () => {
  const cert = {
    runInvocationUri: 'https://github.com/octo/app/actions/runs/42/attempts/1',
    sourceRepositoryUri: 'https://github.com/octo/app',
    sourceRepositoryRef: 'refs/tags/v1.2.3',
    sourceRepositoryDigest: 'b'.repeat(40),
    buildTrigger: 'push',
  };
  assert.equal(
    code(() => checkSlsaProvenance(githubProvenance(), {}, cert)),
    'passed',
  );
  assert.equal(
    code(() =>
      checkSlsaProvenance(
        githubProvenance({
          invocationId: 'https://github.com/octo/app/actions/runs/43/attempts/1',
        }),
        {},
        cert,
      ),
    ),
    'VERIFY_CLAIM_MISMATCH',
  );
  assert.equal(
    code(() => checkSlsaProvenance(githubProvenance({ commit: 'e'.repeat(40) }), {}, cert)),
    'VERIFY_CLAIM_MISMATCH',
  );
  assert.equal(
    code(() => checkSlsaProvenance(githubProvenance({ ref: 'refs/tags/v9.9.9' }), {}, cert)),
    'VERIFY_CLAIM_MISMATCH',
  );
});

test('a predicate without builder or build type is invalid', () => {
  assert.equal(
    code(() => checkSlsaProvenance({ buildDefinition: {} }, {})),
    'VERIFY_PREDICATE_INVALID',
  );
  assert.equal(
    code(() => checkSlsaProvenance('x', {})),
    'VERIFY_PREDICATE_INVALID',
  );
});
