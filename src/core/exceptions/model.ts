/**
 * Policy exceptions (docs/exceptions.md): governed, expiring, approved waivers.
 * Parsing and validation live beside this file; the policy engine applies them.
 */

export interface PolicyException {
  /** An advisory id or any alias (GHSA-…, CVE-…, RUSTSEC-…), `license:<SPDX id>` or `ban:<ban name>`. */
  readonly id: string;
  /** Package URL without version. */
  readonly package: string;
  /** Version range in the package ecosystem's syntax; undefined means every version. */
  readonly versions?: string;
  readonly reason: string;
  readonly owner: string;
  readonly approvedBy: string;
  /** Pull request URL that approved the exception. */
  readonly approval: string;
  /** UTC dates, YYYY-MM-DD. */
  readonly created: string;
  readonly expires: string;
  /** 1-based line in the file, for annotations. */
  readonly line?: number;
}

export interface ExceptionsFile {
  readonly version: 1;
  readonly exceptions: readonly PolicyException[];
}

export type Severity = 'critical' | 'high' | 'medium' | 'low';

/** Days allowed between `created` and `expires`, by severity. */
export type RemediationWindows = Readonly<Record<Severity, number>>;

export const DEFAULT_REMEDIATION_WINDOWS: RemediationWindows = {
  critical: 7,
  high: 30,
  medium: 90,
  low: 180,
};
