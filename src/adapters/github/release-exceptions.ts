/**
 * Exceptions at release time (THREATS 45): read from the protected default branch through the
 * API, never from the tree being released; optionally each exception's `approval` link is
 * confirmed as a merged pull request with an approving review by an allowed approver.
 */
import type { ExceptionsFile, PolicyException } from '../../core/exceptions/model.ts';
import { parseExceptions } from '../../core/exceptions/parse.ts';
import { VouchError } from '../../errors.ts';
import { splitRepo, type GitHubClient } from './client.ts';
import { getPullRequest, listPullRequestFiles, listPullRequestReviews } from './pull-request.ts';
import { getDefaultBranch, isTeamMember, readFileAtRef } from './repository.ts';

export interface ApprovalEvidence {
  readonly exceptionId: string;
  readonly package: string;
  /** The `approval` URL as written in the file. */
  readonly approval: string;
  /** True when the link was confirmed (or confirmation was not asked for: see `checked`). */
  readonly verified: boolean;
  /** False when verifyApprovals was off: nothing was confirmed. */
  readonly checked: boolean;
  readonly pullRequest?: number;
  readonly mergedAt?: string;
  readonly mergeCommitSha?: string;
  /** Allowed approvers whose approving review was found. */
  readonly approvers: readonly string[];
  /** Why the link was not confirmed. */
  readonly reason?: string;
}

export interface LoadReleaseExceptionsOptions {
  /** `owner/name`. */
  readonly repo: string;
  /** Default branch; asked from the API when omitted. */
  readonly defaultBranch?: string;
  /** Repository-relative path of the exceptions file. */
  readonly path: string;
  readonly github: GitHubClient;
  /** Confirm each `approval` link through the API. */
  readonly verifyApprovals: boolean;
  /** `@user` or `@org/team` entries allowed to approve (needed when verifyApprovals is on). */
  readonly allowedApprovers: readonly string[];
  /** Refuse a default branch that is not protected (default true). */
  readonly requireProtectedBranch?: boolean;
  /** github.com or the GitHub Enterprise host that approval links must point at (default github.com). */
  readonly serverHost?: string;
}

export interface ReleaseExceptions {
  /** The file as on the protected branch; with verifyApprovals, only the exceptions whose approval was confirmed. */
  readonly file: ExceptionsFile;
  /** Every exception in the file as read, confirmed or not. */
  readonly read: ExceptionsFile;
  /** The file's text as read (undefined when the branch has no such file). */
  readonly text?: string;
  readonly source: 'protected-branch';
  readonly branch: string;
  /** Whether the API reports the branch protected (always true when requireProtectedBranch is on). */
  readonly protected: boolean;
  /** Commit of the branch the file was read at. */
  readonly commit: string;
  readonly approvals: readonly ApprovalEvidence[];
}

const PR_URL = /^https:\/\/([^/]+)\/([^/]+)\/([^/]+)\/pull\/(\d+)\/?$/;

export async function loadReleaseExceptions(
  options: LoadReleaseExceptionsOptions,
): Promise<ReleaseExceptions> {
  const { owner, repo } = splitRepo(options.repo);
  const client = options.github;
  const branch = options.defaultBranch ?? (await getDefaultBranch(client, owner, repo));
  // One read of the branch gives both its protection and the commit the file is read at.
  const { data: tip } = await client.rest.repos.getBranch({ owner, repo, branch });
  const isProtected = tip.protected === true;
  if ((options.requireProtectedBranch ?? true) && !isProtected) {
    throw new VouchError(
      'EXCEPTIONS_APPROVAL_UNVERIFIED',
      `${options.repo}@${branch} is not a protected branch; release exceptions must come from a protected branch`,
      {
        hint: 'Protect the default branch (require pull request reviews) or pass requireProtectedBranch: false.',
      },
    );
  }
  const commit = tip.commit.sha;
  const at = { source: 'protected-branch', branch, protected: isProtected, commit } as const;
  const found = await readFileAtRef(client, owner, repo, options.path, commit);
  if (found.state === 'absent') {
    const empty: ExceptionsFile = { version: 1, exceptions: [] };
    return { ...at, file: empty, read: empty, approvals: [] };
  }
  const file = parseExceptions(found.text, `${options.path}@${branch}`);
  if (!options.verifyApprovals) {
    return {
      ...at,
      file,
      read: file,
      text: found.text,
      approvals: file.exceptions.map((e) => ({
        exceptionId: e.id,
        package: e.package,
        approval: e.approval,
        verified: false,
        checked: false,
        approvers: [],
        reason: 'approval links were not checked',
      })),
    };
  }
  if (options.allowedApprovers.length === 0) {
    throw new VouchError(
      'INPUT_MISSING',
      'verifying approvals needs at least one allowed approver (@user or @org/team)',
    );
  }
  const cache = new Map<
    string,
    Promise<Omit<ApprovalEvidence, 'exceptionId' | 'package' | 'approval'>>
  >();
  const approvals: ApprovalEvidence[] = [];
  const kept: PolicyException[] = [];
  for (const e of file.exceptions) {
    let pending = cache.get(e.approval);
    if (!pending) {
      pending = confirmApproval(client, e.approval, {
        owner,
        repo,
        path: options.path,
        allowedApprovers: options.allowedApprovers,
        ...(options.serverHost ? { serverHost: options.serverHost } : {}),
      });
      cache.set(e.approval, pending);
    }
    const result = await pending;
    approvals.push({ exceptionId: e.id, package: e.package, approval: e.approval, ...result });
    if (result.verified) kept.push(e);
  }
  return {
    ...at,
    file: { version: 1, exceptions: kept },
    read: file,
    text: found.text,
    approvals,
  };
}

