/**
 * Renderings of a PolicyReport: plain text (terminal), Markdown (job summary and pull-request
 * comment, with a hidden marker so one comment is updated in place), SARIF 2.1.0 (code scanning)
 * and annotations (one per failing finding). Pure functions of the report.
 */
import type { Finding, PolicyReport } from './model.ts';

/** The hidden marker that identifies vouch's policy comment on a pull request. */
export const COMMENT_MARKER = '<!-- vouch:policy-report -->';

const MAX_ROWS = 200;

const where = (f: Finding): string =>
  `${f.component.name}${f.component.version !== undefined ? `@${f.component.version}` : ''}`;

function headline(report: PolicyReport): string {
  const c = report.counts;
  const verdict = report.verdict === 'pass' ? 'passed' : 'failed';
  const mode =
    report.mode === 'warn-only'
      ? ' (warn-only: reported only; never accepted by the release gate)'
      : '';
  return `Policy ${verdict}${mode}: ${c.fail} failing, ${c.warn} warnings, ${c.waived} waived by exceptions; ${report.sbom.evaluated} of ${report.sbom.components} components in scope`;
}

/** Why the release gate will refuse this report, in one line; undefined when it is eligible. */
function gateNote(report: PolicyReport): string | undefined {
  if (report.gateEligible) return undefined;
  const reasons = report.gateIneligibleReasons ?? [];
  return `not accepted by the release gate${reasons.length ? `: ${reasons.join('; ')}` : ''}`;
}

export function formatText(report: PolicyReport): string {
  const lines = [headline(report)];
  const gate = gateNote(report);
  if (gate) lines.push(`  GATE   ${gate}`);
  for (const f of report.findings) {
    const tag = f.status === 'fail' ? 'FAIL' : f.status === 'warn' ? 'WARN' : 'WAIVED';
    lines.push(`  ${tag.padEnd(6)} ${f.id}  ${where(f)}  ${f.message}`);
    if (f.waivedBy)
      lines.push(
        `         waived by exception #${f.waivedBy.index + 1} (${f.waivedBy.owner}, expires ${f.waivedBy.expires})`,
      );
    if (f.expiredException)
      lines.push(
        `         exception #${f.expiredException.index + 1} expired on ${f.expiredException.expires}; it no longer waives this`,
      );
    for (const n of f.notes ?? []) lines.push(`         note: ${n}`);
  }
  for (const p of report.exceptions.problems)
    lines.push(
      `  ${p.level === 'error' ? 'ERROR ' : 'NOTE  '} exception #${p.exception.index + 1}: ${p.message}`,
    );
  for (const u of report.exceptions.unused)
    lines.push(
      `  UNUSED exception #${u.index + 1}: ${u.id} for ${u.package} matches nothing (stale waiver)`,
    );
  for (const s of report.advisories.skipped)
    lines.push(`  SKIPPED advisory ${s.id} (${s.source}): ${s.reason}`);
  for (const w of report.advisories.warnings)
    if (!report.gateIneligibleReasons?.includes(w)) lines.push(`  DATA   ${w}`);
  return `${lines.join('\n')}\n`;
}

const md = (s: string): string =>
  s.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');

