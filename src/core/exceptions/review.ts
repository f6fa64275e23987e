/**
 * The review of one pull request that touches the exceptions file: what changed, whether the
 * head version is valid, whether a waiver rides in with the dependency it waives, and whether
 * the approval rule is met. Produces the verdict and the Markdown of the one pull-request
 * comment. Pure: every fact comes in as an argument.
 */
import { evaluateApproval, type ApprovalContext, type ApprovalResult } from './approval.ts';
import {
  diffExceptions,
  needsApproval,
  packageKey,
  type DependencyChange,
  type DependencyDiff,
  type ExceptionChange,
} from './diff.ts';
import { VouchError } from '../../errors.ts';
import type { AdvisoryDatabase } from '../osv/database.ts';
import { parseYamlSafe } from '../safe-parse.ts';
import {
  DEFAULT_REMEDIATION_WINDOWS,
  type ExceptionsFile,
  type PolicyException,
  type RemediationWindows,
  type Severity,
} from './model.ts';
import { checkExceptions } from './parse.ts';
import { validateExceptions, windowFor } from './validate.ts';

/** Hidden marker that identifies the one comment this review keeps up to date. */
export const REVIEW_COMMENT_MARKER = '<!-- vouch:exceptions-review -->';

export interface ReviewProblem {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly code?: string;
  readonly line?: number;
  readonly column?: number;
  /** Index of the entry in the head file the problem is about. */
  readonly entry?: number;
}

/**
 * Severities of advisories, by id or alias: what sets the remediation window of a vulnerability
 * exception. An advisory database (src/core/osv/database.ts) gives one through `advisorySeveritiesOf`.
 */
export interface AdvisorySeverities {
  /** The most severe assessment over the alias group `id` belongs to; undefined when unknown. */
  severityOf(id: string): Severity | undefined;
  /** True when some record of the advisory data is, or is an alias of, `id`. */
  knows(id: string): boolean;
  /** The canonical id of the group (`id` itself when unknown). */
  canonicalId(id: string): string;
}

/** What set the window an exception's expiry is checked against. */
export type WindowBasis =
  /** The severity of the exception's advisory (or alias) in the advisory data. */
  | 'severity'
  /** `license:` and `ban:` exceptions have no severity: the longest window (as the policy applies). */
  | 'license'
  | 'ban'
  /** No advisory data was given: the longest window caps it. */
  | 'no-advisory-data'
  /** Advisory data was given but holds no record with this id or alias. */
  | 'advisory-not-found'
  /** The advisory's records give no severity. */
  | 'no-severity';

export interface ExceptionWindow {
  /** Days allowed between `created` and `expires`. */
  readonly days: number;
  readonly basis: WindowBasis;
  readonly severity?: Severity;
  /** Canonical id of the advisory the severity came from. */
  readonly advisory?: string;
}

/** The severities an advisory database knows, by id or alias. */
export function advisorySeveritiesOf(
  db: Pick<AdvisoryDatabase, 'records' | 'canonicalId' | 'severityOfId'>,
): AdvisorySeverities {
  let groups: Set<string> | undefined;
  const known = (id: string): boolean => {
    groups ??= new Set(db.records.map((r) => db.canonicalId(r.id)));
    return groups.has(db.canonicalId(id));
  };
  // Exception ids match case-insensitively (as the policy applies them); advisory ids are spelt
  // `GHSA-xxxx-xxxx-xxxx`, `CVE-…`, `RUSTSEC-…`.
  const spelling = (id: string): string => {
    const ghsa = /^ghsa-(.+)$/i.exec(id);
    const candidates = [id, ghsa ? `GHSA-${ghsa[1]!.toLowerCase()}` : id.toUpperCase()];
    return candidates.find(known) ?? id;
  };
  return {
    severityOf: (id) => db.severityOfId(spelling(id)).severity,
    canonicalId: (id) => db.canonicalId(spelling(id)),
    knows: (id) => known(spelling(id)),
  };
}

