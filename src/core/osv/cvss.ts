/**
 * CVSS base scores computed from vectors, so that severity does not depend on a label:
 * v3.0/v3.1 with the specification's formula, v4.0 with the MacroVector method (the official
 * lookup table of 270 MacroVector scores, then the interpolation by severity distance).
 */
import type { Severity } from '../exceptions/model.ts';

export interface CvssScore {
  readonly version: '3.0' | '3.1' | '4.0';
  readonly score: number;
  readonly vector: string;
}

function parseMetrics(parts: readonly string[]): Map<string, string> | undefined {
  const metrics = new Map<string, string>();
  for (const part of parts) {
    const [k, v, extra] = part.split(':');
    if (!k || !v || extra !== undefined || metrics.has(k)) return undefined;
    metrics.set(k, v);
  }
  return metrics;
}

const V3 = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const;

function roundUp31(x: number): number {
  const n = Math.round(x * 100_000);
  return n % 10_000 === 0 ? n / 100_000 : (Math.floor(n / 10_000) + 1) / 10;
}

/**
 * Scores by vector string. Advisories repeat a small set of vectors (an export of 50,000 records
 * has a few thousand distinct ones), so each is parsed and scored once. Bounded: cleared when full.
 */
const MEMO_MAX = 10_000;
const memo3 = new Map<string, CvssScore | undefined>();
const memo4 = new Map<string, CvssScore | undefined>();

function memoised(
  memo: Map<string, CvssScore | undefined>,
  vector: string,
  score: (vector: string) => CvssScore | undefined,
): CvssScore | undefined {
  const hit = memo.get(vector);
  if (hit !== undefined || memo.has(vector)) return hit;
  const result = score(vector);
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(vector, result);
  return result;
}

/** CVSS v3.0 / v3.1 base score; undefined when the vector is not a valid base vector. */
export function scoreCvss3(vector: string): CvssScore | undefined {
  return memoised(memo3, vector, computeCvss3);
}

function computeCvss3(vector: string): CvssScore | undefined {
  const [head, ...parts] = vector.trim().split('/');
  const version = head === 'CVSS:3.1' ? '3.1' : head === 'CVSS:3.0' ? '3.0' : undefined;
  if (!version) return undefined;
  const m = parseMetrics(parts);
  if (!m) return undefined;
  const av = V3.AV[m.get('AV') as keyof typeof V3.AV];
  const ac = V3.AC[m.get('AC') as keyof typeof V3.AC];
  const ui = V3.UI[m.get('UI') as keyof typeof V3.UI];
  const scope = m.get('S');
  const pr = { N: 0.85, L: scope === 'C' ? 0.68 : 0.62, H: scope === 'C' ? 0.5 : 0.27 }[
    m.get('PR') as 'N' | 'L' | 'H'
  ];
  const c = V3.CIA[m.get('C') as keyof typeof V3.CIA];
  const i = V3.CIA[m.get('I') as keyof typeof V3.CIA];
  const a = V3.CIA[m.get('A') as keyof typeof V3.CIA];
  if ([av, ac, ui, pr, c, i, a].some((x) => x === undefined) || (scope !== 'U' && scope !== 'C')) {
    return undefined;
  }
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15;
  const exploitability = 8.22 * av * ac * pr * ui;
  const round = version === '3.1' ? roundUp31 : (x: number) => Math.ceil(x * 10 - 1e-9) / 10;
  let score = 0;
  if (impact > 0) {
    score =
      scope === 'U'
        ? round(Math.min(impact + exploitability, 10))
        : round(Math.min(1.08 * (impact + exploitability), 10));
  }
  return { version, score, vector };
}

