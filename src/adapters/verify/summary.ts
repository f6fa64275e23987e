/** The job summary of a verify run: one row per artifact. */
import type { VerifyResult } from './verify-artifacts.ts';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

export function formatVerifySummary(result: VerifyResult): string {
  const rows = result.artifacts.map((a) => {
    const signer =
      a.signer?.type === 'certificate'
        ? (a.signer.identity ?? '')
        : a.signer
          ? `key ${a.signer.hint}`
          : '';
    const log = (a.tlog ?? []).map((t) => t.logIndex).join(', ');
    const predicate = a.predicate?.type ?? (a.verdict === 'pass' ? 'signature' : '');
    const outcome =
      a.verdict === 'pass' ? '✅ pass' : `❌ \`${a.error?.code}\` ${a.error?.message ?? ''}`;
    return `| \`${cell(a.artifact)}\` | ${cell(outcome)} | ${cell(signer)} | ${cell(log)} | ${cell(predicate)} |`;
  });
  const failed = result.artifacts.filter((a) => a.verdict === 'fail').length;
  return [
    `### vouch verify: ${failed === 0 ? 'all artifacts verified' : `${failed} of ${result.artifacts.length} failed`}`,
    '',
    `Trust root: ${cell(result.trustRoot)}`,
    '',
    '| artifact | verdict | signer | log index | predicate |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
