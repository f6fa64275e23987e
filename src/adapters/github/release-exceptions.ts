/**
 * Exceptions at release time (THREATS 45): read from the protected default branch through the
 * API, never from the tree being released; optionally each exception's `approval` link is
 * confirmed: a merged pull request whose change to the exceptions file added, changed or extended
 * that very exception, approved under the pull-request approval rule (evaluateApproval: on its
 * final head commit, by an allowed approver who is neither its author nor its last pusher).
 */
import { evaluateApproval, type ApprovalResult } from '../../core/exceptions/approval.ts';
import { diffExceptions, needsApproval } from '../../core/exceptions/diff.ts';
import type { ExceptionsFile, PolicyException } from '../../core/exceptions/model.ts';
import { canonicalPackage, checkExceptions, parseExceptions } from '../../core/exceptions/parse.ts';
import { VouchError } from '../../errors.ts';
import { splitRepo, type GitHubClient } from './client.ts';
import {
  findLastPushers,
  getPullRequest,
  listPullRequestFiles,
  listPullRequestReviews,
  type PullRequestInfo,
  type PullRequestRef,
} from './pull-request.ts';
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
  /** Set when the link was checked and not confirmed: the refusal's code. */
  readonly code?: 'EXCEPTIONS_APPROVAL_UNVERIFIED';
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
  // Exceptions approved together share one pull request: it is read once.
  const cache = new Map<string, Promise<PullRequestProof>>();
  const approvals: ApprovalEvidence[] = [];
  const kept: PolicyException[] = [];
  for (const e of file.exceptions) {
    let pending = cache.get(e.approval);
    if (!pending) {
      pending = provePullRequest(client, e.approval, {
        owner,
        repo,
        path: options.path,
        allowedApprovers: options.allowedApprovers,
        ...(options.serverHost ? { serverHost: options.serverHost } : {}),
      });
      cache.set(e.approval, pending);
    }
    const result = confirmException(e, await pending, options.path);
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

type Confirmation = Omit<ApprovalEvidence, 'exceptionId' | 'package' | 'approval'>;

type PullRequestFacts = Pick<ApprovalEvidence, 'pullRequest' | 'mergedAt' | 'mergeCommitSha'>;

/** What one approval pull request proves, shared by every exception that links to it. */
interface PullRequestProof {
  /** Why the pull request confirms nothing (then no exception linking to it is confirmed). */
  readonly refusal?: string;
  readonly facts: PullRequestFacts;
  /** Allowed approvers whose approval counts under the rule. */
  readonly approvers: readonly string[];
  /** Entries the pull request added, changed or extended, as they are at its merge commit. */
  readonly approved: readonly PolicyException[];
}

interface ProofContext {
  readonly owner: string;
  readonly repo: string;
  readonly path: string;
  readonly allowedApprovers: readonly string[];
  readonly serverHost?: string;
}

function refused(reason: string, facts: PullRequestFacts = {}): Confirmation {
  return {
    verified: false,
    checked: true,
    approvers: [],
    reason,
    code: 'EXCEPTIONS_APPROVAL_UNVERIFIED',
    ...facts,
  };
}

const sameVersions = (a: PolicyException, b: PolicyException): boolean =>
  (a.versions ?? '*').replace(/\s+/g, ' ') === (b.versions ?? '*').replace(/\s+/g, ' ');

/**
 * Confirms one exception against its pull request: the pull request must confirm at all, and
 * its change must have added, changed or extended this exception (same id and package, however
 * the purl is spelled) with the same versions and an expiry no earlier than the one in force.
 */
function confirmException(e: PolicyException, proof: PullRequestProof, path: string): Confirmation {
  if (proof.refusal !== undefined) return refused(proof.refusal, proof.facts);
  const pr = `pull request #${proof.facts.pullRequest}`;
  const pkg = canonicalPackage(e.package);
  const matches = proof.approved.filter(
    (h) => h.id.toLowerCase() === e.id.toLowerCase() && canonicalPackage(h.package) === pkg,
  );
  if (matches.length === 0)
    return refused(
      `${pr} did not add or extend exception ${e.id} for ${e.package} in ${path}`,
      proof.facts,
    );
  const covering = matches.find((h) => sameVersions(h, e) && h.expires >= e.expires);
  if (!covering) {
    const h = matches.find((m) => sameVersions(m, e)) ?? matches[0]!;
    return refused(
      sameVersions(h, e)
        ? `${pr} approved exception ${e.id} for ${e.package} until ${h.expires}, not ${e.expires}`
        : `${pr} approved exception ${e.id} for ${e.package} for versions "${h.versions ?? '*'}", not "${e.versions ?? '*'}"`,
      proof.facts,
    );
  }
  return { verified: true, checked: true, approvers: proof.approvers, ...proof.facts };
}

async function provePullRequest(
  client: GitHubClient,
  url: string,
  context: ProofContext,
): Promise<PullRequestProof> {
  const refuse = (refusal: string, facts: PullRequestFacts = {}): PullRequestProof => ({
    refusal,
    facts,
    approvers: [],
    approved: [],
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
  const facts: PullRequestFacts = {
    pullRequest: pull.number,
    ...(pull.mergedAt ? { mergedAt: pull.mergedAt } : {}),
    ...(pull.mergeCommitSha ? { mergeCommitSha: pull.mergeCommitSha } : {}),
  };
  if (!pull.merged) return refuse(`pull request #${num} is not merged`, facts);
  if (!pull.mergeCommitSha)
    return refuse(`pull request #${num} has no merge commit to read ${context.path} at`, facts);
  const files = await listPullRequestFiles(client, ref, pull.changedFiles);
  if (!files.some((f) => f.filename === context.path))
    return refuse(`pull request #${num} did not change ${context.path}`, facts);
  const approval = await evaluatePullRequest(client, ref, pull, context.allowedApprovers);
  if (!approval.approved) return refuse(notApproved(pull, approval), facts);
  let base: ExceptionsFile | undefined;
  let merged: ExceptionsFile | undefined;
  try {
    base = await readExceptionsAt(client, context, pull.baseSha);
    merged = await readExceptionsAt(client, context, pull.mergeCommitSha);
  } catch (error) {
    // A link, a directory or an oversized file where the exceptions file should be: the change
    // cannot be read, so it confirms nothing. Transport and API failures still throw.
    if (error instanceof VouchError && UNREADABLE_CHANGE.has(error.code))
      return refuse(`pull request #${num}: ${error.message}`, facts);
    throw error;
  }
  if (!merged)
    return refuse(
      `pull request #${num} leaves no readable ${context.path} at its merge commit ${pull.mergeCommitSha.slice(0, 7)}`,
      facts,
    );
  const approved = diffExceptions(base, merged)
    .filter(needsApproval)
    .map((c) => c.head!);
  return { facts, approvers: approval.approvers, approved };
}

/**
 * The approval rule of the exceptions review, applied to a merged pull request: reviews on its
 * final head commit, by allowed approvers (`@org/team` members, `@user` names) who are neither its
 * author nor its last pusher; an eligible reviewer's request for changes blocks.
 */
async function evaluatePullRequest(
  client: GitHubClient,
  ref: PullRequestRef,
  pull: PullRequestInfo,
  allowedApprovers: readonly string[],
): Promise<ApprovalResult> {
  const names = allowedApprovers.map((a) => a.replace(/^@/, ''));
  const approverTeams = names.filter((n) => n.includes('/'));
  const approverUsers = names.filter((n) => !n.includes('/'));
  const reviews = await listPullRequestReviews(client, ref);
  const lastPushers = await findLastPushers(client, ref, pull);
  const reviewers = [
    ...new Set(
      reviews
        .filter((r) => r.state === 'APPROVED' || r.state === 'CHANGES_REQUESTED')
        .map((r) => r.user.toLowerCase()),
    ),
  ];
  const teamMembers = new Map<string, Set<string>>();
  for (const team of approverTeams) {
    const members = new Set<string>();
    for (const login of reviewers) if (await isTeamMember(client, team, login)) members.add(login);
    teamMembers.set(team.toLowerCase(), members);
  }
  return evaluateApproval({
    author: pull.author,
    lastPushers,
    headSha: pull.headSha,
    reviews,
    approverTeams,
    approverUsers,
    codeOwners: [],
    teamMembers,
    required: 1,
  });
}

function notApproved(pull: PullRequestInfo, approval: ApprovalResult): string {
  const pr = `pull request #${pull.number}`;
  if (approval.changesRequestedBy.length > 0)
    return `${pr} was merged with changes requested by ${approval.changesRequestedBy.join(', ')}`;
  const why = approval.findings.filter((f) => !f.counted).map((f) => `${f.login}: ${f.reason}`);
  return `${pr} has no approving review by an allowed approver other than its author or last pusher on its final head commit ${pull.headSha.slice(0, 7)}${why.length > 0 ? ` (${why.join('; ')})` : ''}`;
}

const UNREADABLE_CHANGE = new Set([
  'PATH_IS_SYMLINK',
  'INPUT_INVALID',
  'EXCEPTIONS_DIFF_TOO_LARGE',
]);

/** The exceptions file at a commit; undefined when absent or not parseable (as in the review). */
async function readExceptionsAt(
  client: GitHubClient,
  context: ProofContext,
  sha: string,
): Promise<ExceptionsFile | undefined> {
  const found = await readFileAtRef(client, context.owner, context.repo, context.path, sha);
  if (found.state !== 'file') return undefined;
  try {
    const { file } = checkExceptions(found.text, `${context.path}@${sha.slice(0, 7)}`);
    return file;
  } catch (error) {
    if (error instanceof VouchError && error.kind !== 'internal') return undefined;
    throw error;
  }
}
