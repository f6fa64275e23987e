/** A Markdown job summary of an SBOM: counts by ecosystem and scope, top licenses, unknowns. */
import type { Sbom } from './model.ts';

function count<K extends string>(values: readonly K[]): [K, number][] {
  const m = new Map<K, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

function cell(text: string): string {
  return text.replace(/[|\\`*_<>[\]]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

export function summarizeSbom(sbom: Sbom, source: string, topN = 10): string {
  const comps = sbom.components;
  const lines = [
    `### SBOM: ${comps.length} components`,
    '',
    `From \`${cell(source)}\`${sbom.root ? ` for **${cell(sbom.root.name)}${sbom.root.version ? `@${cell(sbom.root.version)}` : ''}**` : ''}.`,
    '',
    '| ecosystem | required | optional | dev | total |',
    '|---|---|---|---|---|',
  ];
  for (const [eco] of count(comps.map((c) => c.ecosystem))) {
    const of = comps.filter((c) => c.ecosystem === eco);
    const n = (s: string): number => of.filter((c) => c.scope === s).length;
    lines.push(`| ${eco} | ${n('required')} | ${n('optional')} | ${n('dev')} | ${of.length} |`);
  }
  const licensed = comps.filter((c) => c.type !== 'file');
  const unknown = licensed.filter((c) => !c.license).length;
  lines.push('', '| license | components |', '|---|---|');
  for (const [license, n] of count(licensed.flatMap((c) => (c.license ? [c.license] : []))).slice(
    0,
    topN,
  ))
    lines.push(`| ${cell(license)} | ${n} |`);
  lines.push('', `Components with an unknown license: **${unknown}**.`, '');
  return lines.join('\n');
}
