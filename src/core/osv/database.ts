/**
 * An in-memory advisory database: records checked against the OSV schema (bad ones skipped with a
 * reason), withdrawn ones set aside, `affected[]` entries compiled and indexed by ecosystem and
 * package name, and ids grouped so that aliases (CVE, GHSA, RUSTSEC, OSV ids) are one finding.
 *
 * Canonical id of a group: a GHSA id when there is one (GitHub's advisory database is the source
 * most records here come from, and code scanning and Dependabot show GHSA ids), else RUSTSEC,
 * else CVE, else any other id; ties go to the alphabetically first. GitHub's copies of RustSec
 * advisories sometimes carry no alias but say "also published as RUSTSEC-…" in their details or
 * link the RustSec page (https://rustsec.org/advisories/RUSTSEC-….html); that id is taken as an
 * alias, so two GHSA copies of one RustSec advisory are one finding.
 */
import type { Severity } from '../exceptions/model.ts';
import { scoreCvss3, scoreCvss4, severityOfLabel, severityOfScore } from './cvss.ts';
import { compileAffected, type CompiledAffected } from './match.ts';
import type { OsvAffected, OsvRecord, SkippedAdvisory } from './model.ts';
import { checkOsvRecord } from './record.ts';
import { parseJsonSafe } from '../safe-parse.ts';
import { VouchError } from '../../errors.ts';

export interface RawAdvisory {
  /** Where it came from (file path, zip entry, URL), for warnings. */
  readonly source: string;
  /** The decoded record; or, instead, */
  readonly value?: unknown;
  /**
   * its JSON text, decoded while the database is built, one record at a time: a large export is
   * never all decoded at once, and the parts of a record vouch does not use die young.
   */
  readonly text?: string;
}

/** Largest single record accepted (real ones are a few KiB; the largest GitHub records ~1 MiB). */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

/**
 * The fields of a checked record that matching, severity and reports use. `affected[]` entries of
 * packages that will not be looked up keep only their severity.
 */
function slimRecord(r: OsvRecord, wanted?: (entry: OsvAffected) => boolean): OsvRecord {
  const label = r.database_specific?.['severity'];
  const affected =
    r.affected && wanted
      ? r.affected.flatMap((a) => (wanted(a) ? [a] : a.severity ? [{ severity: a.severity }] : []))
      : r.affected;
  return {
    id: r.id,
    modified: r.modified,
    ...(r.published !== undefined ? { published: r.published } : {}),
    ...(r.aliases ? { aliases: r.aliases } : {}),
    ...(r.summary !== undefined ? { summary: r.summary } : {}),
    ...(r.severity ? { severity: r.severity } : {}),
    ...(affected ? { affected } : {}),
    ...(label !== undefined ? { database_specific: { severity: label } } : {}),
  };
}

export interface AdvisorySeverity {
  readonly severity?: Severity;
  readonly score?: number;
  /** `CVSS_V4`, `CVSS_V3`, or `label` (database_specific.severity). */
  readonly basis?: string;
  readonly vector?: string;
}

export interface IndexedEntry {
  readonly record: OsvRecord;
  readonly compiled: CompiledAffected;
}

export interface AdvisoryDatabase {
  /** Usable records (not withdrawn, schema-valid). */
  readonly records: readonly OsvRecord[];
  readonly skipped: readonly SkippedAdvisory[];
  readonly withdrawn: readonly string[];
  /** Data problems repaired while loading, each naming its record. */
  readonly warnings: readonly string[];
  /** Entries for one package: ecosystem as OSV spells it (`npm`, `crates.io`), name as the ecosystem does. */
  lookup(ecosystem: string, name: string): readonly IndexedEntry[];
  /** Canonical id of the alias group `id` belongs to (letter case aside when no id matches exactly; the id itself when unknown). */
  canonicalId(id: string): string;
  /** Every id of the group (sorted), canonical first. */
  groupIds(id: string): readonly string[];
  severityOf(record: OsvRecord): AdvisorySeverity;
  /** Highest severity over every record of the group `id` belongs to; {} when unknown. */
  severityOfId(id: string): AdvisorySeverity;
}