/** The window that caps one exception, and why. */
export function exceptionWindow(
  exception: PolicyException,
  windows: RemediationWindows,
  advisories: AdvisorySeverities | undefined,
): ExceptionWindow {
  const longest = windowFor(windows, undefined);
  if (/^license:/i.test(exception.id)) return { days: longest, basis: 'license' };
  if (/^ban:/i.test(exception.id)) return { days: longest, basis: 'ban' };
  if (!advisories) return { days: longest, basis: 'no-advisory-data' };
  if (!advisories.knows(exception.id)) return { days: longest, basis: 'advisory-not-found' };
  const advisory = advisories.canonicalId(exception.id);
  const severity = advisories.severityOf(exception.id);
  if (!severity) return { days: longest, basis: 'no-severity', advisory };
  return { days: windows[severity], basis: 'severity', severity, advisory };
}

/** A short description of a window, for the comment and the CLI. */
export function describeWindow(w: ExceptionWindow): string {
  switch (w.basis) {
    case 'severity':
      return `${w.days}-day ${w.severity} window (${w.advisory})`;
    case 'license':
    case 'ban':
      return `${w.days}-day window (longest; ${w.basis} exceptions have no severity)`;
    case 'no-advisory-data':
      return `${w.days}-day window (longest: no advisory data given)`;
    case 'advisory-not-found':
      return `${w.days}-day window (longest: advisory not in the advisory data)`;
    case 'no-severity':
      return `${w.days}-day window (longest: ${w.advisory} gives no severity)`;
  }
}

export type ReviewSide =
  | { readonly state: 'absent' }
  | {
      readonly state: 'parsed';
      readonly file: ExceptionsFile;
      readonly problems: readonly ReviewProblem[];
      /** The window of each entry, by index. */
      readonly windows?: readonly ExceptionWindow[];
    }
  | {
      readonly state: 'invalid';
      /** The error code a parse of this text gives (EXCEPTIONS_INVALID, YAML_INVALID, UNSAFE_KEY …). */
      readonly code: string;
      /** Each problem the parser found, with its position. */
      readonly problems: readonly SyntaxProblem[];
    };

