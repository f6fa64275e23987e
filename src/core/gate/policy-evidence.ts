/**
 * The policy report (core/policy) as the gate needs it: what failed, what was waived by which
 * exception, which exceptions expired, and whether the run was warn-only.
 */
import type { PolicyReport } from '../policy/model.ts';
import type { PolicyEvidence } from './model.ts';

export function policyEvidenceFromReport(
  report: PolicyReport,
  sbomDigest: string,
): Omit<PolicyEvidence, 'report'> {
  const failing = report.findings.filter((f) => f.status === 'fail');
  return {
    sbomDigest,
    passed: report.verdict === 'pass',
    warnOnly: report.mode === 'warn-only',
    ...(report.mode !== 'warn-only' && !report.gateEligible
      ? { ineligible: report.gateIneligibleReasons ?? ['the report is not eligible for the gate'] }
      : {}),
    failing: failing.map((f) => ({
      id: f.id,
      kind: f.kind,
      message: f.message,
      ...(f.component.purl ? { package: f.component.purl } : {}),
      ...(f.severity ? { severity: f.severity } : {}),
    })),
    waived: report.findings
      .filter((f) => f.status === 'waived' && f.waivedBy)
      .map((f) => ({
        findingId: f.id,
        ...(f.component.purl ? { package: f.component.purl } : {}),
        exceptionId: f.waivedBy!.id,
        exceptionPackage: f.waivedBy!.package,
        expires: f.waivedBy!.expires,
      })),
    expired: failing
      .filter((f) => f.expiredException)
      .map((f) => ({
        id: f.expiredException!.id,
        findingId: f.id,
        package: f.expiredException!.package,
        expires: f.expiredException!.expires,
      })),
  };
}
