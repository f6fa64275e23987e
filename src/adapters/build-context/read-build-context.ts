/**
 * The one adapter that reads the build environment: GitHub Actions variables (GITHUB_*,
 * RUNNER_ENVIRONMENT) and, outside GitHub, the local git working tree (through `git`, run with
 * execFile and arguments, never a shell). Everything it finds goes to the pure builders in
 * src/core/provenance as a BuildContext.
 */
import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import { promisify } from 'node:util';
import type {
  BuildContext,
  GitHubBuildContext,
  LocalBuildContext,
} from '../../core/provenance/build-context.ts';
import type { Logger } from '../../core/logger.ts';
import { silentLogger } from '../../core/logger.ts';
import { VouchError } from '../../errors.ts';

const run = promisify(execFile);

/** The OIDC token claims that are not in the environment. Only `job_workflow_ref` is used. */
export interface IdTokenClaims {
  readonly job_workflow_ref?: string;
  readonly [claim: string]: unknown;
}

export interface ReadBuildContextOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Working directory for a local build (the git working tree or a folder inside it). */
  readonly cwd: string;
  /** Clock for a local build's start time; whole seconds are recorded. */
  readonly now?: () => Date;
  /**
   * Claims of a GitHub OIDC token, when the caller has one (a keyless signer does). Without
   * them, a token is requested when the job may (`id-token: write`).
   */
  readonly claims?: IdTokenClaims;
  /** `auto` (default): GitHub when GITHUB_ACTIONS=true, else local. */
  readonly mode?: 'auto' | 'github' | 'local';
  /** Record the host name in a local build (default false: it can be personal). */
  readonly recordHost?: boolean;
  readonly logger?: Logger;
  /** Fetches OIDC claims; replaceable in tests. Default: the Actions ID-token endpoint. */
  readonly fetchClaims?: (env: NodeJS.ProcessEnv) => Promise<IdTokenClaims | undefined>;
}

export async function readBuildContext(options: ReadBuildContextOptions): Promise<BuildContext> {
  const mode = options.mode ?? 'auto';
  const onGitHub = options.env['GITHUB_ACTIONS'] === 'true';
  if (mode === 'github' || (mode === 'auto' && onGitHub)) {
    let claims = options.claims;
    if (claims?.job_workflow_ref === undefined) {
      claims = (await (options.fetchClaims ?? fetchIdTokenClaims)(options.env)) ?? claims;
    }
    return readGitHubContext(options.env, claims, options.logger ?? silentLogger);
  }
  const now = options.now ?? (() => new Date());
  return readLocalContext(options.cwd, now(), options.recordHost === true);
}

/** The variable, else the same fact from the OIDC token (older runners lack some variables). */
function required(
  env: NodeJS.ProcessEnv,
  name: string,
  missing: string[],
  claims?: IdTokenClaims,
  claim?: string,
): string {
  const fromClaims = claim === undefined ? undefined : claims?.[claim];
  const value = env[name] || (typeof fromClaims === 'string' ? fromClaims : undefined);
  if (!value) missing.push(name);
  return value ?? '';
}

/**
 * Reads the GitHub Actions run from its environment variables. `job_workflow_ref` (the builder)
 * exists only as an OIDC claim; without the claim, the workflow ref is used and a warning says
 * that a reusable workflow would then not be named as the builder.
 */
export function readGitHubContext(
  env: NodeJS.ProcessEnv,
  claims: IdTokenClaims | undefined,
  logger: Logger = silentLogger,
): GitHubBuildContext {
  const missing: string[] = [];
  const ctx = {
    serverUrl: required(env, 'GITHUB_SERVER_URL', missing).replace(/\/+$/, ''),
    repository: required(env, 'GITHUB_REPOSITORY', missing, claims, 'repository'),
    repositoryId: required(env, 'GITHUB_REPOSITORY_ID', missing, claims, 'repository_id'),
    repositoryOwnerId: required(
      env,
      'GITHUB_REPOSITORY_OWNER_ID',
      missing,
      claims,
      'repository_owner_id',
    ),
    eventName: required(env, 'GITHUB_EVENT_NAME', missing, claims, 'event_name'),
    ref: required(env, 'GITHUB_REF', missing, claims, 'ref'),
    sha: required(env, 'GITHUB_SHA', missing, claims, 'sha'),
    workflowRef: required(env, 'GITHUB_WORKFLOW_REF', missing, claims, 'workflow_ref'),
    runId: required(env, 'GITHUB_RUN_ID', missing, claims, 'run_id'),
    runAttempt: required(env, 'GITHUB_RUN_ATTEMPT', missing, claims, 'run_attempt'),
    runnerEnvironment: required(env, 'RUNNER_ENVIRONMENT', missing, claims, 'runner_environment'),
  };
  if (missing.length > 0) {
    throw new VouchError(
      'BUILD_CONTEXT_INVALID',
      `GitHub Actions variables missing: ${missing.join(', ')}`,
      { hint: 'Run inside a GitHub Actions job, or unset GITHUB_ACTIONS for a local build.' },
    );
  }
  if (!/^[0-9a-f]{40}$/.test(ctx.sha)) {
    throw new VouchError('BUILD_CONTEXT_INVALID', `GITHUB_SHA "${ctx.sha}" is not a commit id`);
  }
  let jobWorkflowRef = typeof claims?.job_workflow_ref === 'string' ? claims.job_workflow_ref : '';
  if (!jobWorkflowRef) {
    jobWorkflowRef = ctx.workflowRef;
    logger.warn(
      'no OIDC token (job `permissions: id-token: write`): the builder id is taken from GITHUB_WORKFLOW_REF; a reusable workflow would not be named as the builder',
    );
  }
  return { kind: 'github', ...ctx, jobWorkflowRef };
}