/** The official CVSS v4.0 MacroVector scores (FIRST), "EQ1..EQ6:score". */
const MACRO_TABLE_TEXT =
  '000000:10 000001:9.9 000010:9.8 000011:9.5 000020:9.5 000021:9.2 000100:10 000101:9.6 000110:9.3 000111:8.7 000120:9.1 000121:8.1 000200:9.3 000201:9 000210:8.9 000211:8 000220:8.1 000221:6.8 001000:9.8 001001:9.5 001010:9.5 001011:9.2 001020:9 001021:8.4 001100:9.3 001101:9.2 001110:8.9 001111:8.1 001120:8.1 001121:6.5 001200:8.8 001201:8 001210:7.8 001211:7 001220:6.9 001221:4.8 002001:9.2 002011:8.2 002021:7.2 002101:7.9 002111:6.9 002121:5 002201:6.9 002211:5.5 002221:2.7 010000:9.9 010001:9.7 010010:9.5 010011:9.2 010020:9.2 010021:8.5 010100:9.5 010101:9.1 010110:9 010111:8.3 010120:8.4 010121:7.1 010200:9.2 010201:8.1 010210:8.2 010211:7.1 010220:7.2 010221:5.3 011000:9.5 011001:9.3 011010:9.2 011011:8.5 011020:8.5 011021:7.3 011100:9.2 011101:8.2 011110:8 011111:7.2 011120:7 011121:5.9 011200:8.4 011201:7 011210:7.1 011211:5.2 011220:5 011221:3 012001:8.6 012011:7.5 012021:5.2 012101:7.1 012111:5.2 012121:2.9 012201:6.3 012211:2.9 012221:1.7 100000:9.8 100001:9.5 100010:9.4 100011:8.7 100020:9.1 100021:8.1 100100:9.4 100101:8.9 100110:8.6 100111:7.4 100120:7.7 100121:6.4 100200:8.7 100201:7.5 100210:7.4 100211:6.3 100220:6.3 100221:4.9 101000:9.4 101001:8.9 101010:8.8 101011:7.7 101020:7.6 101021:6.7 101100:8.6 101101:7.6 101110:7.4 101111:5.8 101120:5.9 101121:5 101200:7.2 101201:5.7 101210:5.7 101211:5.2 101220:5.2 101221:2.5 102001:8.3 102011:7 102021:5.4 102101:6.5 102111:5.8 102121:2.6 102201:5.3 102211:2.1 102221:1.3 110000:9.5 110001:9 110010:8.8 110011:7.6 110020:7.6 110021:7 110100:9 110101:7.7 110110:7.5 110111:6.2 110120:6.1 110121:5.3 110200:7.7 110201:6.6 110210:6.8 110211:5.9 110220:5.2 110221:3 111000:8.9 111001:7.8 111010:7.6 111011:6.7 111020:6.2 111021:5.8 111100:7.4 111101:5.9 111110:5.7 111111:5.7 111120:4.7 111121:2.3 111200:6.1 111201:5.2 111210:5.7 111211:2.9 111220:2.4 111221:1.6 112001:7.1 112011:5.9 112021:3 112101:5.8 112111:2.6 112121:1.5 112201:2.3 112211:1.3 112221:0.6 200000:9.3 200001:8.7 200010:8.6 200011:7.2 200020:7.5 200021:5.8 200100:8.6 200101:7.4 200110:7.4 200111:6.1 200120:5.6 200121:3.4 200200:7 200201:5.4 200210:5.2 200211:4 200220:4 200221:2.2 201000:8.5 201001:7.5 201010:7.4 201011:5.5 201020:6.2 201021:5.1 201100:7.2 201101:5.7 201110:5.5 201111:4.1 201120:4.6 201121:1.9 201200:5.3 201201:3.6 201210:3.4 201211:1.9 201220:1.9 201221:0.8 202001:6.4 202011:5.1 202021:2 202101:4.7 202111:2.1 202121:1.1 202201:2.4 202211:0.9 202221:0.4 210000:8.8 210001:7.5 210010:7.3 210011:5.3 210020:6 210021:5 210100:7.3 210101:5.5 210110:5.9 210111:4 210120:4.1 210121:2 210200:5.4 210201:4.3 210210:4.5 210211:2.2 210220:2 210221:1.1 211000:7.5 211001:5.5 211010:5.8 211011:4.5 211020:4 211021:2.1 211100:6.1 211101:5.1 211110:4.8 211111:1.8 211120:2 211121:0.9 211200:4.6 211201:1.8 211210:1.7 211211:0.7 211220:0.8 211221:0.2 212001:5.3 212011:2.4 212021:1.4 212101:2.4 212111:1.2 212121:0.5 212201:1 212211:0.3 212221:0.1';

let macroTable: Map<string, number> | undefined;
function macroScore(key: string): number | undefined {
  if (!macroTable) {
    macroTable = new Map(
      MACRO_TABLE_TEXT.split(' ').map((e) => {
        const [k, v] = e.split(':');
        return [k!, Number(v)];
      }),
    );
  }
  return macroTable.get(key);
}