/** Markdown for the job summary and the pull-request comment (starts with COMMENT_MARKER). */
export function formatMarkdown(report: PolicyReport): string {
  const c = report.counts;
  const icon = report.verdict === 'pass' ? '✅' : '❌';
  const out: string[] = [
    COMMENT_MARKER,
    `## ${icon} vouch policy: ${report.verdict === 'pass' ? 'passed' : 'failed'}`,
    '',
  ];
  if (report.mode === 'warn-only') {
    out.push(
      '> [!WARNING]',
      '> **warn-only mode**: findings are reported but do not fail this step, and this report can never satisfy the release gate.',
      '',
    );
  }
  const gate = gateNote(report);
  if (gate) out.push('> [!CAUTION]', `> ${md(gate)}`, '');
  out.push(
    `| failing | warnings | waived | expired exceptions | unused exceptions | components in scope |`,
    `|---|---|---|---|---|---|`,
    `| ${c.fail} | ${c.warn} | ${c.waived} | ${c.expiredExceptions} | ${c.unusedExceptions} | ${report.sbom.evaluated} / ${report.sbom.components} |`,
    '',
  );
  const table = (title: string, list: readonly Finding[]): void => {
    if (list.length === 0) return;
    out.push(`### ${title}`, '', '| id | package | severity | details |', '|---|---|---|---|');
    for (const f of list.slice(0, MAX_ROWS)) {
      const extra = [
        f.fixedIn?.length ? `fixed in ${f.fixedIn.join(', ')}` : '',
        f.waivedBy
          ? `waived by #${f.waivedBy.index + 1} (${f.waivedBy.owner}) until ${f.waivedBy.expires}`
          : '',
        f.expiredException
          ? `exception #${f.expiredException.index + 1} **expired** ${f.expiredException.expires}`
          : '',
      ].filter(Boolean);
      out.push(
        `| ${md(f.id)} | ${md(where(f))} | ${f.severity ?? (f.kind === 'vulnerability' ? 'unknown' : '—')}${f.score !== undefined ? ` (${f.score.toFixed(1)})` : ''} | ${md(f.title)}${extra.length ? `<br>${extra.map(md).join('; ')}` : ''} |`,
      );
    }
    if (list.length > MAX_ROWS)
      out.push(`| … | ${list.length - MAX_ROWS} more in the JSON report | | |`);
    out.push('');
  };
  table(
    'Failing',
    report.findings.filter((f) => f.status === 'fail'),
  );
  table(
    'Warnings',
    report.findings.filter((f) => f.status === 'warn'),
  );
  table(
    'Waived by exceptions',
    report.findings.filter((f) => f.status === 'waived'),
  );
  const ex = report.exceptions;
  if (ex.problems.length || ex.unused.length) {
    out.push('### Exceptions', '');
    for (const p of ex.problems)
      out.push(
        `- ${p.level === 'error' ? '**invalid**' : p.code === 'EXPIRED' ? '**expired**' : 'note'}: #${p.exception.index + 1} ${md(p.message)}`,
      );
    for (const u of ex.unused)
      out.push(
        `- unused: #${u.index + 1} ${md(u.id)} for ${md(u.package)} matches nothing; remove it`,
      );
    out.push('');
  }
  if (report.advisories.skipped.length) {
    out.push('### Advisory records skipped', '');
    for (const s of report.advisories.skipped)
      out.push(`- ${md(s.id)} (${md(s.source)}): ${md(s.reason)}`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

export interface Annotation {
  readonly level: 'error' | 'warning' | 'notice';
  readonly title: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
}

/** One annotation per failing finding, warning and exception problem (capped by the caller). */
export function buildAnnotations(
  report: PolicyReport,
  files: { sbom?: string; exceptions?: string } = {},
): Annotation[] {
  const out: Annotation[] = [];
  for (const f of report.findings) {
    if (f.status === 'waived') continue;
    out.push({
      level: f.status === 'fail' && report.mode === 'enforce' ? 'error' : 'warning',
      title: `${f.id} in ${where(f)}`,
      message: f.message,
      ...(files.sbom ? { file: files.sbom } : {}),
    });
  }
  for (const p of report.exceptions.problems) {
    out.push({
      level: p.level === 'error' ? 'error' : 'warning',
      title: `exception #${p.exception.index + 1} (${p.code})`,
      message: p.message,
      ...(files.exceptions ? { file: files.exceptions } : {}),
      ...(p.exception.line !== undefined ? { line: p.exception.line } : {}),
    });
  }
  for (const u of report.exceptions.unused) {
    out.push({
      level: 'notice',
      title: `unused exception #${u.index + 1}`,
      message: `${u.id} for ${u.package} matches nothing; remove it`,
      ...(files.exceptions ? { file: files.exceptions } : {}),
      ...(u.line !== undefined ? { line: u.line } : {}),
    });
  }
  return out;
}

const SECURITY_SEVERITY = { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0' } as const;

/**
 * A stable, short fingerprint (FNV-1a, 64-bit as hex) for SARIF partialFingerprints. The 64-bit
 * state is kept as four 16-bit limbs (exact in doubles), not as a BigInt per character.
 */
function fingerprint(text: string): string {
  // Offset basis 0xcbf29ce484222325, lowest limb first.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (let i = 0; i < text.length; i++) {
    h0 ^= text.charCodeAt(i);
    // × 0x100000001b3 = × 0x1b3 plus a shift left by 40 bits (limb 2, bit 8), mod 2^64.
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16);
    const t3 = h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  const hex = (limb: number): string => limb.toString(16).padStart(4, '0');
  return hex(h3) + hex(h2) + hex(h1) + hex(h0);
}

/**
 * SARIF 2.1.0 log for GitHub code scanning. Every result points at the SBOM file (the finding is
 * about a component listed there) or at the exceptions file line; waived findings are kept as
 * suppressed results so that code scanning shows them as dismissed, not fixed.
 */
export function buildSarif(
  report: PolicyReport,
  files: { sbom: string; exceptions?: string },
  informationUri = 'https://github.com/vouch/vouch',
): Record<string, unknown> {
  const rules = new Map<string, Record<string, unknown>>();
  const ruleIdx = new Map<string, number>();
  const results: Record<string, unknown>[] = [];
  const ruleIndex = (f: Finding): number => {
    const id = f.id;
    if (!rules.has(id)) {
      const tags =
        f.kind === 'vulnerability'
          ? ['security', 'vulnerability', 'dependency']
          : f.kind === 'ban'
            ? ['security', 'banned-package']
            : ['license'];
      rules.set(id, {
        id,
        name:
          f.kind === 'vulnerability'
            ? 'VulnerableDependency'
            : f.kind === 'ban'
              ? 'BannedPackage'
              : 'DisallowedLicense',
        shortDescription: { text: f.title.slice(0, 1000) || id },
        fullDescription: {
          text: (f.kind === 'vulnerability'
            ? `${f.title} (${f.aliases.join(', ')})`
            : f.title
          ).slice(0, 1000),
        },
        helpUri:
          f.kind === 'vulnerability' && id.startsWith('GHSA-')
            ? `https://github.com/advisories/${id}`
            : informationUri,
        help: {
          text:
            f.kind === 'vulnerability'
              ? 'Upgrade to a fixed version, or add an approved, expiring exception.'
              : 'Replace the package, or add an approved, expiring exception.',
        },
        defaultConfiguration: { level: 'error' },
        properties: {
          tags,
          ...(f.severity
            ? {
                'security-severity':
                  f.score !== undefined ? f.score.toFixed(1) : SECURITY_SEVERITY[f.severity],
              }
            : {}),
          ...(f.kind === 'vulnerability' ? { aliases: [...f.aliases] } : {}),
        },
      });
    }
    if (!ruleIdx.has(id)) ruleIdx.set(id, ruleIdx.size);
    return ruleIdx.get(id)!;
  };
  for (const f of report.findings) {
    const index = ruleIndex(f);
    results.push({
      ruleId: f.id,
      ruleIndex: index,
      level: f.status === 'fail' ? 'error' : f.status === 'warn' ? 'warning' : 'note',
      message: { text: f.message },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: files.sbom }, region: { startLine: 1 } },
          logicalLocations: [{ name: f.component.purl ?? f.component.name, kind: 'module' }],
        },
      ],
      partialFingerprints: {
        'vouchFinding/v1': fingerprint(
          `${f.id}|${f.component.purl ?? f.component.name}|${f.component.version ?? ''}`,
        ),
      },
      ...(f.waivedBy
        ? {
            suppressions: [
              {
                kind: 'external',
                status: 'accepted',
                justification: `exception #${f.waivedBy.index + 1} by ${f.waivedBy.owner}, approved in ${f.waivedBy.approval}, expires ${f.waivedBy.expires}`,
              },
            ],
          }
        : {}),
      properties: { status: f.status, ...(f.fixedIn ? { fixedIn: [...f.fixedIn] } : {}) },
    });
  }
  for (const p of report.exceptions.problems.filter((x) => x.level === 'error')) {
    const id = `exception/${p.code}`;
    if (!rules.has(id)) {
      rules.set(id, {
        id,
        name: 'InvalidException',
        shortDescription: { text: 'An exception breaks the remediation window or the clock rules' },
        defaultConfiguration: { level: 'error' },
        properties: { tags: ['exceptions'] },
      });
    }
    results.push({
      ruleId: id,
      ruleIndex: ruleIdx.has(id) ? ruleIdx.get(id)! : ruleIdx.set(id, ruleIdx.size).get(id)!,
      level: 'error',
      message: { text: p.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: files.exceptions ?? files.sbom },
            region: { startLine: p.exception.line ?? 1 },
          },
        },
      ],
      partialFingerprints: {
        'vouchFinding/v1': fingerprint(`${id}|${p.exception.index}|${p.exception.id}`),
      },
    });
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'vouch-policy',
            semanticVersion: report.tool.version,
            version: report.tool.version,
            informationUri,
            rules: [...rules.values()],
          },
        },
        automationDetails: { id: 'vouch/policy/' },
        results,
        properties: {
          verdict: report.verdict,
          mode: report.mode,
          gateEligible: report.gateEligible,
          ...(report.gateIneligibleReasons
            ? { gateIneligibleReasons: report.gateIneligibleReasons }
            : {}),
        },
      },
    ],
  };
}