export interface SyntaxProblem {
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

function position(p: SyntaxProblem): string {
  return p.line !== undefined
    ? `line ${p.line}${p.column !== undefined ? `, column ${p.column}` : ''}`
    : '';
}

export interface ReviewFacts {
  /** Repository-relative path of the exceptions file. */
  readonly path: string;
  readonly base: ReviewSide;
  readonly head: ReviewSide;
  readonly dependencies: DependencyDiff;
  /** Everything the approval rule needs except the count, which the review decides. */
  readonly approval: Omit<ApprovalContext, 'required'>;
}

export interface ReviewedChange {
  readonly change: ExceptionChange;
  readonly needsApproval: boolean;
  /** Dependencies the same pull request adds or upgrades that this waiver covers. */
  readonly ridesWith: readonly DependencyChange[];
  /** The remediation window the head entry's expiry was checked against. */
  readonly window?: ExceptionWindow;
}

export type ReviewVerdict = 'pass' | 'fail';

export interface ReviewOutcome {
  readonly verdict: ReviewVerdict;
  /** One line per reason the change is blocked; empty when it passes. */
  readonly reasons: readonly string[];
  readonly changes: readonly ReviewedChange[];
  readonly approval: ApprovalResult;
  readonly head: ReviewSide;
  readonly path: string;
  readonly headSha: string;
  /** Dependency files whose head could not be read (treated as adding every package). */
  readonly unreadableDependencyFiles: readonly string[];
  /** Things the reviewer should know that do not block by themselves (shown with ⚠️). */
  readonly warnings: readonly string[];
}

function ridersOf(change: ExceptionChange, dependencies: DependencyDiff): DependencyChange[] {
  const entry = change.head;
  if (!entry || !needsApproval(change)) return [];
  const key = packageKey(entry.package);
  return dependencies.changes.filter((d) => d.package === key);
}

/** Decides the review. A head that does not parse or validate blocks, whatever the approvals. */
export function evaluateReview(facts: ReviewFacts): ReviewOutcome {
  const reasons: string[] = [];
  const baseFile = facts.base.state === 'parsed' ? facts.base.file : undefined;
  let headFile: ExceptionsFile | undefined;
  if (facts.head.state === 'invalid') {
    const first = facts.head.problems[0];
    const at = first && position(first) ? ` (${position(first)})` : '';
    reasons.push(
      `${facts.path} does not parse${at}: [${facts.head.code}] ${first?.message ?? 'unreadable'}`,
    );
  } else if (facts.head.state === 'parsed') {
    headFile = facts.head.file;
  }
  const diff = facts.head.state === 'invalid' ? [] : diffExceptions(baseFile, headFile);
  if (facts.head.state === 'parsed' && headFile) {
    // Problems of entries this change adds or alters block it; others are shown as they are.
    const touched = new Set(diff.filter(needsApproval).map((c) => c.head));
    const blocking = facts.head.problems.filter(
      (p) =>
        p.severity === 'error' &&
        (p.entry === undefined || touched.has(headFile.exceptions[p.entry])),
    );
    if (blocking.length > 0)
      reasons.push(
        `${facts.path}: ${blocking.length} validation error(s) in the entries this change adds or alters`,
      );
  }
  const unreadable = facts.dependencies.unreadable;
  const headWindows = facts.head.state === 'parsed' ? facts.head.windows : undefined;
  const windowOf = (change: ExceptionChange): ExceptionWindow | undefined => {
    if (!change.head || !headFile || !headWindows) return undefined;
    const index = headFile.exceptions.indexOf(change.head);
    return index >= 0 ? headWindows[index] : undefined;
  };
  const changes: ReviewedChange[] = diff.map((change) => {
    const ridesWith = ridersOf(change, facts.dependencies);
    const window = windowOf(change);
    return {
      change,
      needsApproval: needsApproval(change),
      ridesWith,
      ...(window ? { window } : {}),
    };
  });
  const warnings = windowWarnings(headWindows, headFile);
  const needing = changes.filter((c) => c.needsApproval);
  const riding =
    needing.some((c) => c.ridesWith.length > 0) || (needing.length > 0 && unreadable.length > 0);
  const required = facts.head.state === 'invalid' ? 1 : needing.length === 0 ? 0 : riding ? 2 : 1;
  const approval = evaluateApproval({ ...facts.approval, required });
  if (!approval.approved) {
    if (approval.changesRequestedBy.length > 0)
      reasons.push(
        `changes requested by ${approval.changesRequestedBy.map((l) => `@${l}`).join(', ')}`,
      );
    if (approval.approvers.length < required)
      reasons.push(
        `needs ${required} approval(s) from distinct eligible approvers${riding ? ' (a waiver rides in with the dependency it waives)' : ''}; has ${approval.approvers.length}`,
      );
  }
  return {
    verdict: reasons.length === 0 ? 'pass' : 'fail',
    reasons,
    changes,
    approval,
    head: facts.head,
    path: facts.path,
    headSha: facts.approval.headSha,
    unreadableDependencyFiles: unreadable,
    warnings,
  };
}

/** Says when expiries were capped by the longest window instead of their severity's. */
export function windowWarnings(
  windows: readonly ExceptionWindow[] | undefined,
  file: ExceptionsFile | undefined,
): string[] {
  if (!windows || !file) return [];
  const out: string[] = [];
  const withBasis = (basis: WindowBasis): string[] =>
    file.exceptions.filter((_, i) => windows[i]?.basis === basis).map((e) => e.id);
  const list = (ids: string[]): string =>
    ids.length > 5 ? `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more` : ids.join(', ');
  const noData = withBasis('no-advisory-data');
  if (noData.length > 0) {
    out.push(
      `No advisory data was given (the \`advisories\` input, \`--advisories\`), so the remediation windows were capped by the longest window (${windows.find((w) => w.basis === 'no-advisory-data')!.days} days) rather than by each advisory's severity: ${list(noData)}`,
    );
  }
  const missing = withBasis('advisory-not-found');
  if (missing.length > 0) {
    out.push(
      `Not found in the advisory data, so capped by the longest remediation window: ${list(missing)}`,
    );
  }
  const noSeverity = withBasis('no-severity');
  if (noSeverity.length > 0) {
    out.push(
      `The advisory data gives no severity, so capped by the longest remediation window: ${list(noSeverity)}`,
    );
  }
  return out;
}

function cell(text: string | undefined): string {
  if (text === undefined || text === '') return '—';
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')
    .replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}

function code(text: string | undefined): string {
  return text ? `\`${text.replace(/`/g, "'").replace(/\|/g, '\\|')}\`` : '—';
}

