/**
 * License expressions evaluated as SPDX defines them: `A OR B` passes when either branch is
 * allowed, `A AND B` needs both, `ID WITH EXCEPTION` is its own term (allowed when the plain id or
 * that exact combination is allowed). Terms that are not SPDX ids (LicenseRef-…, free text) and
 * missing licenses are "unknown", handled by the policy's `unknown: fail | warn`.
 */
import parseSpdx from 'spdx-expression-parse';
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
  if (inList(policy.deny, text) || inList(policy.deny, plain) || inList(policy.deny, n.license))
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

/** Evaluates a declared license (SPDX expression) against the license policy. */
export function evaluateLicense(
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
