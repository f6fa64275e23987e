/**
 * The evidence manifest (manifest.json at the root of the evidence directory): the verdict, the
 * digest of every input, and for every release file which evidence file proves (or disproves)
 * which check. Signing the manifest covers everything it lists.
 */
import type {
  BundleOrigin,
  ExceptionApproval,
  ExceptionsEvidence,
  GateCheck,
  GateDecision,
  Refusal,
} from './model.ts';

export const EVIDENCE_MANIFEST_MEDIA_TYPE = 'application/vnd.vouch.evidence-manifest.v1+json';

export type InputRole =
  | 'release-file'
  | 'bundle'
  /** A bundle that was read but matched no release file (kept to show what was offered). */
  | 'bundle-unmatched'
  | 'policy'
  | 'exceptions'
  | 'advisories'
  | 'trusted-keys'
  | 'public-key'
  | 'trusted-root';

export interface DigestedFile {
  /** Path: for inputs, as given (relative to the workspace); for evidence, relative to the evidence directory. */
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

export interface ManifestInput extends DigestedFile {
  readonly role: InputRole;
  /** For bundles read from a remote source: the source and the URL it was read from. */
  readonly origin?: BundleOrigin;
}

export type EvidenceRole =
  | 'verification-report'
  | 'policy-report'
  | 'exceptions-report'
  | 'vsa'
  | 'summary'
  | 'bundle'
  /** A copy of a bundle that was read but matched no release file. */
  | 'bundle-unmatched';

export interface ManifestEvidence extends DigestedFile {
  readonly role: EvidenceRole;
  /** The release file the evidence is about, when it is about one. */
  readonly file?: string;
}

export interface ManifestCheck {
  readonly check: GateCheck;
  readonly status: 'pass' | 'fail';
  readonly code?: string;
  readonly message: string;
  /** Evidence paths, relative to the evidence directory, that prove this check's outcome. */
  readonly provenBy: readonly string[];
}

export interface ManifestFile {
  readonly name: string;
  readonly sha256: string;
  readonly size: number;
  readonly verdict: 'pass' | 'fail';
  readonly vsa?: string;
  readonly checks: readonly ManifestCheck[];
}

export interface EvidenceManifest {
  readonly mediaType: typeof EVIDENCE_MANIFEST_MEDIA_TYPE;
  readonly tool: { readonly name: 'vouch'; readonly version: string };
  readonly createdAt: string;
  readonly verdict: 'pass' | 'refuse';
  readonly files: readonly ManifestFile[];
  readonly refusals: readonly Refusal[];
  readonly exceptions: {
    readonly source: ExceptionsEvidence['source'];
    readonly repository?: string;
    readonly path?: string;
    readonly ref?: string;
    readonly commit?: string;
    readonly branchFrom?: ExceptionsEvidence['branchFrom'];
    readonly protection?: ExceptionsEvidence['protection'];
    readonly note?: string;
    readonly fromReleaseTree: boolean;
    /** Per exception, whether its approval link was confirmed (GitHub mode). */
    readonly approvals?: readonly ExceptionApproval[];
  };
  readonly inputs: readonly ManifestInput[];
  readonly evidence: readonly ManifestEvidence[];
}

export interface ManifestParts {
  readonly version: string;
  readonly decision: GateDecision;
  readonly exceptions: ExceptionsEvidence;
  readonly inputs: readonly ManifestInput[];
  readonly evidence: readonly ManifestEvidence[];
  /** Maps a workspace path of a bundle or report to its path inside the evidence directory. */
  readonly evidencePathOf: (workspacePath: string) => string;
  /** Path of each release file's VSA inside the evidence directory. */
  readonly vsaOf: (file: string) => string | undefined;
}

const byPath = <T extends { path: string }>(a: T, b: T): number =>
  a.path < b.path ? -1 : a.path > b.path ? 1 : 0;

export function buildEvidenceManifest(parts: ManifestParts): EvidenceManifest {
  const { decision, exceptions } = parts;
  return {
    mediaType: EVIDENCE_MANIFEST_MEDIA_TYPE,
    tool: { name: 'vouch', version: parts.version },
    createdAt: decision.decidedAt,
    verdict: decision.verdict,
    files: decision.files.map((f) => {
      const vsa = parts.vsaOf(f.file.name);
      return {
        name: f.file.name,
        sha256: f.file.sha256,
        size: f.file.size,
        verdict: f.verdict,
        ...(vsa ? { vsa } : {}),
        checks: f.checks.map((c) => ({
          check: c.check,
          status: c.status,
          ...(c.code ? { code: c.code } : {}),
          message: c.message,
          provenBy: c.evidence.map((e) => parts.evidencePathOf(e)),
        })),
      };
    }),
    refusals: decision.refusals,
    exceptions: {
      source: exceptions.source,
      ...(exceptions.repository ? { repository: exceptions.repository } : {}),
      ...(exceptions.path ? { path: exceptions.path } : {}),
      ...(exceptions.ref ? { ref: exceptions.ref } : {}),
      ...(exceptions.commit ? { commit: exceptions.commit } : {}),
      ...(exceptions.branchFrom ? { branchFrom: exceptions.branchFrom } : {}),
      ...(exceptions.protection ? { protection: exceptions.protection } : {}),
      ...(exceptions.note ? { note: exceptions.note } : {}),
      fromReleaseTree: exceptions.fromReleaseTree,
      ...(exceptions.approvals ? { approvals: exceptions.approvals } : {}),
    },
    inputs: [...parts.inputs].sort(byPath),
    evidence: [...parts.evidence].sort(byPath),
  };
}

const MARK = { pass: 'pass', fail: 'FAIL' } as const;
const HEADERS = ['release file', 'signature', 'provenance', 'sbom', 'policy', 'verdict'];

function cells(decision: GateDecision): string[][] {
  return decision.files.map((f) => [
    f.file.name,
    ...f.checks.map((c) =>
      c.status === 'pass' ? MARK.pass : `${MARK.fail} ${c.code ?? ''}`.trim(),
    ),
    f.verdict === 'pass' ? 'PASS' : 'REFUSED',
  ]);
}

const PROTECTION = {
  confirmed: 'protected branch (confirmed through the GitHub API)',
  unprotected: 'NOT a protected branch',
  'not-confirmed': 'local ref, protection not confirmed',
} as const;

/** One line saying where the exceptions came from, or undefined when none were given. */
export function describeExceptionsSource(exceptions: ExceptionsEvidence): string | undefined {
  if (exceptions.source === 'none') return undefined;
  if (exceptions.source === 'file') {
    return `${exceptions.path ?? 'exceptions file'} from the tree being released (not honoured)`;
  }
  const where = `${exceptions.repository ? `${exceptions.repository}@` : ''}${exceptions.ref ?? '?'}`;
  const commit = exceptions.commit ? ` (${exceptions.commit.slice(0, 12)})` : '';
  const protection = exceptions.protection ? `: ${PROTECTION[exceptions.protection]}` : '';
  return `${exceptions.path ?? 'exceptions file'} at ${where}${commit}${protection}`;
}

function approvalOutcome(a: ExceptionApproval): string {
  if (!a.checked) return 'not checked';
  if (a.verified) {
    return `confirmed: #${a.pullRequest ?? '?'} merged, approved by ${a.approvers.join(', ')}`;
  }
  return `NOT confirmed: ${a.reason ?? 'unknown reason'}`;
}

/** The verdict as a plain-text table for a terminal. */
export function renderVerdictText(
  decision: GateDecision,
  evidencePath: string,
  exceptions?: ExceptionsEvidence,
): string {
  const rows = [HEADERS, ...cells(decision)];
  const widths = HEADERS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [
    line(rows[0]!),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
  ];
  out.push('');
  const waivers = decision.files.flatMap((f) =>
    f.checks
      .filter((c) => c.check === 'policy' && c.status === 'pass' && c.message.includes('waived'))
      .map((c) => `  - ${f.file.name}: ${c.message}`),
  );
  if (waivers.length > 0) out.push('Waived by approved exceptions:', ...waivers, '');
  const source = exceptions ? describeExceptionsSource(exceptions) : undefined;
  if (source) {
    out.push(`Exceptions: ${source}`);
    for (const a of exceptions?.approvals ?? []) {
      out.push(`  - ${a.exceptionId} (${a.package}): ${approvalOutcome(a)}`);
    }
    out.push('');
  }
  if (decision.refusals.length > 0) {
    out.push('Refused:');
    for (const r of decision.refusals) {
      out.push(`  - [${r.code}] ${r.file ? `${r.file}: ` : ''}${r.check}: ${r.message}`);
    }
    out.push('');
  }
  out.push(
    `Verdict: ${decision.verdict === 'pass' ? 'PASS: the release may ship' : 'REFUSED: the release must not ship'}`,
  );
  out.push(`Evidence: ${evidencePath}`);
  return `${out.join('\n')}\n`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The verdict as Markdown for a job summary. */
export function renderVerdictMarkdown(
  decision: GateDecision,
  evidencePath: string,
  exceptions?: ExceptionsEvidence,
): string {
  const out = [
    `## vouch gate: ${decision.verdict === 'pass' ? 'release may ship' : 'release refused'}`,
    '',
    `| ${HEADERS.join(' | ')} |`,
    `|${HEADERS.map(() => '---').join('|')}|`,
    ...cells(decision).map(
      (r) =>
        `| ${r.map((c, i) => (i === 0 ? `\`${escapeCell(c)}\`` : escapeCell(c))).join(' | ')} |`,
    ),
    '',
  ];
  if (decision.refusals.length > 0) {
    out.push('### Refusals', '', '| file | check | code | reason |', '|---|---|---|---|');
    for (const r of decision.refusals) {
      out.push(
        `| ${r.file ? `\`${escapeCell(r.file)}\`` : '(release)'} | ${r.check} | \`${r.code}\` | ${escapeCell(r.message)} |`,
      );
    }
    out.push('');
  }
  const source = exceptions ? describeExceptionsSource(exceptions) : undefined;
  if (source) {
    out.push('### Exceptions', '', escapeCell(source), '');
    const approvals = exceptions?.approvals ?? [];
    if (approvals.length > 0) {
      out.push('| exception | package | approval | result |', '|---|---|---|---|');
      for (const a of approvals) {
        out.push(
          `| \`${escapeCell(a.exceptionId)}\` | \`${escapeCell(a.package)}\` | ${escapeCell(a.approval)} | ${escapeCell(approvalOutcome(a))} |`,
        );
      }
      out.push('');
    }
  }
  out.push(`Evidence: \`${escapeCell(evidencePath)}\``, '');
  return out.join('\n');
}
