/**
 * Gathers every fact a review of one pull request needs from the REST API and decides it with
 * the pure review in src/core/exceptions/review.ts. The CODEOWNERS file and the policy's
 * remediation windows are read from the base commit, never from the pull request's own head.
 */
import { teamsToResolve } from '../../core/exceptions/approval.ts';
import { findOwners, parseCodeOwners } from '../../core/exceptions/codeowners.ts';
import {
  diffDependencies,
  isDependencyFile,
  type DependencyFileVersions,
} from '../../core/exceptions/diff.ts';
import {
  DEFAULT_REMEDIATION_WINDOWS,
  type RemediationWindows,
} from '../../core/exceptions/model.ts';
import {
  advisorySeveritiesOf,
  evaluateReview,
  readReviewSide,
  remediationWindowsFromPolicy,
  type AdvisorySeverities,
  type ReviewOutcome,
} from '../../core/exceptions/review.ts';
import type { Logger } from '../../core/logger.ts';
import { buildAdvisoryDatabase } from '../../core/osv/database.ts';
import { osvPackageOf } from '../../core/policy/evaluate.ts';
import { VouchError } from '../../errors.ts';
import type { PackageQuery } from '../advisories/osv-api.ts';
import { loadAdvisories, readSbomFile } from '../policy/run-policy.ts';
import type { GitHubClient } from './client.ts';
import {
  findLastPushers,
  getPullRequest,
  listPullRequestFiles,
  listPullRequestReviews,
  type PullRequestInfo,
} from './pull-request.ts';
import { isTeamMember, readCodeOwnersFile, readFileAtRef } from './repository.ts';
import { resolve } from 'node:path';

export interface ReviewPullRequestOptions {
  readonly client: GitHubClient;
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
  /** Repository-relative path of the exceptions file. */
  readonly path: string;
  /** Repository-relative path of the policy file (for remediation windows), read at the base. */
  readonly policyPath?: string;
  /** Teams whose members may approve, `org/team`. */
  readonly approverTeams: readonly string[];
  readonly now: Date;
  /** Login that sent a `pull_request` synchronize/opened event: the pusher of the head. */
  readonly pusher?: string;
  /**
   * Severities of the waived advisories (`loadAdvisorySeverities`), asked for only when the pull
   * request touches the exceptions file; undefined means no advisory data was given.
   */
  readonly advisories?: () => Promise<AdvisorySeverities | undefined>;
  readonly logger?: Logger;
}

export interface PullRequestReview {
  readonly pull: PullRequestInfo;
  /** False when the pull request does not touch the exceptions file. */
  readonly touched: boolean;
  readonly outcome: ReviewOutcome;
  readonly codeOwnersPath?: string;
  readonly windows: RemediationWindows;
}

/** Dependency files read per pull request; more are treated as unreadable (two approvers). */
export const MAX_DEPENDENCY_FILES = 50;
const MAX_DEPENDENCY_FILE_BYTES = 50 * 1024 * 1024;

function cleanPath(path: string): string {
  const clean = path.replace(/^\.?\/+/, '');
  if (clean === '' || clean.split('/').includes('..')) {
    throw new VouchError('PATH_OUTSIDE_WORKSPACE', `"${path}" is not a path inside the repository`);
  }
  return clean;
}