async function confirmApproval(
  client: GitHubClient,
  url: string,
  context: {
    owner: string;
    repo: string;
    path: string;
    allowedApprovers: readonly string[];
    serverHost?: string;
  },
): Promise<Omit<ApprovalEvidence, 'exceptionId' | 'package' | 'approval'>> {
  const refuse = (reason: string, extra: Partial<ApprovalEvidence> = {}) => ({
    verified: false,
    checked: true,
    approvers: [],
    reason,
    ...extra,
  });
  const m = PR_URL.exec(url.trim());
  if (!m) return refuse('not a pull request URL');
  const [, host, owner, repo, num] = m;
  if (host!.toLowerCase() !== (context.serverHost ?? 'github.com').toLowerCase())
    return refuse(`points at ${host}, not ${context.serverHost ?? 'github.com'}`);
  if (
    owner!.toLowerCase() !== context.owner.toLowerCase() ||
    repo!.toLowerCase() !== context.repo.toLowerCase()
  ) {
    return refuse(`points at ${owner}/${repo}, not this repository`);
  }
  const ref = { owner: context.owner, repo: context.repo, number: Number(num) };
  let pull;
  try {
    pull = await getPullRequest(client, ref);
  } catch (error) {
    if (error instanceof VouchError && error.code === 'GITHUB_NOT_FOUND')
      return refuse(`pull request #${num} does not exist`);
    throw error;
  }
  const base = {
    pullRequest: pull.number,
    ...(pull.mergedAt ? { mergedAt: pull.mergedAt } : {}),
    ...(pull.mergeCommitSha ? { mergeCommitSha: pull.mergeCommitSha } : {}),
  };
  if (!pull.merged) return refuse(`pull request #${num} is not merged`, base);
  const files = await listPullRequestFiles(client, ref, pull.changedFiles);
  if (!files.some((f) => f.filename === context.path))
    return refuse(`pull request #${num} did not change ${context.path}`, base);
  const reviews = await listPullRequestReviews(client, ref);
  const latest = new Map<string, (typeof reviews)[number]>();
  for (const r of reviews)
    if (r.state !== 'COMMENTED' && r.state !== 'PENDING') latest.set(r.user.toLowerCase(), r);
  const approvers: string[] = [];
  for (const r of latest.values()) {
    if (r.state !== 'APPROVED' || r.user.toLowerCase() === pull.author.toLowerCase()) continue;
    if (await isAllowed(client, r.user, context.allowedApprovers)) approvers.push(r.user);
  }
  if (approvers.length === 0)
    return refuse(
      `pull request #${num} has no approving review by an allowed approver other than its author`,
      base,
    );
  return { verified: true, checked: true, approvers, ...base };
}

async function isAllowed(
  client: GitHubClient,
  login: string,
  allowed: readonly string[],
): Promise<boolean> {
  for (const entry of allowed) {
    const name = entry.replace(/^@/, '');
    if (name.includes('/')) {
      if (await isTeamMember(client, name, login)) return true;
    } else if (name.toLowerCase() === login.toLowerCase()) return true;
  }
  return false;
}
