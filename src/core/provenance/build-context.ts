/**
 * The build context a provenance predicate describes. Read from the environment by exactly one
 * adapter (src/adapters/build-context/) and handed to the pure builders in this folder.
 */

/** A run of a GitHub Actions workflow, with the claims GitHub's own attest action uses. */
export interface GitHubBuildContext {
  readonly kind: 'github';
  /** `https://github.com` or a GitHub Enterprise Server URL, without trailing slash. */
  readonly serverUrl: string;
  /** `owner/repo`. */
  readonly repository: string;
  readonly repositoryId: string;
  readonly repositoryOwnerId: string;
  /** `push`, `release`, `workflow_dispatch`, … */
  readonly eventName: string;
  /** The ref the run is for: `refs/heads/main`, `refs/tags/v1.2.3`. */
  readonly ref: string;
  /** The commit (40 hex). */
  readonly sha: string;
  /** `owner/repo/.github/workflows/release.yml@refs/heads/main`: the top-level workflow. */
  readonly workflowRef: string;
  /**
   * The workflow the job runs in (`job_workflow_ref`): for a reusable workflow, that one, not the
   * caller. This is the builder.
   */
  readonly jobWorkflowRef: string;
  readonly runId: string;
  readonly runAttempt: string;
  /** `github-hosted` or `self-hosted`. */
  readonly runnerEnvironment: string;
}

/** A build on a developer machine or any CI that is not GitHub Actions. Never presented as GitHub. */
export interface LocalBuildContext {
  readonly kind: 'local';
  /** Remote URL of the repository (`origin`), or undefined when there is none. */
  readonly repository?: string;
  /** Absolute path of the working tree root. */
  readonly worktree: string;
  /** The commit (HEAD), or undefined for a repository with no commit yet. */
  readonly commit?: string;
  /** The symbolic ref (`refs/heads/main`), or undefined when HEAD is detached. */
  readonly ref?: string;
  /** True when the working tree has uncommitted changes (tracked or untracked files). */
  readonly dirty: boolean;
  /** When the build was recorded: passed in, never read from a clock here. */
  readonly startedOn: string;
  /** The host name, when the caller chooses to record it. */
  readonly host?: string;
}

export type BuildContext = GitHubBuildContext | LocalBuildContext;
