/**
 * SLSA provenance v1 predicates (https://slsa.dev/spec/v1.0/provenance).
 *
 * - `buildGitHubProvenance`: buildType https://actions.github.io/buildtypes/workflow/v1, field for
 *   field as GitHub's attest-build-provenance action writes it, so `gh attestation verify` and
 *   slsa-verifier read it the same way.
 * - `buildLocalProvenance`: a build outside GitHub Actions, with vouch's own local buildType. It
 *   records the git repository, commit and dirty flag, and never claims a GitHub builder.
 */
import { VouchError } from '../../errors.ts';
import { VERSION } from '../../version.ts';
import type { GitHubBuildContext, LocalBuildContext } from './build-context.ts';

export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
export const GITHUB_WORKFLOW_BUILD_TYPE = 'https://actions.github.io/buildtypes/workflow/v1';
export const LOCAL_BUILD_TYPE = 'https://vouch.dev/buildtypes/local/v1';
export const LOCAL_BUILDER_ID = 'https://vouch.dev/builders/local/v1';

export interface ResourceDescriptor {
  readonly uri: string;
  readonly digest: Readonly<Record<string, string>>;
}

export interface GitHubProvenancePredicate {
  readonly buildDefinition: {
    readonly buildType: typeof GITHUB_WORKFLOW_BUILD_TYPE;
    readonly externalParameters: {
      readonly workflow: {
        readonly ref: string;
        readonly repository: string;
        readonly path: string;
      };
    };
    readonly internalParameters: {
      readonly github: {
        readonly event_name: string;
        readonly repository_id: string;
        readonly repository_owner_id: string;
        readonly runner_environment: string;
      };
    };
    readonly resolvedDependencies: readonly ResourceDescriptor[];
  };
  readonly runDetails: {
    readonly builder: { readonly id: string };
    readonly metadata: { readonly invocationId: string };
  };
}

export interface LocalProvenancePredicate {
  readonly buildDefinition: {
    readonly buildType: typeof LOCAL_BUILD_TYPE;
    readonly externalParameters: {
      readonly source: { readonly repository: string | null; readonly ref: string | null };
    };
    readonly internalParameters: {
      readonly local: {
        readonly worktree: string;
        readonly dirty: boolean;
        readonly host?: string;
      };
    };
    readonly resolvedDependencies: readonly ResourceDescriptor[];
  };
  readonly runDetails: {
    readonly builder: { readonly id: string; readonly version: Readonly<Record<string, string>> };
    readonly metadata: { readonly startedOn: string };
  };
}

/**
 * Splits `owner/repo/.github/workflows/x.yml@refs/heads/main` into path and ref. A ref may itself
 * contain `@` (monorepo tags such as `pkg@1.0.0`): everything after the first `@` is the ref.
 */
export function splitWorkflowRef(
  workflowRef: string,
  repository: string,
): { path: string; ref: string } {
  const prefix = `${repository}/`;
  const rest = workflowRef.startsWith(prefix) ? workflowRef.slice(prefix.length) : workflowRef;
  const at = rest.indexOf('@');
  if (at <= 0 || at === rest.length - 1) {
    throw new VouchError(
      'BUILD_CONTEXT_INVALID',
      `workflow ref "${workflowRef}" is not OWNER/REPO/PATH@REF`,
    );
  }
  return { path: rest.slice(0, at), ref: rest.slice(at + 1) };
}

function requireFields(ctx: GitHubBuildContext): void {
  const missing = (
    [
      ['serverUrl', 'GITHUB_SERVER_URL'],
      ['repository', 'GITHUB_REPOSITORY'],
      ['repositoryId', 'GITHUB_REPOSITORY_ID'],
      ['repositoryOwnerId', 'GITHUB_REPOSITORY_OWNER_ID'],
      ['eventName', 'GITHUB_EVENT_NAME'],
      ['ref', 'GITHUB_REF'],
      ['sha', 'GITHUB_SHA'],
      ['workflowRef', 'GITHUB_WORKFLOW_REF'],
      ['jobWorkflowRef', 'job_workflow_ref'],
      ['runId', 'GITHUB_RUN_ID'],
      ['runAttempt', 'GITHUB_RUN_ATTEMPT'],
      ['runnerEnvironment', 'RUNNER_ENVIRONMENT'],
    ] as const
  )
    .filter(([field]) => !ctx[field])
    .map(([, name]) => name);
  if (missing.length > 0) {
    throw new VouchError(
      'BUILD_CONTEXT_INVALID',
      `the GitHub build context lacks ${missing.join(', ')}`,
    );
  }
}

/** The SLSA v1 predicate for a GitHub Actions workflow run, as GitHub's own attest action writes it. */
export function buildGitHubProvenance(ctx: GitHubBuildContext): GitHubProvenancePredicate {
  requireFields(ctx);
  const server = ctx.serverUrl.replace(/\/+$/, '');
  const workflow = splitWorkflowRef(ctx.workflowRef, ctx.repository);
  return {
    buildDefinition: {
      buildType: GITHUB_WORKFLOW_BUILD_TYPE,
      externalParameters: {
        workflow: {
          ref: workflow.ref,
          repository: `${server}/${ctx.repository}`,
          path: workflow.path,
        },
      },
      internalParameters: {
        github: {
          event_name: ctx.eventName,
          repository_id: ctx.repositoryId,
          repository_owner_id: ctx.repositoryOwnerId,
          runner_environment: ctx.runnerEnvironment,
        },
      },
      resolvedDependencies: [
        {
          uri: `git+${server}/${ctx.repository}@${ctx.ref}`,
          digest: { gitCommit: ctx.sha },
        },
      ],
    },
    runDetails: {
      builder: { id: `${server}/${ctx.jobWorkflowRef}` },
      metadata: {
        invocationId: `${server}/${ctx.repository}/actions/runs/${ctx.runId}/attempts/${ctx.runAttempt}`,
      },
    },
  };
}

/** The SLSA v1 predicate for a local build: vouch's local buildType, the git state, the dirty flag. */
export function buildLocalProvenance(ctx: LocalBuildContext): LocalProvenancePredicate {
  if (!ctx.startedOn)
    throw new VouchError('BUILD_CONTEXT_INVALID', 'a local build needs a start time');
  const repository = ctx.repository ?? null;
  const dependencies: ResourceDescriptor[] = [];
  if (ctx.commit) {
    const base = repository === null ? `git+file://${ctx.worktree}` : `git+${repository}`;
    dependencies.push({
      uri: ctx.ref ? `${base}@${ctx.ref}` : base,
      digest: { gitCommit: ctx.commit },
    });
  }
  return {
    buildDefinition: {
      buildType: LOCAL_BUILD_TYPE,
      externalParameters: { source: { repository, ref: ctx.ref ?? null } },
      internalParameters: {
        local: {
          worktree: ctx.worktree,
          dirty: ctx.dirty,
          ...(ctx.host === undefined ? {} : { host: ctx.host }),
        },
      },
      resolvedDependencies: dependencies,
    },
    runDetails: {
      builder: { id: LOCAL_BUILDER_ID, version: { vouch: VERSION } },
      metadata: { startedOn: ctx.startedOn },
    },
  };
}
