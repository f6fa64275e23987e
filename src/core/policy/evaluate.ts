/**
 * The policy engine: one pure function from an SBOM, a policy, exceptions and advisories (and the
 * time) to a report. No I/O; everything it needs comes in as arguments.
 */
import { VERSION } from '../../version.ts';
import type { ExceptionsFile, PolicyException, Severity } from '../exceptions/model.ts';
import { isExpired, validateExceptions } from '../exceptions/validate.ts';
import { SEVERITY_RANK } from '../osv/cvss.ts';
import {
  buildAdvisoryDatabase,
  maxSeverity,
  packageLookupKey,
  type AdvisoryDatabase,
  type AdvisorySeverity,
  type RawAdvisory,
} from '../osv/database.ts';
import { evaluateAffected } from '../osv/match.ts';
import { parseVersionRange, type VersionRange } from '../osv/version.ts';
import type { Sbom, SbomComponent } from '../sbom/model.ts';
import { evaluateLicense, normaliseExpression } from './licenses.ts';
import type {
  ExceptionRef,
  Finding,
  FindingComponent,
  Policy,
  PolicyReport,
  ReportedExceptionProblem,
} from './model.ts';
import { packageKey, parsePackagePattern, purlKey } from './purl.ts';

export interface EvaluatePolicyInput {
  readonly sbom: Sbom;
  readonly policy: Policy;
  readonly exceptions?: ExceptionsFile;
  /**
   * A built database, or decoded OSV records to build one from. Absent, or an empty list of
   * records: the vulnerability rules are not checked and the report is not gate-eligible.
   */
  readonly advisories?: AdvisoryDatabase | readonly RawAdvisory[];
  readonly now: Date;
  /** Default enforce. warn-only reports the same findings, exits 0 and is never gate-eligible. */
  readonly mode?: 'enforce' | 'warn-only';
  /** Name of the SBOM file, for the report. */
  readonly sbomSource?: string;
}

const PURL_TYPE_TO_OSV: Readonly<Record<string, string>> = {
  npm: 'npm',
  cargo: 'crates.io',
  pypi: 'PyPI',
  maven: 'Maven',
  golang: 'Go',
  nuget: 'NuGet',
  gem: 'RubyGems',
  composer: 'Packagist',
  hex: 'Hex',
  pub: 'Pub',
};

/** OSV ecosystem and package name of a component, when it has one. */
export function osvPackageOf(c: SbomComponent): { ecosystem: string; name: string } | undefined {
  if (c.ecosystem === 'npm')
    return { ecosystem: 'npm', name: c.group ? `${c.group}/${c.name}` : c.name };
  if (c.ecosystem === 'cargo') return { ecosystem: 'crates.io', name: c.name };
  const m = c.purl ? /^pkg:([a-z0-9.+-]+)\//i.exec(c.purl) : null;
  const ecosystem = m ? PURL_TYPE_TO_OSV[m[1]!.toLowerCase()] : undefined;
  if (!ecosystem) return undefined;
  const sep = ecosystem === 'Maven' ? ':' : '/';
  return { ecosystem, name: c.group ? `${c.group}${sep}${c.name}` : c.name };
}

/** Lookup keys of the packages a policy evaluation will look up (in-scope, versioned components). */
export function advisoryPackagesOf(sbom: Sbom, policy: Policy): Set<string> {
  const scopes = new Set(policy.scopes);
  const keys = new Set<string>();
  for (const c of sbom.components) {
    if (!scopes.has(c.scope) || c.version === undefined) continue;
    const pkg = osvPackageOf(c);
    if (pkg) keys.add(packageLookupKey(pkg.ecosystem, pkg.name));
  }
  return keys;
}

function componentKey(c: SbomComponent): string | undefined {
  const fromPurl = purlKey(c.purl);
  if (fromPurl) return fromPurl;
  if (c.ecosystem === 'generic') return undefined;
  return packageKey(c.ecosystem, c.group, c.name);
}

