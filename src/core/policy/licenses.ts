/**
 * License expressions evaluated as SPDX defines them: `A OR B` passes when either branch is
 * allowed, `A AND B` needs both, `ID WITH EXCEPTION` is its own term (allowed when the plain id or
 * that exact combination is allowed). Terms that are not SPDX ids (LicenseRef-…, free text) and
 * missing licenses are "unknown", handled by the policy's `unknown: fail | warn`.
 *
 * A deny entry catches its license in every spelling, with the choice semantics spdx-satisfies
 * gives `+` / `-or-later`: a term stands for the set of versions a recipient may take it under
 * (`GPL-3.0`, `GPL-3.0-only` → {GPL 3.0}; `GPL-2.0-or-later`, `GPL-2.0+` → {GPL 2.0, GPL 3.0}),
 * a deny entry for the versions it names, and a term is denied when every version it may be
 * taken under is denied. So `deny: [GPL-3.0-only]` denies `GPL-3.0`, `GPL-3.0+` and
 * `GPL-3.0-or-later` (3.0 is the latest GPL) but not `GPL-2.0-or-later` (it may be taken under
 * GPL-2.0-only); `deny: [GPL-2.0-or-later]` denies GPL 2.0 and 3.0 in every spelling.
 */
import parseSpdx from 'spdx-expression-parse';
import spdxIds from 'spdx-license-ids/index.json' with { type: 'json' };
import spdxDeprecated from 'spdx-license-ids/deprecated.json' with { type: 'json' };
import satisfies from 'spdx-satisfies';
import type { LicensePolicy } from './model.ts';
import { canonicalSpdxId } from './parse.ts';

/** Best to worst: how an expression or a term fares against the policy. */
export type LicenseStatus = 'allowed' | 'unknown' | 'not-allowed' | 'denied';
const RANK: Record<LicenseStatus, number> = { allowed: 3, unknown: 2, 'not-allowed': 1, denied: 0 };

export interface LicenseVerdict {
  readonly status: LicenseStatus;
  /** The normalised expression evaluated, or undefined when the component declares none. */
  readonly expression?: string;
  /** Terms that made the expression fail (denied or not allowed) or unknown. */
  readonly offending: readonly string[];
}

type Node =
  | { license: string; plus?: boolean; exception?: string }
  | { left: Node; conjunction: 'and' | 'or'; right: Node };

/** Fixes case of ids and operators (`mit or apache-2.0` → `MIT OR Apache-2.0`). */
export function normaliseExpression(text: string): string {
  return text
    .trim()
    .split(/(\s+|\(|\))/)
    .map((tok) => {
      const upper = tok.toUpperCase();
      if (upper === 'AND' || upper === 'OR' || upper === 'WITH') return upper;
      const plus = tok.endsWith('+');
      const id = canonicalSpdxId(plus ? tok.slice(0, -1) : tok);
      return id ? `${id}${plus ? '+' : ''}` : tok;
    })
    .join('');
}

const VERSIONED = /^(.+?)-(\d+(?:\.\d+)*)(-only|-or-later)?$/;

function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Known versions of each versioned SPDX family (`GPL` → 1.0, 2.0, 3.0), ascending. */
const FAMILY_VERSIONS = (() => {
  const families = new Map<string, Set<string>>();
  for (const id of [...(spdxIds as string[]), ...(spdxDeprecated as string[])]) {
    const m = VERSIONED.exec(id);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    let set = families.get(key);
    if (!set) families.set(key, (set = new Set()));
    set.add(m[2]!);
  }
  return new Map([...families].map(([k, v]) => [k, [...v].sort(compareVersions)]));
})();

/**
 * The licenses a term may be taken under, as `family version` keys (`gpl 3.0`): one for an id
 * (deprecated, `-only` or plain), every known version from it on for `+` / `-or-later`. Ids
 * outside a versioned family stand for themselves.
 */
export function licenseChoices(license: string, plus = false): readonly string[] {
  const m = VERSIONED.exec(license);
  const family = m ? m[1]!.toLowerCase() : undefined;
  const versions = family ? FAMILY_VERSIONS.get(family) : undefined;
  if (!m || !versions) return [license.toLowerCase()];
  const from = m[2]!;
  if (!plus && m[3] !== '-or-later') return [`${family} ${from}`];
  const later = versions.filter((v) => compareVersions(v, from) >= 0);
  return (later.length > 0 ? later : [from]).map((v) => `${family} ${v}`);
}