const RUSTSEC_ALSO = /also published as \[?(RUSTSEC-\d{4}-\d{4})/;
const RUSTSEC_PAGE = /^https:\/\/rustsec\.org\/advisories\/(RUSTSEC-\d{4}-\d{4})(?:\.html)?$/;

export function canonicalRank(id: string): number {
  if (id.startsWith('GHSA-')) return 0;
  if (id.startsWith('RUSTSEC-')) return 1;
  if (id.startsWith('CVE-')) return 2;
  return 3;
}

function pickCanonical(ids: Iterable<string>): string {
  let best: string | undefined;
  for (const id of ids) {
    if (
      best === undefined ||
      canonicalRank(id) < canonicalRank(best) ||
      (canonicalRank(id) === canonicalRank(best) && id < best)
    )
      best = id;
  }
  return best!;
}

/** Lower-cases names in ecosystems whose registries are case-insensitive. */
export function normaliseName(ecosystem: string, name: string): string {
  return ecosystem === 'npm' || ecosystem === 'crates.io' ? name.toLowerCase() : name;
}

export function severityOfRecord(record: OsvRecord): AdvisorySeverity {
  let best: AdvisorySeverity | undefined;
  const consider = (type: string, score: string): void => {
    const computed =
      type === 'CVSS_V4' ? scoreCvss4(score) : type === 'CVSS_V3' ? scoreCvss3(score) : undefined;
    if (!computed) return;
    if (!best || best.score === undefined || computed.score > best.score) {
      best = {
        severity: severityOfScore(computed.score),
        score: computed.score,
        basis: type,
        vector: score,
      };
    }
  };
  for (const s of record.severity ?? []) consider(s.type, s.score);
  for (const a of record.affected ?? [])
    for (const s of a.severity ?? []) consider(s.type, s.score);
  if (best) return best;
  const label = severityOfLabel(record.database_specific?.['severity']);
  return label ? { severity: label, basis: 'label' } : {};
}

const RANK = { critical: 4, high: 3, medium: 2, low: 1 } as const;

/** The most severe of several assessments (a computed score beats a label of the same level). */
export function maxSeverity(list: readonly AdvisorySeverity[]): AdvisorySeverity {
  let best: AdvisorySeverity = {};
  for (const s of list) {
    if (!s.severity) continue;
    const r = RANK[s.severity];
    const b = best.severity ? RANK[best.severity] : 0;
    if (r > b || (r === b && (s.score ?? -1) > (best.score ?? -1))) best = s;
  }
  return best;
}

/** Builds the database from decoded JSON values (one per record). Pure. */
export interface BuildOptions {
  /**
   * Only these packages will be looked up (`packageKey(ecosystem, name)`, e.g. the SBOM's):
   * `affected[]` entries of other packages are neither compiled nor indexed, and their data
   * repairs are not reported. Every record still counts, groups its aliases and has a severity.
   */
  readonly packages?: ReadonlySet<string>;
}

/** The key `lookup` and `BuildOptions.packages` use for a package. */
export function packageLookupKey(ecosystem: string, name: string): string {
  return `${ecosystem}\u0000${normaliseName(ecosystem, name)}`;
}

export function buildAdvisoryDatabase(
  inputs: readonly RawAdvisory[],
  options: BuildOptions = {},
): AdvisoryDatabase {
  const wanted = options.packages;
  const records: OsvRecord[] = [];
  const skipped: SkippedAdvisory[] = [];
  const withdrawn: string[] = [];
  const warnings: string[] = [];
  const index = new Map<string, IndexedEntry[]>();
  // Union-find over alias ids, on integer nodes (one map lookup per id, path halving).
  const nodeOf = new Map<string, number>();
  const names: string[] = [];
  const parent: number[] = [];
  const node = (id: string): number => {
    let n = nodeOf.get(id);
    if (n === undefined) {
      n = names.length;
      nodeOf.set(id, n);
      names.push(id);
      parent.push(n);
    }
    return n;
  };
  const find = (n: number): number => {
    while (parent[n] !== n) {
      parent[n] = parent[parent[n]!]!;
      n = parent[n]!;
    }
    return n;
  };
  const union = (a: string, b: string): void => {
    const ra = find(node(a));
    const rb = find(node(b));
    if (ra !== rb) parent[ra] = rb;
  };
  const seen = new Set<string>();
  for (const input of inputs) {
    let value = input.value;
    if (input.text !== undefined) {
      try {
        value = parseJsonSafe(input.text, input.source, {
          maxBytes: MAX_RECORD_BYTES,
          maxDepth: 32,
        });
      } catch (error) {
        if (!(error instanceof VouchError)) throw error;
        skipped.push({
          id: input.source,
          source: input.source,
          reason: `[${error.code}] ${error.message}`,
        });
        continue;
      }
    }
    const checked = checkOsvRecord(value);
    if ('reason' in checked) {
      skipped.push({
        id: checked.id ?? input.source,
        source: input.source,
        reason: checked.reason,
      });
      continue;
    }
    const record = checked.record;
    if (record.withdrawn) {
      withdrawn.push(record.id);
      continue;
    }
    if (seen.has(record.id)) {
      warnings.push(`${record.id}: found again in ${input.source}; the first copy is used`);
      continue;
    }
    seen.add(record.id);
    node(record.id);
    for (const alias of record.aliases ?? []) if (alias.trim()) union(record.id, alias.trim());
    const also = record.details ? RUSTSEC_ALSO.exec(record.details) : null;
    if (also) union(record.id, also[1]!);
    for (const ref of record.references ?? []) {
      const m = typeof ref?.url === 'string' ? RUSTSEC_PAGE.exec(ref.url.trim()) : null;
      if (m) union(record.id, m[1]!);
    }
    const slim = slimRecord(
      record,
      wanted &&
        ((a) =>
          a.package !== undefined &&
          wanted.has(packageLookupKey(a.package.ecosystem, a.package.name))),
    );
    records.push(slim);
    (record.affected ?? []).forEach((entry, i) => {
      const pkg = entry.package;
      if (!pkg) return;
      if (pkg.name.trim() === '') {
        warnings.push(
          `${record.id}: affected[${i}] has an empty package name and can match nothing`,
        );
        return;
      }
      const key = packageLookupKey(pkg.ecosystem, pkg.name);
      if (wanted && !wanted.has(key)) return;
      const compiled = compileAffected(entry);
      for (const r of compiled.repairs)
        warnings.push(`${record.id}: affected[${i}] (${pkg.name}): ${r}`);
      let list = index.get(key);
      if (!list) index.set(key, (list = []));
      list.push({ record: slim, compiled });
    });
  }
  const rootOf = names.map((_, n) => find(n));
  const members = new Map<number, string[]>();
  for (const [n, id] of names.entries()) {
    const root = rootOf[n]!;
    let list = members.get(root);
    if (!list) members.set(root, (list = []));
    list.push(id);
  }
  const canonicalOfRoot = new Map<number, string>();
  for (const [root, list] of members) {
    list.sort();
    canonicalOfRoot.set(root, pickCanonical(list));
  }
  // Ids as exceptions may write them (advisory ids compare case-insensitively), built on first miss.
  let nodeOfUpper: Map<string, number> | undefined;
  const rootOfId = (id: string): number | undefined => {
    let n = nodeOf.get(id);
    if (n === undefined) {
      if (!nodeOfUpper) {
        nodeOfUpper = new Map();
        for (const [name, i] of nodeOf) {
          const upper = name.toUpperCase();
          if (!nodeOfUpper.has(upper)) nodeOfUpper.set(upper, i);
        }
      }
      n = nodeOfUpper.get(id.toUpperCase());
    }
    return n === undefined ? undefined : rootOf[n];
  };
  const severityCache = new Map<string, AdvisorySeverity>();
  const recordsByRoot = new Map<number, OsvRecord[]>();
  for (const record of records) {
    const root = rootOfId(record.id)!;
    let list = recordsByRoot.get(root);
    if (!list) recordsByRoot.set(root, (list = []));
    list.push(record);
  }
  const severityOf = (record: OsvRecord): AdvisorySeverity => {
    let s = severityCache.get(record.id);
    if (!s) severityCache.set(record.id, (s = severityOfRecord(record)));
    return s;
  };
  return {
    records,
    skipped,
    withdrawn,
    warnings,
    lookup: (ecosystem, name) => index.get(packageLookupKey(ecosystem, name)) ?? [],
    canonicalId(id) {
      const root = rootOfId(id);
      return root === undefined ? id : canonicalOfRoot.get(root)!;
    },
    groupIds(id) {
      const root = rootOfId(id);
      if (root === undefined) return [id];
      const c = canonicalOfRoot.get(root)!;
      return [c, ...members.get(root)!.filter((x) => x !== c)];
    },
    severityOf,
    severityOfId(id) {
      const root = rootOfId(id);
      if (root === undefined) return {};
      return maxSeverity((recordsByRoot.get(root) ?? []).map(severityOf));
    },
  };
}