function findingComponent(c: SbomComponent): FindingComponent {
  return {
    ref: c.ref,
    name: c.group && c.ecosystem === 'npm' ? `${c.group}/${c.name}` : c.name,
    ...(c.group ? { group: c.group } : {}),
    ...(c.version !== undefined ? { version: c.version } : {}),
    ...(c.purl ? { purl: c.purl } : {}),
    scope: c.scope,
  };
}

interface CompiledException {
  readonly index: number;
  readonly exception: PolicyException;
  readonly key: string;
  readonly range?: VersionRange;
  readonly idUpper: string;
  readonly ref: ExceptionRef;
  readonly expired: boolean;
  invalid: boolean;
  used: boolean;
}

function refOf(e: PolicyException, index: number): ExceptionRef {
  return {
    index,
    id: e.id,
    package: e.package,
    expires: e.expires,
    owner: e.owner,
    approval: e.approval,
    ...(e.line !== undefined ? { line: e.line } : {}),
  };
}

type Draft = Omit<Finding, 'status' | 'waivedBy' | 'expiredException'> & {
  status: 'fail' | 'warn';
  /** Ids an exception may name to waive this finding (upper-case). */
  matchIds: readonly string[];
  key?: string;
};

/** Why the vulnerability rules were not checked, or undefined when they were. */
export function vulnerabilitiesUnchecked(
  advisories: EvaluatePolicyInput['advisories'],
): string | undefined {
  if (advisories === undefined)
    return 'no advisory source was given, so the vulnerability rules were not checked';
  if (!('lookup' in advisories) && advisories.length === 0)
    return 'the advisory sources held no records, so the vulnerability rules were not checked';
  return undefined;
}

const label = (c: FindingComponent): string =>
  `${c.name}${c.version !== undefined ? `@${c.version}` : ''}`;