/** Requests an OIDC token from the Actions runtime and returns its claims (unverified: it comes straight from the runner). */
export async function fetchIdTokenClaims(
  env: NodeJS.ProcessEnv,
): Promise<IdTokenClaims | undefined> {
  const url = env['ACTIONS_ID_TOKEN_REQUEST_URL'];
  const token = env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
  if (!url || !token) return undefined;
  const u = new URL(url);
  u.searchParams.set('audience', 'sigstore');
  const response = await fetch(u, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    signal: AbortSignal.timeout(30_000),
  }).catch(() => undefined);
  if (!response?.ok) return undefined;
  const body = (await response.json().catch(() => undefined)) as { value?: string } | undefined;
  return decodeJwtClaims(body?.value);
}

export function decodeJwtClaims(jwt: string | undefined): IdTokenClaims | undefined {
  const part = jwt?.split('.')[1];
  if (!part) return undefined;
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' ? (value as IdTokenClaims) : undefined;
  } catch {
    return undefined;
  }
}

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', args, {
      cwd,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
    });
    return stdout.replace(/\n$/, '');
  } catch {
    return undefined;
  }
}

/** Drops user name and password from a remote URL: a token in `origin` must never land in provenance. */
export function redactRemoteUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
    }
    return u.toString().replace(/\/$/, '');
  } catch {
    return url; // scp-like `git@host:owner/repo.git`: no secret part
  }
}

/** Reads the local git working tree: repository (origin), commit, ref and dirty flag. */
export async function readLocalContext(
  cwd: string,
  now: Date,
  recordHost = false,
): Promise<LocalBuildContext> {
  const worktree = await git(cwd, ['rev-parse', '--show-toplevel']);
  if (worktree === undefined) {
    throw new VouchError(
      'BUILD_CONTEXT_INVALID',
      `${cwd} is not inside a git working tree (or git is not installed)`,
      {
        hint: 'Run in the git checkout the release was built from: provenance records its commit.',
      },
    );
  }
  const [commit, ref, origin, status] = await Promise.all([
    git(worktree, ['rev-parse', '--verify', '-q', 'HEAD']),
    git(worktree, ['symbolic-ref', '-q', 'HEAD']),
    git(worktree, ['remote', 'get-url', 'origin']),
    git(worktree, ['status', '--porcelain=v1', '--untracked-files=normal']),
  ]);
  if (status === undefined) {
    throw new VouchError('BUILD_CONTEXT_INVALID', `git status failed in ${worktree}`);
  }
  const startedOn = new Date(Math.floor(now.getTime() / 1000) * 1000)
    .toISOString()
    .replace('.000Z', 'Z');
  return {
    kind: 'local',
    worktree,
    dirty: status.trim() !== '',
    startedOn,
    ...(origin ? { repository: redactRemoteUrl(origin) } : {}),
    ...(commit ? { commit } : {}),
    ...(ref ? { ref } : {}),
    ...(recordHost ? { host: hostname() } : {}),
  };
}

/**
 * The repository's visibility from the event payload (GITHUB_EVENT_PATH), as GitHub's attest
 * action reads it to choose a Sigstore instance; undefined outside GitHub or when absent.
 */
export async function readRepositoryVisibility(
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const path = env['GITHUB_EVENT_PATH'];
  if (!path || env['GITHUB_ACTIONS'] !== 'true') return undefined;
  try {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(path, 'utf8');
    if (text.length > 16 * 1024 * 1024) return undefined;
    const payload = JSON.parse(text) as {
      repository?: { visibility?: unknown; private?: unknown };
    };
    const v = payload.repository?.visibility;
    if (typeof v === 'string') return v;
    if (payload.repository?.private === false) return 'public';
    return undefined;
  } catch {
    return undefined;
  }
}
