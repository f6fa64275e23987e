import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeJwtClaims,
  fetchIdTokenClaims,
  readBuildContext,
  readGitHubContext,
  redactRemoteUrl,
} from '../../../src/adapters/build-context/read-build-context.ts';
import type { Logger } from '../../../src/core/logger.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import {
  buildGitHubProvenance,
  buildLocalProvenance,
  LOCAL_BUILD_TYPE,
} from '../../../src/core/provenance/slsa.ts';
import { ROOT } from '../../helpers/cli.ts';

const FIXTURES = join(ROOT, 'test/fixtures/provenance');
const ENV = JSON.parse(readFileSync(join(FIXTURES, 'github-env.json'), 'utf8')) as Record<
  string,
  string
>;
const JOB_WORKFLOW_REF = 'loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main';

function realPredicate(): unknown {
  const bundle = JSON.parse(
    readFileSync(join(FIXTURES, 'github-attest-build-provenance.sigstore.json'), 'utf8'),
  ) as {
    dsseEnvelope: { payload: string };
  };
  return (
    JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString()) as {
      predicate: unknown;
    }
  ).predicate;
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warnings, warn: (m: string) => void warnings.push(m) };
}

test('the recorded GitHub environment gives the provenance GitHub wrote for that run (snapshot)', async () => {
  const ctx = await readBuildContext({
    env: ENV,
    cwd: ROOT,
    claims: { job_workflow_ref: JOB_WORKFLOW_REF },
  });
  assert.equal(ctx.kind, 'github');
  assert.equal(
    JSON.stringify(buildGitHubProvenance(ctx as never)),
    JSON.stringify(realPredicate()),
  );
});

test('the builder comes from the OIDC token when the job may request one', async () => {
  const reusable = 'acme/release-kit/.github/workflows/build.yml@refs/tags/v2.0.0';
  const token = `e30.${Buffer.from(JSON.stringify({ job_workflow_ref: reusable })).toString('base64url')}.sig`;
  const server = createServer((req, res) => {
    const ok =
      req.headers.authorization === 'Bearer runtime-token' &&
      (req.url ?? '').includes('audience=sigstore');
    res
      .writeHead(ok ? 200 : 403, { 'content-type': 'application/json' })
      .end(ok ? JSON.stringify({ value: token }) : '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const env = {
      ...ENV,
      ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runtime-token',
    };
    const ctx = await readBuildContext({ env, cwd: ROOT });
    const p = buildGitHubProvenance(ctx as never);
    assert.equal(p.runDetails.builder.id, `https://github.com/${reusable}`);
    const snapshot = JSON.parse(
      readFileSync(join(FIXTURES, 'github-reusable.provenance.json'), 'utf8'),
    ) as unknown;
    assert.deepEqual(p, snapshot);
    assert.equal(
      await fetchIdTokenClaims({ ...env, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong' }),
      undefined,
    );
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('without an OIDC token the workflow ref is the builder, and a warning says what that means', () => {
  const logger = recordingLogger();
  const ctx = readGitHubContext(ENV, undefined, logger);
  assert.equal(ctx.jobWorkflowRef, ENV['GITHUB_WORKFLOW_REF']);
  assert.match(logger.warnings.join('\n'), /id-token: write/);
});

test('missing GitHub variables are named in a BUILD_CONTEXT_INVALID error', () => {
  const env = { ...ENV };
  delete env['GITHUB_RUN_ATTEMPT'];
  delete env['RUNNER_ENVIRONMENT'];
  assert.throws(
    () => readGitHubContext(env, { job_workflow_ref: JOB_WORKFLOW_REF }),
    (e: Error & { code: string }) => {
      assert.equal(e.code, 'BUILD_CONTEXT_INVALID');
      assert.match(e.message, /GITHUB_RUN_ATTEMPT, RUNNER_ENVIRONMENT/);
      return true;
    },
  );
  // A runner without RUNNER_ENVIRONMENT: the token's claim fills it in.
  const fromClaims = readGitHubContext(env, {
    job_workflow_ref: JOB_WORKFLOW_REF,
    run_attempt: '2',
    runner_environment: 'self-hosted',
  });
  assert.equal(fromClaims.runAttempt, '2');
  assert.equal(fromClaims.runnerEnvironment, 'self-hosted');
  assert.throws(() => readGitHubContext({ ...ENV, GITHUB_SHA: 'main' }, undefined), {
    code: 'BUILD_CONTEXT_INVALID',
  });
});

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@e',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@e',
    },
  }).trim();
}

test('outside GitHub: the local git context with commit, ref and dirty flag, marked local', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-local-'));
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'app.js'), 'console.log(1)\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'first');
  git(
    dir,
    'remote',
    'add',
    'origin',
    'https://x-access-token:ghs_SECRET123@github.com/acme/app.git',
  );
  const commit = git(dir, 'rev-parse', 'HEAD');
  const now = () => new Date('2026-12-03T20:00:00.750Z');

  const clean = await readBuildContext({ env: {}, cwd: dir, now });
  assert.equal(clean.kind, 'local');
  if (clean.kind !== 'local') return;
  assert.equal(clean.commit, commit);
  assert.equal(clean.ref, 'refs/heads/main');
  assert.equal(clean.dirty, false);
  assert.equal(clean.startedOn, '2026-12-03T20:00:00Z', 'whole seconds');
  assert.equal(
    clean.repository,
    'https://github.com/acme/app.git',
    'credentials in the remote never land in provenance',
  );
  const predicate = buildLocalProvenance(clean);
  assert.equal(predicate.buildDefinition.buildType, LOCAL_BUILD_TYPE);
  assert.doesNotMatch(JSON.stringify(predicate), /ghs_SECRET123/);

  writeFileSync(join(dir, 'app.js'), 'console.log(2)\n');
  const dirty = await readBuildContext({ env: {}, cwd: dir, now });
  assert.equal(dirty.kind === 'local' && dirty.dirty, true);

  // GITHUB_ACTIONS unset means local even when other GITHUB_* variables leak in.
  const leaked = await readBuildContext({ env: { GITHUB_REPOSITORY: 'acme/app' }, cwd: dir, now });
  assert.equal(leaked.kind, 'local');
});

test('a directory that is not a git working tree is a BUILD_CONTEXT_INVALID error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-nogit-'));
  await assert.rejects(readBuildContext({ env: { GIT_CEILING_DIRECTORIES: tmpdir() }, cwd: dir }), {
    code: 'BUILD_CONTEXT_INVALID',
  });
});

test('remote URLs lose their credentials; JWT claims decode', () => {
  assert.equal(
    redactRemoteUrl('https://user:pw@git.example.com/a/b'),
    'https://git.example.com/a/b',
  );
  assert.equal(redactRemoteUrl('git@github.com:acme/app.git'), 'git@github.com:acme/app.git');
  assert.deepEqual(decodeJwtClaims(`x.${Buffer.from('{"a":1}').toString('base64url')}.y`), {
    a: 1,
  });
  assert.equal(decodeJwtClaims('garbage'), undefined);
});