/** Highest-severity vectors of each MacroVector level (per EQ), as metric maps. */
const MAX_VECTORS: Readonly<Record<string, readonly string[]>> = {
  'eq1:0': ['AV:N/PR:N/UI:N'],
  'eq1:1': ['AV:A/PR:N/UI:N', 'AV:N/PR:L/UI:N', 'AV:N/PR:N/UI:P'],
  'eq1:2': ['AV:P/PR:N/UI:N', 'AV:A/PR:L/UI:P'],
  'eq2:0': ['AC:L/AT:N'],
  'eq2:1': ['AC:H/AT:N', 'AC:L/AT:P'],
  'eq36:00': ['VC:H/VI:H/VA:H/CR:H/IR:H/AR:H'],
  'eq36:01': ['VC:H/VI:H/VA:L/CR:M/IR:M/AR:H', 'VC:H/VI:H/VA:H/CR:M/IR:M/AR:M'],
  'eq36:10': ['VC:L/VI:H/VA:H/CR:H/IR:H/AR:H', 'VC:H/VI:L/VA:H/CR:H/IR:H/AR:H'],
  'eq36:11': [
    'VC:L/VI:H/VA:L/CR:H/IR:M/AR:H',
    'VC:L/VI:H/VA:H/CR:H/IR:M/AR:M',
    'VC:H/VI:L/VA:H/CR:M/IR:H/AR:M',
    'VC:H/VI:L/VA:L/CR:M/IR:H/AR:H',
    'VC:L/VI:L/VA:H/CR:H/IR:H/AR:M',
  ],
  'eq36:21': ['VC:L/VI:L/VA:L/CR:H/IR:H/AR:H'],
  'eq4:0': ['SC:H/SI:S/SA:S'],
  'eq4:1': ['SC:H/SI:H/SA:H'],
  'eq4:2': ['SC:L/SI:L/SA:L'],
};

/** Depth of each MacroVector level, in steps of 0.1 severity distance. */
const DEPTH = {
  eq1: [1, 4, 5],
  eq2: [1, 2],
  eq36: { '00': 7, '01': 6, '10': 8, '11': 8, '21': 10 } as Record<string, number>,
  eq4: [6, 5, 4],
};

/** Severity level of each metric value (lower is more severe), in tenths. */
const LEVEL: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  AV: { N: 0, A: 1, L: 2, P: 3 },
  PR: { N: 0, L: 1, H: 2 },
  UI: { N: 0, P: 1, A: 2 },
  AC: { L: 0, H: 1 },
  AT: { N: 0, P: 1 },
  VC: { H: 0, L: 1, N: 2 },
  VI: { H: 0, L: 1, N: 2 },
  VA: { H: 0, L: 1, N: 2 },
  SC: { H: 1, L: 2, N: 3 },
  SI: { S: 0, H: 1, L: 2, N: 3 },
  SA: { S: 0, H: 1, L: 2, N: 3 },
  CR: { H: 0, M: 1, L: 2 },
  IR: { H: 0, M: 1, L: 2 },
  AR: { H: 0, M: 1, L: 2 },
};

const V4_ALLOWED: Readonly<Record<string, string>> = {
  AV: 'NALP',
  AC: 'LH',
  AT: 'NP',
  PR: 'NLH',
  UI: 'NPA',
  VC: 'HLN',
  VI: 'HLN',
  VA: 'HLN',
  SC: 'HLN',
  SI: 'HLN',
  SA: 'HLN',
};

/** CVSS v4.0 score (CVSS-B, -BT, -BE or -BTE, whichever metrics the vector has). */
export function scoreCvss4(vector: string): CvssScore | undefined {
  return memoised(memo4, vector, computeCvss4);
}

