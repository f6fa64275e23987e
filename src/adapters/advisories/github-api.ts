/**
 * GitHub's global security advisories (REST `GET /advisories`), converted to OSV records.
 * Queried with `affects=name@version` per ecosystem, paginated by the Link header. GitHub writes
 * vulnerable ranges as `>= 1.0.0, < 1.2.6`, `<= 2.0`, `= 3.3.6`: they become OSV events
 * (`introduced`, `fixed`, `last_affected`) or exact `versions`.
 */
import type { RawAdvisory } from '../../core/osv/database.ts';
import type { OsvAffected, OsvEvent, OsvRecord } from '../../core/osv/model.ts';
import { VouchError } from '../../errors.ts';
import { requestJson, type ApiOptions, type PackageQuery } from './osv-api.ts';

export const DEFAULT_GITHUB_API = 'https://api.github.com';
const PER_REQUEST = 100;

const OSV_TO_GITHUB: Readonly<Record<string, string>> = {
  npm: 'npm',
  'crates.io': 'rust',
  PyPI: 'pip',
  Maven: 'maven',
  Go: 'go',
  NuGet: 'nuget',
  RubyGems: 'rubygems',
  Packagist: 'composer',
  Pub: 'pub',
};
const GITHUB_TO_OSV = Object.fromEntries(Object.entries(OSV_TO_GITHUB).map(([k, v]) => [v, k]));

interface GithubAdvisory {
  ghsa_id: string;
  cve_id?: string | null;
  summary?: string;
  description?: string;
  severity?: string;
  published_at?: string;
  updated_at?: string;
  withdrawn_at?: string | null;
  identifiers?: Array<{ type: string; value: string }>;
  references?: string[];
  cvss?: { vector_string?: string | null } | null;
  cvss_severities?: {
    cvss_v3?: { vector_string?: string | null } | null;
    cvss_v4?: { vector_string?: string | null } | null;
  } | null;
  vulnerabilities?: Array<{
    package?: { ecosystem?: string; name?: string } | null;
    vulnerable_version_range?: string | null;
    first_patched_version?: string | { identifier?: string } | null;
  }> | null;
}

/** `>= 1.0.0, < 1.2.6` → OSV events / exact versions. */
export function rangeToOsv(
  range: string | null | undefined,
  patched?: string,
): Pick<OsvAffected, 'ranges' | 'versions'> {
  const events: OsvEvent[] = [];
  const versions: string[] = [];
  let introduced = '0';
  let upper: OsvEvent | undefined;
  for (const part of (range ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(>=|<=|>|<|=)\s*(.+)$/.exec(part);
    if (!m) continue;
    const [, op, v] = m as unknown as [string, string, string];
    if (op === '>=') introduced = v;
    else if (op === '>')
      introduced = v; // rare in GitHub data; treated inclusively (reports more, never less)
    else if (op === '<') upper = { fixed: v };
    else if (op === '<=') upper = { last_affected: v };
    else versions.push(v);
  }
  if (versions.length > 0 && !upper && introduced === '0') return { versions };
  events.push({ introduced });
  if (upper) events.push(upper);
  else if (patched) events.push({ fixed: patched });
  return { ranges: [{ type: 'ECOSYSTEM', events }], ...(versions.length ? { versions } : {}) };
}

export function githubToOsv(a: GithubAdvisory): OsvRecord {
  const aliases = new Set<string>();
  if (a.cve_id) aliases.add(a.cve_id);
  for (const i of a.identifiers ?? []) if (i.value !== a.ghsa_id) aliases.add(i.value);
  const severity = [
    ...(a.cvss_severities?.cvss_v3?.vector_string
      ? [{ type: 'CVSS_V3', score: a.cvss_severities.cvss_v3.vector_string }]
      : []),
    ...(a.cvss_severities?.cvss_v4?.vector_string
      ? [{ type: 'CVSS_V4', score: a.cvss_severities.cvss_v4.vector_string }]
      : []),
  ];
  if (severity.length === 0 && a.cvss?.vector_string)
    severity.push({ type: 'CVSS_V3', score: a.cvss.vector_string });
  const affected: OsvAffected[] = (a.vulnerabilities ?? []).flatMap((v) => {
    const eco = GITHUB_TO_OSV[v.package?.ecosystem ?? ''];
    if (!eco || !v.package?.name) return [];
    const patched =
      typeof v.first_patched_version === 'string'
        ? v.first_patched_version
        : (v.first_patched_version?.identifier ?? undefined);
    return [
      {
        package: { ecosystem: eco, name: v.package.name },
        ...rangeToOsv(v.vulnerable_version_range, patched ?? undefined),
      },
    ];
  });
  return {
    schema_version: '1.4.0',
    id: a.ghsa_id,
    modified: a.updated_at ?? a.published_at ?? '1970-01-01T00:00:00Z',
    ...(a.published_at ? { published: a.published_at } : {}),
    ...(a.withdrawn_at ? { withdrawn: a.withdrawn_at } : {}),
    aliases: [...aliases].sort(),
    ...(a.summary ? { summary: a.summary } : {}),
    ...(a.description ? { details: a.description } : {}),
    severity,
    affected,
    references: (a.references ?? []).map((url) => ({ type: 'WEB', url })),
    database_specific: {
      severity:
        (a.severity ?? '').toUpperCase() === 'MEDIUM'
          ? 'MODERATE'
          : (a.severity ?? '').toUpperCase(),
    },
  };
}

function nextLink(headers: Headers): string | undefined {
  const link = headers.get('link');
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="next"/.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

/** Fetches GitHub advisories that affect the queried package versions, as OSV records. */
export async function queryGithubAdvisories(
  queries: readonly PackageQuery[],
  options: ApiOptions = {},
): Promise<RawAdvisory[]> {
  const base = (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  };
  const byEco = new Map<string, string[]>();
  for (const q of queries) {
    const eco = OSV_TO_GITHUB[q.ecosystem];
    if (!eco) continue;
    const list = byEco.get(eco) ?? [];
    list.push(`${q.name}@${q.version}`);
    byEco.set(eco, list);
  }
  const seen = new Map<string, RawAdvisory>();
  for (const [eco, list] of [...byEco].sort()) {
    for (let i = 0; i < list.length; i += PER_REQUEST) {
      const params = new URLSearchParams({
        ecosystem: eco,
        affects: list.slice(i, i + PER_REQUEST).join(','),
        per_page: '100',
      });
      let url: string | undefined = `${base}/advisories?${params.toString()}`;
      while (url) {
        const { body, headers: h }: { body: unknown; headers: Headers } = await requestJson(
          url,
          { method: 'GET', headers },
          options,
          'the GitHub advisory API',
        );
        if (!Array.isArray(body)) {
          throw new VouchError(
            'ADVISORY_SOURCE_UNREACHABLE',
            'the GitHub advisory API answered with something other than a list',
          );
        }
        for (const a of body as GithubAdvisory[]) {
          if (a && typeof a.ghsa_id === 'string' && !seen.has(a.ghsa_id)) {
            seen.set(a.ghsa_id, {
              source: `${base}/advisories/${a.ghsa_id}`,
              value: githubToOsv(a),
            });
          }
        }
        url = nextLink(h);
      }
    }
  }
  return [...seen.values()];
}