export async function reviewPullRequest(
  options: ReviewPullRequestOptions,
): Promise<PullRequestReview> {
  const { client, owner, repo } = options;
  const path = cleanPath(options.path);
  const ref = { owner, repo, number: options.number };
  const pull = await getPullRequest(client, ref);
  const files = await listPullRequestFiles(client, ref, pull.changedFiles);
  const entry = files.find((f) => f.filename === path || f.previousFilename === path);
  if (!entry) {
    // Nothing to approve: pass at once, without reading the file, the reviews or the advisories.
    const absent = { state: 'absent' } as const;
    const outcome = evaluateReview({
      path,
      base: absent,
      head: absent,
      dependencies: { changes: [], unreadable: [] },
      approval: {
        author: pull.author,
        lastPushers: [],
        headSha: pull.headSha,
        reviews: [],
        approverTeams: options.approverTeams,
        codeOwners: [],
        teamMembers: new Map(),
      },
    });
    return { pull, touched: false, outcome, windows: DEFAULT_REMEDIATION_WINDOWS };
  }

  let windows = DEFAULT_REMEDIATION_WINDOWS;
  if (options.policyPath) {
    const policy = await readFileAtRef(
      client,
      owner,
      repo,
      cleanPath(options.policyPath),
      pull.baseSha,
    );
    if (policy.state === 'file')
      windows = remediationWindowsFromPolicy(policy.text, `${options.policyPath}@base`);
    else
      options.logger?.warn(
        `${options.policyPath} does not exist at the base commit; default remediation windows apply`,
      );
  }

  const baseFile = await readFileAtRef(client, owner, repo, path, pull.baseSha);
  const baseText = baseFile.state === 'file' ? baseFile.text : undefined;
  let headText: string | undefined = baseText;
  if (entry.filename !== path || entry.status === 'removed') headText = undefined;
  else {
    const headFile = await readFileAtRef(client, owner, repo, path, pull.headSha);
    headText = headFile.state === 'file' ? headFile.text : undefined;
  }
  const advisories = await options.advisories?.();
  const sideOptions = { windows, now: options.now, ...(advisories ? { advisories } : {}) };
  const base = readReviewSide(baseText, `${path}@base`, sideOptions);
  const head = readReviewSide(headText, path, sideOptions);

  const dependencyFiles: DependencyFileVersions[] = [];
  const unreadable: string[] = [];
  {
    const candidates = files.filter((f) => isDependencyFile(f.filename) && f.status !== 'removed');
    for (const [i, f] of candidates.entries()) {
      if (i >= MAX_DEPENDENCY_FILES) {
        unreadable.push(f.filename);
        continue;
      }
      try {
        const h = await readFileAtRef(
          client,
          owner,
          repo,
          f.filename,
          pull.headSha,
          MAX_DEPENDENCY_FILE_BYTES,
        );
        const b = await readFileAtRef(
          client,
          owner,
          repo,
          f.previousFilename ?? f.filename,
          pull.baseSha,
          MAX_DEPENDENCY_FILE_BYTES,
        );
        dependencyFiles.push({
          path: f.filename,
          ...(h.state === 'file' ? { head: h.text } : {}),
          ...(b.state === 'file' ? { base: b.text } : {}),
        });
      } catch (error) {
        if (error instanceof VouchError && error.kind === 'internal') throw error;
        options.logger?.warn(`cannot read ${f.filename}: ${(error as Error).message}`);
        unreadable.push(f.filename);
      }
    }
  }
  const deps = diffDependencies(dependencyFiles);
  const dependencies = { changes: deps.changes, unreadable: [...deps.unreadable, ...unreadable] };

  const codeOwnersFile = await readCodeOwnersFile(client, owner, repo, pull.baseSha);
  const codeOwners = codeOwnersFile
    ? findOwners(parseCodeOwners(codeOwnersFile.text), path).owners
    : [];
  const reviews = await listPullRequestReviews(client, ref);
  const lastPushers = await findLastPushers(client, ref, pull);
  if (options.pusher) lastPushers.push(options.pusher);

  const teamMembers = new Map<string, Set<string>>();
  const teams = teamsToResolve(options.approverTeams, codeOwners);
  const reviewers = [
    ...new Set(
      reviews
        .filter((r) => r.state === 'APPROVED' || r.state === 'CHANGES_REQUESTED')
        .map((r) => r.user.toLowerCase()),
    ),
  ];
  for (const team of teams) {
    const members = new Set<string>();
    for (const login of reviewers) if (await isTeamMember(client, team, login)) members.add(login);
    teamMembers.set(team, members);
    if (reviewers.length > 0 && members.size === 0) {
      options.logger?.warn(
        `none of the reviewers (${reviewers.join(', ')}) is an active member of @${team}; if that is wrong, the token lacks members: read on the organisation`,
      );
    }
  }

  const outcome = evaluateReview({
    path,
    base,
    head,
    dependencies,
    approval: {
      author: pull.author,
      lastPushers,
      headSha: pull.headSha,
      reviews,
      approverTeams: options.approverTeams,
      codeOwners,
      teamMembers,
    },
  });
  return {
    pull,
    touched: true,
    outcome,
    ...(codeOwnersFile ? { codeOwnersPath: codeOwnersFile.path } : {}),
    windows,
  };
}

export interface AdvisorySeverityOptions {
  /** Advisory sources, as the policy's `advisories`: directories, zips or JSON files of OSV records, `osv-api[=URL]`, `github-api[=URL]`. */
  readonly sources: readonly string[];
  /** An SBOM whose package versions the API sources are asked about. */
  readonly sbom?: string;
  /** Paths are resolved against this directory. */
  readonly cwd: string;
  readonly githubToken?: string;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
}

/**
 * Loads advisory data for the remediation windows of exceptions, with the loader the policy uses.
 * Returns undefined when no source is given. The APIs answer by package version, so they need
 * the SBOM; without one they are refused rather than silently asked about nothing.
 */
export async function loadAdvisorySeverities(
  options: AdvisorySeverityOptions,
): Promise<AdvisorySeverities | undefined> {
  if (options.sources.length === 0) return undefined;
  const apis = options.sources.filter((s) => /^(osv-api|github-api)(=|$)/.test(s));
  let queries: PackageQuery[] = [];
  if (options.sbom) {
    const sbom = await readSbomFile(resolve(options.cwd, options.sbom));
    const seen = new Set<string>();
    for (const c of sbom.components) {
      const pkg = c.version !== undefined ? osvPackageOf(c) : undefined;
      if (!pkg) continue;
      const key = `${pkg.ecosystem}\0${pkg.name}\0${c.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      queries.push({ ...pkg, version: c.version! });
    }
  } else if (apis.length > 0) {
    throw new VouchError(
      'INPUT_MISSING',
      `advisory source ${apis.join(', ')} is asked by package version: give the SBOM too (input "sbom", --sbom), or an offline source (a directory or zip of OSV records)`,
    );
  }
  const loaded = await loadAdvisories(
    options.sources,
    () => queries,
    { cwd: options.cwd, ...(options.githubToken ? { githubToken: options.githubToken } : {}) },
    { logger: options.logger, ...(options.fetch ? { fetch: options.fetch } : {}) },
  );
  queries = [];
  // Severity and aliases only: no package is indexed for matching.
  const db = buildAdvisoryDatabase(loaded.raw, { packages: new Set() });
  options.logger.info(
    `advisories: ${db.records.length} records set the remediation windows of advisory exceptions`,
  );
  return advisorySeveritiesOf(db);
}