function computeCvss4(vector: string): CvssScore | undefined {
  const [head, ...parts] = vector.trim().split('/');
  if (head !== 'CVSS:4.0') return undefined;
  const given = parseMetrics(parts);
  if (!given) return undefined;
  for (const [k, allowed] of Object.entries(V4_ALLOWED)) {
    const v = given.get(k);
    if (!v || v.length !== 1 || !allowed.includes(v)) return undefined;
  }
  const m = (name: string): string => {
    const modified = given.get(`M${name}`);
    if (modified && modified !== 'X') return modified;
    const v = given.get(name);
    if (name === 'E' && (!v || v === 'X')) return 'A';
    if ((name === 'CR' || name === 'IR' || name === 'AR') && (!v || v === 'X')) return 'H';
    return v ?? 'X';
  };
  if (['VC', 'VI', 'VA', 'SC', 'SI', 'SA'].every((k) => m(k) === 'N')) {
    return { version: '4.0', score: 0, vector };
  }
  const av = m('AV'),
    pr = m('PR'),
    ui = m('UI');
  const eq1 =
    av === 'N' && pr === 'N' && ui === 'N'
      ? 0
      : (av === 'N' || pr === 'N' || ui === 'N') && av !== 'P'
        ? 1
        : 2;
  const eq2 = m('AC') === 'L' && m('AT') === 'N' ? 0 : 1;
  const vc = m('VC'),
    vi = m('VI'),
    va = m('VA');
  const eq3 = vc === 'H' && vi === 'H' ? 0 : vc === 'H' || vi === 'H' || va === 'H' ? 1 : 2;
  const eq4 =
    m('SI') === 'S' || m('SA') === 'S'
      ? 0
      : m('SC') === 'H' || m('SI') === 'H' || m('SA') === 'H'
        ? 1
        : 2;
  const e = m('E');
  const eq5 = e === 'A' ? 0 : e === 'P' ? 1 : 2;
  const eq6 =
    (m('CR') === 'H' && vc === 'H') ||
    (m('IR') === 'H' && vi === 'H') ||
    (m('AR') === 'H' && va === 'H')
      ? 0
      : 1;
  const key = (a: number, b: number, c: number, d: number, f: number, g: number): string =>
    `${a}${b}${c}${d}${f}${g}`;
  const base = macroScore(key(eq1, eq2, eq3, eq4, eq5, eq6));
  if (base === undefined) return undefined;

  // Scores of the next lower MacroVector along each EQ (undefined when there is none).
  const lower1 = macroScore(key(eq1 + 1, eq2, eq3, eq4, eq5, eq6));
  const lower2 = macroScore(key(eq1, eq2 + 1, eq3, eq4, eq5, eq6));
  let lower36: number | undefined;
  if (eq3 === 0 && eq6 === 0) {
    const a = macroScore(key(eq1, eq2, eq3, eq4, eq5, eq6 + 1));
    const b = macroScore(key(eq1, eq2, eq3 + 1, eq4, eq5, eq6));
    lower36 = a === undefined ? b : b === undefined ? a : Math.max(a, b);
  } else if (eq3 === 1 && eq6 === 0) {
    lower36 = macroScore(key(eq1, eq2, eq3, eq4, eq5, eq6 + 1));
  } else if (eq3 === 2) {
    lower36 = undefined;
  } else {
    lower36 = macroScore(key(eq1, eq2, eq3 + 1, eq4, eq5, eq6));
  }
  const lower4 = macroScore(key(eq1, eq2, eq3, eq4 + 1, eq5, eq6));
  const lower5 = macroScore(key(eq1, eq2, eq3, eq4, eq5 + 1, eq6));

  // Severity distance from the first highest-severity vector of this MacroVector that is not less severe.
  const candidates: Map<string, string>[] = [];
  for (const a of MAX_VECTORS[`eq1:${eq1}`]!)
    for (const b of MAX_VECTORS[`eq2:${eq2}`]!)
      for (const c of MAX_VECTORS[`eq36:${eq3}${eq6}`]!)
        for (const d of MAX_VECTORS[`eq4:${eq4}`]!)
          candidates.push(parseMetrics(`${a}/${b}/${c}/${d}`.split('/'))!);
  const metricNames = Object.keys(LEVEL);
  let distance: Record<string, number> | undefined;
  for (const max of candidates) {
    const d: Record<string, number> = {};
    let ok = true;
    for (const name of metricNames) {
      const diff = (LEVEL[name]![m(name)] ?? 0) - (LEVEL[name]![max.get(name)!] ?? 0);
      if (diff < 0) {
        ok = false;
        break;
      }
      d[name] = diff;
    }
    if (ok) {
      distance = d;
      break;
    }
  }
  if (!distance) return undefined;
  const sum = (...names: string[]): number => names.reduce((s, n) => s + distance[n]!, 0) / 10;
  const parts36 = [
    [lower1, sum('AV', 'PR', 'UI'), DEPTH.eq1[eq1]!],
    [lower2, sum('AC', 'AT'), DEPTH.eq2[eq2]!],
    [lower36, sum('VC', 'VI', 'VA', 'CR', 'IR', 'AR'), DEPTH.eq36[`${eq3}${eq6}`]!],
    [lower4, sum('SC', 'SI', 'SA'), DEPTH.eq4[eq4]!],
    [lower5, 0, 1],
  ] as const;
  let total = 0;
  let count = 0;
  for (const [lower, dist, depth] of parts36) {
    if (lower === undefined) continue;
    count++;
    total += (base - lower) * (dist / (depth * 0.1));
  }
  let score = base - (count === 0 ? 0 : total / count);
  score = Math.min(10, Math.max(0, score));
  return { version: '4.0', score: Math.round(score * 10) / 10, vector };
}

/** CVSS qualitative rating; a 0.0 score counts as low (vouch has no "none" severity). */
export function severityOfScore(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

/** Maps an advisory label (GitHub: LOW, MODERATE, HIGH, CRITICAL) to a severity. */
export function severityOfLabel(label: unknown): Severity | undefined {
  if (typeof label !== 'string') return undefined;
  const l = label.trim().toLowerCase();
  if (l === 'critical') return 'critical';
  if (l === 'high' || l === 'important') return 'high';
  if (l === 'moderate' || l === 'medium') return 'medium';
  if (l === 'low') return 'low';
  return undefined;
}

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  critical: 4,
  high: 3,
  medium: 2,
  low: 1,
};