/** Every license a deny list names, as licenseChoices keys (entries WITH an exception excluded). */
function deniedChoices(deny: readonly string[]): ReadonlySet<string> {
  const out = new Set<string>();
  for (const entry of deny) {
    if (/\sWITH\s/i.test(entry) || /^(LicenseRef|DocumentRef)-/.test(entry)) continue;
    const plus = entry.endsWith('+');
    for (const c of licenseChoices(plus ? entry.slice(0, -1) : entry, plus)) out.add(c);
  }
  return out;
}

const deniedCache = new WeakMap<readonly string[], ReadonlySet<string>>();

function isDeniedLicense(license: string, plus: boolean, deny: readonly string[]): boolean {
  let denied = deniedCache.get(deny);
  if (!denied) deniedCache.set(deny, (denied = deniedChoices(deny)));
  if (denied.size === 0) return false;
  return licenseChoices(license, plus).every((c) => denied.has(c));
}

function termText(n: { license: string; plus?: boolean; exception?: string }): string {
  return `${n.license}${n.plus ? '+' : ''}${n.exception ? ` WITH ${n.exception}` : ''}`;
}

function evaluateTerm(
  n: { license: string; plus?: boolean; exception?: string },
  policy: LicensePolicy,
): LicenseStatus {
  const text = termText(n);
  const plain = `${n.license}${n.plus ? '+' : ''}`;
  const known = canonicalSpdxId(n.license) !== undefined;
  const inList = (list: readonly string[] | undefined, t: string): boolean =>
    !!list && list.includes(t);
  if (
    inList(policy.deny, text) ||
    inList(policy.deny, plain) ||
    inList(policy.deny, n.license) ||
    (known && !!policy.deny && isDeniedLicense(n.license, n.plus === true, policy.deny))
  )
    return 'denied';
  if (!known) {
    return inList(policy.allow, text) || inList(policy.allow, n.license) ? 'allowed' : 'unknown';
  }
  if (!policy.allow) return 'allowed';
  if (inList(policy.allow, text) || inList(policy.allow, n.license) || inList(policy.allow, plain))
    return 'allowed';
  // `GPL-2.0+` style ranges and deprecated ids: let spdx-satisfies decide against the SPDX-valid entries.
  try {
    const valid = policy.allow.filter((a) => !/^(LicenseRef|DocumentRef)-/.test(a));
    if (valid.length > 0 && satisfies(text, valid)) return 'allowed';
  } catch {
    // not comparable: treat as not allowed
  }
  return 'not-allowed';
}

// Verdicts by declared text, per policy: an SBOM repeats a few dozen license texts many times.
const verdictCache = new WeakMap<LicensePolicy, Map<string | undefined, LicenseVerdict>>();

/** Evaluates a declared license (SPDX expression) against the license policy. */
export function evaluateLicense(
  declared: string | undefined,
  policy: LicensePolicy,
): LicenseVerdict {
  let cache = verdictCache.get(policy);
  if (!cache) verdictCache.set(policy, (cache = new Map()));
  let verdict = cache.get(declared);
  if (!verdict) {
    verdict = evaluateLicenseUncached(declared, policy);
    // Bounded: free-text licenses could otherwise grow it with every distinct text.
    if (cache.size < 10_000) cache.set(declared, verdict);
  }
  return verdict;
}

function evaluateLicenseUncached(
  declared: string | undefined,
  policy: LicensePolicy,
): LicenseVerdict {
  if (
    declared === undefined ||
    declared.trim() === '' ||
    /^(NOASSERTION|NONE)$/i.test(declared.trim())
  ) {
    return { status: 'unknown', offending: declared ? [declared.trim()] : [] };
  }
  const expression = normaliseExpression(declared);
  let ast: Node;
  try {
    ast = parseSpdx(expression) as Node;
  } catch {
    return { status: 'unknown', expression, offending: [expression] };
  }
  const offending: string[] = [];
  const walk = (n: Node): LicenseStatus => {
    if ('license' in n) {
      const s = evaluateTerm(n, policy);
      if (s !== 'allowed') offending.push(termText(n));
      return s;
    }
    const a = walk(n.left);
    const b = walk(n.right);
    if (n.conjunction === 'or') return RANK[a] >= RANK[b] ? a : b;
    return RANK[a] <= RANK[b] ? a : b;
  };
  const status = walk(ast);
  return { status, expression, offending: status === 'allowed' ? [] : [...new Set(offending)] };
}
