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
 * packages that will not be looked up keep only their severity; a record none of whose entries
 * will be looked up keeps only its id, dates and what its severity needs.
 */
function slimRecord(r: OsvRecord, filtered: boolean, wanted?: readonly boolean[]): OsvRecord {
  const label = r.database_specific?.['severity'];
  let affected = r.affected;
  const used = !filtered || wanted !== undefined;
  if (affected && filtered) {
    let kept: OsvAffected[] | undefined;
    for (let i = 0; i < affected.length; i++) {
      const a = affected[i]!;
      if (wanted?.[i]) (kept ??= []).push(a);
      else if (a.severity) (kept ??= []).push({ severity: a.severity });
    }
    affected = kept;
  }
  // Built by assignment, in this key order, rather than by spreading one-key objects: one
  // object per record, not one per field.
  const slim: { -readonly [K in keyof OsvRecord]: OsvRecord[K] } = {
    id: r.id,
    modified: r.modified,
  };
  if (used) {
    if (r.published !== undefined) slim.published = r.published;
    if (r.aliases) slim.aliases = r.aliases;
    if (r.summary !== undefined) slim.summary = r.summary;
  }
  if (r.severity) slim.severity = r.severity;
  if (affected) slim.affected = affected;
  if (label !== undefined) slim.database_specific = { severity: label };
  return slim;
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
  // The wanted packages by ecosystem, so that an entry is checked without building its key.
  let wantedNames: Map<string, Set<string>> | undefined;
  if (wanted) {
    wantedNames = new Map();
    for (const key of wanted) {
      const cut = key.indexOf('\u0000');
      const eco = key.slice(0, cut);
      let set = wantedNames.get(eco);
      if (!set) wantedNames.set(eco, (set = new Set()));
      set.add(key.slice(cut + 1));
    }
  }
  const records: OsvRecord[] = [];
  const skipped: SkippedAdvisory[] = [];
  const withdrawn: string[] = [];
  const warnings: string[] = [];
  const index = new Map<string, IndexedEntry[]>();
  // Union-find over alias ids, on integer nodes (one map lookup per id, path halving). Each
  // group's members also form a ring (`next`), joined in O(1) at each union, so a group's ids
  // and records are listed on demand without a pass over every id.
  const nodeOf = new Map<string, number>();
  const names: string[] = [];
  const parent: number[] = [];
  const next: number[] = [];
  const recordOfNode: (OsvRecord | undefined)[] = [];
  /** Position of a node's record in `records`. */
  const recordAt: number[] = [];
  const node = (id: string): number => {
    let n = nodeOf.get(id);
    if (n === undefined) {
      n = names.length;
      nodeOf.set(id, n);
      names.push(id);
      parent.push(n);
      next.push(n);
      recordOfNode.push(undefined);
      recordAt.push(-1);
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
  const union = (a: number, b: string): void => {
    const ra = find(a);
    const rb = find(node(b));
    if (ra === rb) return;
    parent[ra] = rb;
    const t = next[ra]!;
    next[ra] = next[rb]!;
    next[rb] = t;
  };
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
    const self = node(record.id);
    if (recordOfNode[self] !== undefined) {
      warnings.push(`${record.id}: found again in ${input.source}; the first copy is used`);
      continue;
    }
    for (const alias of record.aliases ?? []) {
      const a = alias.trim();
      if (a) union(self, a);
    }
    // Cheap tests first: most records mention no RustSec id at all.
    if (record.details?.includes('RUSTSEC-')) {
      const also = RUSTSEC_ALSO.exec(record.details);
      if (also) union(self, also[1]!);
    }
    for (const ref of record.references ?? []) {
      const url = ref?.url;
      if (typeof url !== 'string' || !url.includes('rustsec.org')) continue;
      const m = RUSTSEC_PAGE.exec(url.trim());
      if (m) union(self, m[1]!);
    }
    const affected = record.affected;
    // Which entries will be looked up (none, for most records of a large export).
    let flags: boolean[] | undefined;
    if (wantedNames && affected) {
      for (let i = 0; i < affected.length; i++) {
        const pkg = affected[i]!.package;
        if (pkg && wantedNames.get(pkg.ecosystem)?.has(normaliseName(pkg.ecosystem, pkg.name)))
          (flags ??= new Array<boolean>(affected.length).fill(false))[i] = true;
      }
    }
    const slim = slimRecord(record, wantedNames !== undefined, flags);
    recordOfNode[self] = slim;
    recordAt[self] = records.length;
    records.push(slim);
    if (!affected) continue;
    for (let i = 0; i < affected.length; i++) {
      const entry = affected[i]!;
      const pkg = entry.package;
      if (!pkg) continue;
      if (pkg.name.trim() === '') {
        warnings.push(
          `${record.id}: affected[${i}] has an empty package name and can match nothing`,
        );
        continue;
      }
      if (wantedNames && !flags?.[i]) continue;
      const key = packageLookupKey(pkg.ecosystem, pkg.name);
      const compiled = compileAffected(entry);
      for (const r of compiled.repairs)
        warnings.push(`${record.id}: affected[${i}] (${pkg.name}): ${r}`);
      let list = index.get(key);
      if (!list) index.set(key, (list = []));
      list.push({ record: slim, compiled });
    }
  }
  /** Members of the group of node `n`, by walking its ring. */
  const ring = (n: number): number[] => {
    const out = [n];
    for (let m = next[n]!; m !== n; m = next[m]!) out.push(m);
    return out;
  };
  interface Group {
    readonly canonical: string;
    /** Sorted, canonical first. */
    readonly ids: readonly string[];
    readonly records: readonly OsvRecord[];
  }
  const groups = new Map<number, Group>();
  const groupOfRoot = (root: number): Group => {
    let g = groups.get(root);
    if (!g) {
      const members = ring(root);
      const ids = members.map((m) => names[m]!).sort();
      const canonical = pickCanonical(ids);
      g = {
        canonical,
        ids: [canonical, ...ids.filter((x) => x !== canonical)],
        // In load order, as the records list has them.
        records: members
          .filter((m) => recordOfNode[m] !== undefined)
          .sort((a, b) => recordAt[a]! - recordAt[b]!)
          .map((m) => recordOfNode[m]!),
      };
      groups.set(root, g);
    }
    return g;
  };
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
    return n === undefined ? undefined : find(n);
  };
  const severityCache = new Map<string, AdvisorySeverity>();
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
      return root === undefined ? id : groupOfRoot(root).canonical;
    },
    groupIds(id) {
      const root = rootOfId(id);
      return root === undefined ? [id] : groupOfRoot(root).ids;
    },
    severityOf,
    severityOfId(id) {
      const root = rootOfId(id);
      if (root === undefined) return {};
      return maxSeverity(groupOfRoot(root).records.map(severityOf));
    },
  };
}
