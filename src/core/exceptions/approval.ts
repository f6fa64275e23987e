/**
 * The approval rule for a change to the exceptions file (THREATS 45):
 * an approving review, on the current head commit, from a member of a configured approver team
 * or a CODEOWNERS owner of the file, by someone who is neither the pull request's author nor the
 * last person to push. When a waiver rides in with the dependency it waives, two distinct
 * approvers are needed. Pure: reviews, memberships and owners come in as arguments.
 */

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

export interface ReviewRecord {
  readonly id: number;
  /** Reviewer login. */
  readonly user: string;
  readonly state: ReviewState;
  /** The head commit the review was given on. */
  readonly commitId: string;
  /** ISO time. */
  readonly submittedAt?: string;
}

export interface ApprovalContext {
  /** Pull request author login. */
  readonly author: string;
  /** Logins that pushed the current head (author and committer of the last commit, force-pushers). */
  readonly lastPushers: readonly string[];
  readonly headSha: string;
  readonly reviews: readonly ReviewRecord[];
  /** Teams whose members may approve, as `org/team`. */
  readonly approverTeams: readonly string[];
  /** Logins that may approve by name (`@user` entries of a release-time allow-list). */
  readonly approverUsers?: readonly string[];
  /** CODEOWNERS owners of the exceptions file, as written (`@user`, `@org/team`, e-mail). */
  readonly codeOwners: readonly string[];
  /** Known active members, by `org/team` (lower case), lower-case logins. */
  readonly teamMembers: ReadonlyMap<string, ReadonlySet<string>>;
  /** Distinct approvals needed (0 when nothing needs approval). */
  readonly required: number;
}

export interface ApproverFinding {
  readonly login: string;
  /** True when this review counts towards the requirement. */
  readonly counted: boolean;
  /** Why it counts (`team @org/team`, `CODEOWNERS @org/team`) or why not. */
  readonly reason: string;
  readonly reviewId: number;
}

export interface ApprovalResult {
  readonly approved: boolean;
  readonly required: number;
  /** Logins whose approval counts, in review order. */
  readonly approvers: readonly string[];
  readonly findings: readonly ApproverFinding[];
  /** Eligible reviewers whose latest review requests changes: they block. */
  readonly changesRequestedBy: readonly string[];
}

const lower = (s: string): string => s.toLowerCase();

function normaliseTeam(team: string): string {
  return lower(team.replace(/^@/, ''));
}

/** Why `login` may approve, or undefined when they may not. */
export function eligibilityOf(login: string, context: ApprovalContext): string | undefined {
  const user = lower(login);
  for (const team of context.approverTeams) {
    if (context.teamMembers.get(normaliseTeam(team))?.has(user))
      return `member of @${normaliseTeam(team)}`;
  }
  for (const allowed of context.approverUsers ?? []) {
    const name = allowed.replace(/^@/, '');
    if (lower(name) === user) return `allowed approver @${name}`;
  }
  for (const owner of context.codeOwners) {
    if (!owner.startsWith('@')) continue; // e-mail owners cannot be tied to a login
    const name = owner.slice(1);
    if (name.includes('/')) {
      if (context.teamMembers.get(normaliseTeam(name))?.has(user)) return `CODEOWNERS ${owner}`;
    } else if (lower(name) === user) return `CODEOWNERS ${owner}`;
  }
  return undefined;
}

/** Teams whose membership the rule needs to know, as `org/team` in lower case. */
export function teamsToResolve(
  approverTeams: readonly string[],
  codeOwners: readonly string[],
): string[] {
  const teams = new Set(approverTeams.map(normaliseTeam));
  for (const owner of codeOwners) if (/^@[^/]+\/.+/.test(owner)) teams.add(normaliseTeam(owner));
  return [...teams].sort();
}

/**
 * Applies the rule. Each reviewer's latest decisive review (approve, request changes, dismissed)
 * stands, as on GitHub; comments do not change it.
 */
export function evaluateApproval(context: ApprovalContext): ApprovalResult {
  const latest = new Map<string, ReviewRecord>();
  const ordered = [...context.reviews].sort((a, b) =>
    (a.submittedAt ?? '') === (b.submittedAt ?? '')
      ? a.id - b.id
      : (a.submittedAt ?? '') < (b.submittedAt ?? '')
        ? -1
        : 1,
  );
  for (const review of ordered) {
    if (review.state === 'COMMENTED' || review.state === 'PENDING') continue;
    latest.set(lower(review.user), review);
  }
  const author = lower(context.author);
  const pushers = new Set(context.lastPushers.map(lower));
  const findings: ApproverFinding[] = [];
  const approvers: string[] = [];
  const changesRequestedBy: string[] = [];
  for (const review of latest.values()) {
    const login = review.user;
    const eligible = eligibilityOf(login, context);
    if (review.state === 'CHANGES_REQUESTED') {
      if (eligible) changesRequestedBy.push(login);
      continue;
    }
    if (review.state !== 'APPROVED') continue;
    const who = lower(login);
    let reason: string;
    let counted = false;
    if (who === author) reason = 'is the pull request author';
    else if (pushers.has(who)) reason = 'pushed the latest commit';
    else if (review.commitId !== context.headSha)
      reason = `stale: approved ${review.commitId.slice(0, 7)}, before the last push`;
    else if (!eligible) reason = 'not in an approver team and not a CODEOWNERS owner of the file';
    else {
      reason = eligible;
      counted = true;
      approvers.push(login);
    }
    findings.push({ login, counted, reason, reviewId: review.id });
  }
  const approved =
    context.required === 0 ||
    (changesRequestedBy.length === 0 && approvers.length >= context.required);
  return { approved, required: context.required, approvers, findings, changesRequestedBy };
}
