/** Turns an AttestResult into the JSON report (CLI --json) and the Markdown job summary. */
import type { AttestResult } from './attest.ts';

export interface AttestReport {
  readonly predicateType: string;
  readonly subjectCount: number;
  readonly subjects: readonly { name: string; sha256: string }[];
  readonly bundles: readonly string[];
  readonly jsonl?: string;
  readonly buildContext?: 'github' | 'local';
  readonly attestations: readonly { bundle: string; subjects: number; id?: string; url?: string }[];
  readonly stores: readonly {
    store: string;
    ok: boolean;
    location?: string;
    subjects: number;
    error?: { code: string; message: string };
  }[];
  readonly ok: boolean;
}

export function toReport(result: AttestResult): AttestReport {
  return {
    predicateType: result.predicateType,
    subjectCount: result.subjects.length,
    subjects: result.subjects.map((s) => ({ name: s.name, sha256: s.digest['sha256'] ?? '' })),
    bundles: result.attestations.map((a) => a.bundlePath),
    ...(result.jsonlPath ? { jsonl: result.jsonlPath } : {}),
    ...(result.buildContext ? { buildContext: result.buildContext.kind } : {}),
    attestations: result.attestations.map((a) => ({
      bundle: a.bundlePath,
      subjects: a.subjects.length,
      ...(a.attestationId ? { id: a.attestationId } : {}),
      ...(a.attestationUrl ? { url: a.attestationUrl } : {}),
    })),
    stores: result.outcomes.map((o) => ({
      store: o.store,
      ok: o.ok,
      subjects: o.subjects.length,
      ...(o.location ? { location: o.location } : {}),
      ...(o.error ? { error: o.error } : {}),
    })),
    ok: result.outcomes.every((o) => o.ok),
  };
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

/** Markdown for the job summary: the subjects, then where each attestation went. */
export function renderSummary(result: AttestResult, title: string, maxRows = 200): string {
  const lines = [`### ${title}`, ''];
  lines.push(`Predicate type: \`${result.predicateType}\` · ${result.subjects.length} subject(s)`);
  if (result.buildContext?.kind === 'local')
    lines.push('', '**Local build** (not a GitHub Actions build).');
  lines.push('', '| subject | sha256 |', '|---|---|');
  for (const s of result.subjects.slice(0, maxRows))
    lines.push(`| ${cell(s.name)} | \`${s.digest['sha256']}\` |`);
  if (result.subjects.length > maxRows)
    lines.push(`| … ${result.subjects.length - maxRows} more | |`);
  lines.push('', '| store | subjects | result |', '|---|---|---|');
  for (const o of result.outcomes.slice(0, maxRows)) {
    const who = o.subjects.length === 1 ? o.subjects[0]!.name : `${o.subjects.length} subjects`;
    lines.push(
      `| ${cell(o.store)} | ${cell(who)} | ${o.ok ? `stored: ${cell(o.location ?? '')}` : `**failed** [${o.error?.code}] ${cell(o.error?.message ?? '')}`} |`,
    );
  }
  if (result.outcomes.length > maxRows)
    lines.push(`| … ${result.outcomes.length - maxRows} more | | |`);
  return `${lines.join('\n')}\n`;
}