const KIND_LABEL: Record<string, string> = {
  added: 'added',
  changed: 'changed',
  extended: 'extended',
  removed: 'removed',
  shortened: 'shortened',
};

/** The Markdown body of the pull-request comment, starting with the hidden marker. */
export function renderReviewComment(outcome: ReviewOutcome): string {
  const lines: string[] = [REVIEW_COMMENT_MARKER];
  const ok = outcome.verdict === 'pass';
  lines.push(`### ${ok ? '✅' : '❌'} vouch exceptions review: ${ok ? 'approved' : 'blocked'}`, '');
  lines.push(`File \`${outcome.path}\` at \`${outcome.headSha.slice(0, 12)}\`.`, '');
  if (outcome.head.state === 'invalid') {
    const h = outcome.head;
    lines.push(`**The head version does not parse** [${h.code}]:`, '', '~~~');
    for (const p of h.problems) {
      const where = p.line !== undefined ? `:${p.line}:${p.column ?? 1}` : '';
      lines.push(`${outcome.path}${where}: ${p.message.replace(/~~~/g, '~ ~ ~')}`);
    }
    lines.push('~~~', '');
  }
  if (outcome.changes.length > 0) {
    lines.push('| change | exception | package | versions | expires | approval | notes |');
    lines.push('|---|---|---|---|---|---|---|');
    for (const c of outcome.changes) {
      const e = c.change.head ?? c.change.base!;
      const expires =
        c.change.base && c.change.head && c.change.base.expires !== c.change.head.expires
          ? `${c.change.base.expires} → ${c.change.head.expires}`
          : e.expires;
      const notes: string[] = [];
      if (c.window && c.needsApproval) notes.push(describeWindow(c.window));
      if (c.change.fields.length > 0 && c.change.kind !== 'added')
        notes.push(`fields: ${c.change.fields.join(', ')}`);
      for (const d of c.ridesWith)
        notes.push(
          `⚠️ this pull request ${d.kind === 'added' ? 'adds' : 'upgrades'} ${d.package} (${d.versions.join(', ')}) in ${d.file}`,
        );
      lines.push(
        `| ${KIND_LABEL[c.change.kind]} | ${code(e.id)} | ${code(e.package)} | ${cell(e.versions)} | ${expires} | ${c.needsApproval ? 'required' : 'not needed'} | ${cell(notes.join('; '))} |`,
      );
    }
    lines.push('');
  } else if (outcome.head.state !== 'invalid') {
    lines.push('No exception was added, changed, extended, removed or shortened.', '');
  }
  if (outcome.head.state === 'parsed' && outcome.head.problems.length > 0) {
    lines.push('**Validation**', '');
    for (const p of outcome.head.problems) {
      lines.push(
        `- ${p.severity === 'error' ? '❌' : '⚠️'} ${p.line ? `line ${p.line}: ` : ''}${p.code ? `[${p.code}] ` : ''}${cell(p.message)}`,
      );
    }
    lines.push('');
  }
  for (const w of outcome.warnings) lines.push(`⚠️ ${cell(w)}`, '');
  if (outcome.unreadableDependencyFiles.length > 0) {
    lines.push(
      `⚠️ Dependency files that could not be read: ${outcome.unreadableDependencyFiles.map((f) => `\`${f}\``).join(', ')}; a second approver is required.`,
      '',
    );
  }
  const a = outcome.approval;
  if (a.required > 0 || a.findings.length > 0) {
    lines.push(`**Approvals** (${a.approvers.length} of ${a.required} required)`, '');
    for (const f of a.findings)
      lines.push(`- ${f.counted ? '✅' : '➖'} @${f.login}: ${cell(f.reason)}`);
    for (const l of a.changesRequestedBy) lines.push(`- ❌ @${l}: requested changes`);
    if (a.findings.length === 0 && a.changesRequestedBy.length === 0)
      lines.push('- no approving review yet');
    lines.push('');
  }
  if (!ok) {
    lines.push('**Blocked because**', '');
    for (const r of outcome.reasons) lines.push(`- ${cell(r)}`);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/**
 * The remediation windows of a policy file (`remediation-windows`), defaults for the severities it
 * does not set. Only this key is read here; the policy command validates the whole file.
 */
export function remediationWindowsFromPolicy(text: string, source: string): RemediationWindows {
  const { value } = parseYamlSafe(text, source);
  const windows: Record<Severity, number> = { ...DEFAULT_REMEDIATION_WINDOWS };
  const raw =
    value !== null && typeof value === 'object'
      ? (value as Record<string, unknown>)['remediation-windows']
      : undefined;
  if (raw === undefined || raw === null) return windows;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new VouchError(
      'POLICY_INVALID',
      `${source}: remediation-windows must be a mapping of severity to days`,
    );
  }
  for (const [key, days] of Object.entries(raw as Record<string, unknown>)) {
    if (!(key in windows)) {
      throw new VouchError(
        'POLICY_INVALID',
        `${source}: remediation-windows has unknown severity "${key}"`,
      );
    }
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1) {
      throw new VouchError(
        'POLICY_INVALID',
        `${source}: remediation-windows.${key} must be a whole number of days`,
      );
    }
    windows[key as Severity] = days;
  }
  return windows;
}

export interface ReviewSideOptions {
  readonly windows: RemediationWindows;
  readonly now: Date;
  /** Severities of the waived advisories; without them, the longest window caps every expiry. */
  readonly advisories?: AdvisorySeverities;
}

/** The review side for one text: parsed and validated, or the parser's problems. */
export function readReviewSide(
  text: string | undefined,
  source: string,
  options: ReviewSideOptions,
): ReviewSide {
  if (text === undefined) return { state: 'absent' };
  let checked;
  try {
    checked = checkExceptions(text, source);
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return {
      state: 'invalid',
      code: e.code ?? 'EXCEPTIONS_INVALID',
      problems: [{ message: e.message ?? String(error) }],
    };
  }
  if (!checked.file || checked.problems.length > 0) {
    return { state: 'invalid', code: 'EXCEPTIONS_INVALID', problems: checked.problems };
  }
  const file = checked.file;
  const windows = file.exceptions.map((e) =>
    exceptionWindow(e, options.windows, options.advisories),
  );
  const severityByEntry = new Map(file.exceptions.map((e, i) => [e, windows[i]!.severity]));
  const problems: ReviewProblem[] = validateExceptions(file, {
    windows: options.windows,
    now: options.now,
    severityOf: (e) => severityByEntry.get(e),
    // With advisory data, two entries naming aliases of one advisory are duplicates (as at release).
    ...(options.advisories ? { canonicalId: options.advisories.canonicalId } : {}),
  }).map((p) => ({
    severity: p.level,
    code: p.code,
    message: p.message,
    ...(p.line !== undefined
      ? { line: p.line }
      : p.exception.line !== undefined
        ? { line: p.exception.line }
        : {}),
    entry: p.index,
  }));
  return { state: 'parsed', file, problems, windows };
}