export function evaluatePolicy(input: EvaluatePolicyInput): PolicyReport {
  const { sbom, policy, now } = input;
  const mode = input.mode ?? 'enforce';
  const db: AdvisoryDatabase | undefined =
    input.advisories === undefined
      ? undefined
      : 'lookup' in input.advisories
        ? input.advisories
        : buildAdvisoryDatabase(input.advisories, { packages: advisoryPackagesOf(sbom, policy) });
  const drafts: Draft[] = [];
  const scopes = new Set(policy.scopes);
  const overrides = new Map(
    (policy.licenses?.overrides ?? []).map((o) => [o.package.key, o.license]),
  );
  const bansByKey = new Map<string, Policy['bans'][number][]>();
  const wildcardBans = policy.bans.filter((ban) => ban.package.wildcard);
  for (const ban of policy.bans) {
    if (ban.package.wildcard) continue;
    const list = bansByKey.get(ban.package.key) ?? [];
    list.push(ban);
    bansByKey.set(ban.package.key, list);
  }
  const bansOf = (key: string | undefined): Policy['bans'][number][] => {
    if (!key) return [];
    const exact = bansByKey.get(key) ?? [];
    if (wildcardBans.length === 0) return exact;
    return [...exact, ...wildcardBans.filter((ban) => ban.package.wildcard!.test(key))];
  };
  const failRank = SEVERITY_RANK[policy.vulnerabilities.failOn];
  let evaluated = 0;
  for (const c of sbom.components) {
    if (!scopes.has(c.scope)) continue;
    evaluated++;
    const key = componentKey(c);
    const comp = findingComponent(c);
    // Licenses.
    if (policy.licenses && c.type !== 'file') {
      const override = key ? overrides.get(key) : undefined;
      const verdict = evaluateLicense(override ?? c.license, policy.licenses);
      if (verdict.status !== 'allowed') {
        const unknown = verdict.status === 'unknown';
        const expr = verdict.expression ?? 'none declared';
        drafts.push({
          kind: 'license',
          id: `license:${verdict.expression ?? 'unknown'}`,
          aliases: [],
          component: comp,
          status: unknown && policy.licenses.unknown === 'warn' ? 'warn' : 'fail',
          title: unknown
            ? `Unknown license: ${expr}`
            : `License ${verdict.status === 'denied' ? 'denied' : 'not allowed'}: ${expr}`,
          message: unknown
            ? `${label(comp)} declares ${verdict.expression ? `"${expr}", which is not an SPDX expression of known licenses` : 'no license'}`
            : `${label(comp)} is licensed "${expr}": ${verdict.offending.join(', ')} ${verdict.status === 'denied' ? 'is denied' : 'is not on the allow list'}`,
          matchIds: [
            ...(verdict.expression
              ? [`LICENSE:${verdict.expression.toUpperCase()}`]
              : ['LICENSE:UNKNOWN']),
            ...verdict.offending.map((o) => `LICENSE:${normaliseExpression(o).toUpperCase()}`),
          ],
          ...(key ? { key } : {}),
          ...(override
            ? { notes: [`license overridden by the policy (declared: ${c.license ?? 'none'})`] }
            : {}),
        });
      }
    }
    // Bans.
    for (const ban of bansOf(key)) {
      if (!ban.versions.all && !ban.versions.matches(c.version)) continue;
      drafts.push({
        kind: 'ban',
        id: `ban:${ban.name}`,
        aliases: [],
        component: comp,
        status: 'fail',
        title: `Banned package: ${ban.name}`,
        message: `${label(comp)} is banned by "${ban.name}" (${ban.package.wildcard ? `pkg:${ban.package.key}, ` : ''}${ban.versions.text})${ban.reason ? `: ${ban.reason}` : ''}`,
        matchIds: [`BAN:${ban.name.toUpperCase()}`],
        ...(key ? { key } : {}),
      });
    }
    // Vulnerabilities.
    const pkg = db && c.version !== undefined ? osvPackageOf(c) : undefined;
    if (!db || !pkg) continue;
    const groups = new Map<
      string,
      {
        severities: AdvisorySeverity[];
        fixedIn: Set<string>;
        notes: Set<string>;
        titles: string[];
        ids: Set<string>;
      }
    >();
    for (const entry of db.lookup(pkg.ecosystem, pkg.name)) {
      const result = evaluateAffected(entry.compiled, c.version!);
      if (!result.affected) continue;
      const canonical = db.canonicalId(entry.record.id);
      let g = groups.get(canonical);
      if (!g)
        groups.set(
          canonical,
          (g = {
            severities: [],
            fixedIn: new Set(),
            notes: new Set(),
            titles: [],
            ids: new Set(),
          }),
        );
      g.severities.push(db.severityOf(entry.record));
      for (const f of result.fixedIn) g.fixedIn.add(f);
      for (const n of result.notes) g.notes.add(`${entry.record.id}: ${n}`);
      if (entry.record.summary && !g.titles.includes(entry.record.summary))
        g.titles.push(entry.record.summary);
      g.ids.add(entry.record.id);
    }
    for (const [canonical, g] of groups) {
      const sev = maxSeverity(g.severities);
      const aliases = db.groupIds(canonical);
      const fixedIn = [...g.fixedIn];
      const meets = sev.severity === undefined || SEVERITY_RANK[sev.severity] >= failRank;
      const status =
        meets && !(policy.vulnerabilities.onlyFixed && fixedIn.length === 0) ? 'fail' : 'warn';
      const notes = [...g.notes];
      if (sev.severity === undefined)
        notes.push('the advisory gives no severity; it is treated as meeting fail-on');
      if (meets && status === 'warn')
        notes.push('no fixed version is known and the policy has only-fixed: true');
      drafts.push({
        kind: 'vulnerability',
        id: canonical,
        aliases,
        component: comp,
        status,
        ...(sev.severity ? { severity: sev.severity } : {}),
        ...(sev.score !== undefined ? { score: sev.score } : {}),
        severityBasis: sev.basis ?? 'unknown',
        title: g.titles[0] ?? canonical,
        message: `${label(comp)} is affected by ${canonical}${aliases.length > 1 ? ` (${aliases.slice(1).join(', ')})` : ''}, severity ${sev.severity ?? 'unknown'}${sev.score !== undefined ? ` ${sev.score.toFixed(1)}` : ''}${fixedIn.length ? `; fixed in ${fixedIn.join(', ')}` : '; no fixed version known'}`,
        ...(fixedIn.length ? { fixedIn } : {}),
        matchIds: aliases.map((a) => a.toUpperCase()),
        ...(key ? { key } : {}),
        ...(notes.length ? { notes } : {}),
      });
    }
  }

  // Exceptions: validate against windows and clock, then apply.
  const compiled: CompiledException[] = [];
  for (const [index, e] of (input.exceptions?.exceptions ?? []).entries()) {
    let key: string;
    let range: VersionRange | undefined;
    try {
      const pattern = parsePackagePattern(e.package);
      key = pattern.key;
      range = e.versions ? parseVersionRange(e.versions, pattern.ecosystem) : undefined;
    } catch {
      continue; // parseExceptions refuses these; a hand-built file may still carry one
    }
    compiled.push({
      index,
      exception: e,
      key,
      ...(range ? { range } : {}),
      idUpper: e.id.toUpperCase(),
      ref: refOf(e, index),
      expired: isExpired(e, now),
      invalid: false,
      used: false,
    });
  }
  const byKey = new Map<string, CompiledException[]>();
  for (const ce of compiled) {
    const list = byKey.get(ce.key) ?? [];
    list.push(ce);
    byKey.set(ce.key, list);
  }
  const matching = (d: Draft): CompiledException[] =>
    (d.key ? (byKey.get(d.key) ?? []) : []).filter(
      (ce) =>
        d.matchIds.includes(ce.idUpper) && (!ce.range || ce.range.matches(d.component.version)),
    );
  // Severity of what each exception waives: from the findings it matches, else from the advisories.
  const severityByException = new Map<number, Severity>();
  for (const d of drafts) {
    if (!d.severity) continue;
    for (const ce of matching(d)) {
      const prev = severityByException.get(ce.index);
      if (!prev || SEVERITY_RANK[d.severity] > SEVERITY_RANK[prev])
        severityByException.set(ce.index, d.severity);
    }
  }
  const indexOfException = new Map<PolicyException, number>();
  for (const [i, e] of (input.exceptions?.exceptions ?? []).entries())
    if (!indexOfException.has(e)) indexOfException.set(e, i);
  const problems = input.exceptions
    ? validateExceptions(input.exceptions, {
        windows: policy.remediationWindows,
        now,
        soonDays: policy.expiringWithinDays,
        ...(db ? { canonicalId: (id: string) => db.canonicalId(id) } : {}),
        severityOf: (e) => {
          const index = indexOfException.get(e) ?? -1;
          const known = severityByException.get(index);
          if (known) return known;
          if (/^(license|ban):/i.test(e.id) || !db) return undefined;
          return db.severityOfId(e.id).severity;
        },
      })
    : [];
  for (const p of problems) {
    if (p.level === 'error') {
      const ce = compiled.find((x) => x.index === p.index);
      if (ce) ce.invalid = true;
    }
  }
  const findings: Finding[] = drafts.map((d) => {
    const { matchIds: _m, key: _k, ...rest } = d;
    const candidates = matching(d);
    const valid = candidates.find((ce) => !ce.expired && !ce.invalid);
    for (const ce of candidates) if (!ce.expired && !ce.invalid) ce.used = true;
    if (valid) return { ...rest, status: 'waived', waivedBy: valid.ref };
    const expired = candidates.find((ce) => ce.expired);
    const invalid = candidates.find((ce) => ce.invalid);
    const notes = [...(rest.notes ?? [])];
    if (invalid)
      notes.push(
        `exception #${invalid.index + 1} matches but is invalid (see the exception problems), so it does not waive this`,
      );
    return {
      ...rest,
      ...(notes.length ? { notes } : {}),
      ...(expired ? { expiredException: expired.ref } : {}),
    };
  });
  const statusRank = { fail: 0, warn: 1, waived: 2 } as const;
  const kindRank = { vulnerability: 0, ban: 1, license: 2 } as const;
  findings.sort(
    (a, b) =>
      statusRank[a.status] - statusRank[b.status] ||
      kindRank[a.kind] - kindRank[b.kind] ||
      (b.severity ? SEVERITY_RANK[b.severity] : 5) - (a.severity ? SEVERITY_RANK[a.severity] : 5) ||
      a.component.name.localeCompare(b.component.name) ||
      (a.component.version ?? '').localeCompare(b.component.version ?? '') ||
      a.id.localeCompare(b.id) ||
      a.component.ref.localeCompare(b.component.ref),
  );
  const reportedProblems: ReportedExceptionProblem[] = problems.map((p) => ({
    code: p.code,
    level: p.level,
    message: p.message,
    exception: refOf(p.exception, p.index),
  }));
  const count = (s: Finding['status']): number => findings.filter((f) => f.status === s).length;
  const fail = count('fail');
  const invalidExceptions = compiled.filter((c) => c.invalid).length;
  const expiringSoon = problems
    .filter((p) => p.code === 'EXPIRING_SOON')
    .map((p) => refOf(p.exception, p.index));
  const verdict = fail === 0 && invalidExceptions === 0 ? 'pass' : 'fail';
  const unchecked = vulnerabilitiesUnchecked(input.advisories);
  const gateIneligibleReasons = [
    ...(mode === 'warn-only' ? ['the run was warn-only'] : []),
    ...(unchecked ? [unchecked] : []),
  ];
  return {
    tool: { name: 'vouch', version: VERSION },
    reportVersion: 1,
    mode,
    gateEligible: gateIneligibleReasons.length === 0,
    ...(gateIneligibleReasons.length ? { gateIneligibleReasons } : {}),
    verdict,
    evaluatedAt: now.toISOString(),
    sbom: {
      ...(input.sbomSource ? { source: input.sbomSource } : {}),
      ...(sbom.sourceFormat ? { format: sbom.sourceFormat } : {}),
      components: sbom.components.length,
      evaluated,
      outOfScope: sbom.components.length - evaluated,
    },
    counts: {
      fail,
      warn: count('warn'),
      waived: count('waived'),
      vulnerabilities: findings.filter((f) => f.kind === 'vulnerability' && f.status !== 'waived')
        .length,
      licenses: findings.filter((f) => f.kind === 'license' && f.status !== 'waived').length,
      bans: findings.filter((f) => f.kind === 'ban' && f.status !== 'waived').length,
      expiredExceptions: compiled.filter((c) => c.expired).length,
      unusedExceptions: compiled.filter((c) => !c.used && !c.expired && !c.invalid).length,
      expiringExceptions: expiringSoon.length,
      invalidExceptions,
    },
    findings,
    exceptions: {
      used: compiled.filter((c) => c.used).map((c) => c.ref),
      unused: compiled.filter((c) => !c.used && !c.expired && !c.invalid).map((c) => c.ref),
      expired: compiled.filter((c) => c.expired).map((c) => c.ref),
      expiringSoon,
      problems: reportedProblems,
    },
    advisories: {
      records: db?.records.length ?? 0,
      withdrawn: db?.withdrawn.length ?? 0,
      skipped: db ? [...db.skipped] : [],
      warnings: [...(unchecked ? [unchecked] : []), ...(db ? db.warnings : [])],
    },
    policy: {
      scopes: [...policy.scopes],
      failOn: policy.vulnerabilities.failOn,
      onlyFixed: policy.vulnerabilities.onlyFixed,
    },
  };
}

/** Exit code of a report: 0 pass (or warn-only), 1 refused. */
export function exitCodeOf(report: PolicyReport): 0 | 1 {
  if (report.mode === 'warn-only') return 0;
  return report.verdict === 'pass' ? 0 : 1;
}
