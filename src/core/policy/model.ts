/**
 * The policy file (docs/policy.md, schemas/policy.schema.json) and the report the engine writes.
 */
import type { ComponentScope } from '../sbom/model.ts';
import type { RemediationWindows, Severity } from '../exceptions/model.ts';
import type { BanPattern, PackagePattern } from './purl.ts';
import type { VersionRange } from '../osv/version.ts';

export interface LicenseOverride {
  readonly package: PackagePattern;
  /** SPDX expression that replaces the package's declared license. */
  readonly license: string;
}

export interface LicensePolicy {
  /** SPDX ids (or `ID WITH EXCEPTION`) allowed; undefined = no allow list. */
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
  readonly unknown: 'fail' | 'warn';
  readonly overrides: readonly LicenseOverride[];
}

export interface VulnerabilityPolicy {
  readonly failOn: Severity;
  readonly onlyFixed: boolean;
}

export interface Ban {
  readonly name: string;
  /** One package, or with a wildcard in the name every package it matches. */
  readonly package: BanPattern;
  readonly versions: VersionRange;
  readonly reason?: string;
}

export interface Policy {
  readonly version: 1;
  readonly scopes: readonly ComponentScope[];
  /** Absent: licenses are not checked. */
  readonly licenses?: LicensePolicy;
  /** Default: fail on every known vulnerability (fail-on: low). */
  readonly vulnerabilities: VulnerabilityPolicy;
  readonly bans: readonly Ban[];
  readonly remediationWindows: RemediationWindows;
  /** Report exceptions that expire within this many days. */
  readonly expiringWithinDays: number;
}

export type FindingKind = 'vulnerability' | 'license' | 'ban';

/** fail: counts against the verdict; warn: reported only; waived: covered by a valid exception. */
export type FindingStatus = 'fail' | 'warn' | 'waived';

export interface FindingComponent {
  readonly ref: string;
  readonly name: string;
  readonly group?: string;
  readonly version?: string;
  readonly purl?: string;
  readonly scope: ComponentScope;
}

export interface ExceptionRef {
  /** 0-based index in the exceptions file. */
  readonly index: number;
  readonly id: string;
  readonly package: string;
  readonly expires: string;
  readonly owner: string;
  readonly approval: string;
  readonly line?: number;
}

export interface Finding {
  readonly kind: FindingKind;
  /** Canonical advisory id, `license:<SPDX expression>` or `ban:<name>`. */
  readonly id: string;
  /** Every id of the advisory group (vulnerabilities), canonical first. */
  readonly aliases: readonly string[];
  readonly component: FindingComponent;
  readonly status: FindingStatus;
  readonly severity?: Severity;
  readonly score?: number;
  /** What the severity came from: CVSS_V4, CVSS_V3, label, or unknown. */
  readonly severityBasis?: string;
  readonly title: string;
  readonly message: string;
  readonly fixedIn?: readonly string[];
  readonly waivedBy?: ExceptionRef;
  /** An exception matched this finding but had expired, so it no longer waives it. */
  readonly expiredException?: ExceptionRef;
  readonly notes?: readonly string[];
}

export interface ReportedExceptionProblem {
  readonly code: string;
  readonly level: 'error' | 'warning';
  readonly message: string;
  readonly exception: ExceptionRef;
}

export interface PolicyReport {
  readonly tool: { readonly name: 'vouch'; readonly version: string };
  readonly reportVersion: 1;
  /** enforce: the verdict counts; warn-only: reported, exit 0, and never accepted by the gate. */
  readonly mode: 'enforce' | 'warn-only';
  /**
   * False for a warn-only run, and for a run whose vulnerability rules were not checked (no
   * advisory source, or offline sources with no records): the release gate refuses such a report.
   */
  readonly gateEligible: boolean;
  /** Why the report is not gate-eligible; present only when gateEligible is false. */
  readonly gateIneligibleReasons?: readonly string[];
  readonly verdict: 'pass' | 'fail';
  readonly evaluatedAt: string;
  readonly sbom: {
    readonly source?: string;
    readonly format?: string;
    readonly components: number;
    readonly evaluated: number;
    readonly outOfScope: number;
  };
  readonly counts: {
    readonly fail: number;
    readonly warn: number;
    readonly waived: number;
    readonly vulnerabilities: number;
    readonly licenses: number;
    readonly bans: number;
    readonly expiredExceptions: number;
    readonly unusedExceptions: number;
    readonly expiringExceptions: number;
    readonly invalidExceptions: number;
  };
  readonly findings: readonly Finding[];
  readonly exceptions: {
    readonly used: readonly ExceptionRef[];
    readonly unused: readonly ExceptionRef[];
    readonly expired: readonly ExceptionRef[];
    readonly expiringSoon: readonly ExceptionRef[];
    readonly problems: readonly ReportedExceptionProblem[];
  };
  readonly advisories: {
    readonly records: number;
    readonly withdrawn: number;
    readonly skipped: readonly {
      readonly id: string;
      readonly source: string;
      readonly reason: string;
    }[];
    readonly warnings: readonly string[];
  };
  readonly policy: {
    readonly scopes: readonly string[];
    readonly failOn?: Severity;
    readonly onlyFixed?: boolean;
  };
}
