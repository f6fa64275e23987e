/**
 * The policy stage for the gate: reads the policy file and the offline advisory sources, parses
 * the attested SBOM with the shared reader, and evaluates (core/policy evaluatePolicy).
 */
import { promises as fsp } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { policyEvidenceFromReport } from '../../core/gate/policy-evidence.ts';
import type { Logger } from '../../core/logger.ts';
import type { RawAdvisory } from '../../core/osv/database.ts';
import type { SkippedAdvisory } from '../../core/osv/model.ts';
import type { Policy } from '../../core/policy/model.ts';
import { VouchError } from '../../errors.ts';
import type { PolicyOutcome, PolicyRequest } from './ports.ts';

const MAX_POLICY_BYTES = 1024 * 1024;
const MAX_ADVISORY_BYTES = 4 * 1024 * 1024;

async function readControlFile(path: string, what: string): Promise<string> {
  const stat = await fsp.lstat(path).catch((error: unknown) => {
    throw new VouchError('FILE_UNREADABLE', `cannot read the ${what} ${path}`, { cause: error });
  });
  if (stat.isSymbolicLink())
    throw new VouchError('PATH_IS_SYMLINK', `the ${what} ${path} is a symbolic link`);
  if (stat.size > MAX_POLICY_BYTES)
    throw new VouchError('FILE_TOO_LARGE', `the ${what} ${path} is over 1 MiB`);
  return fsp.readFile(path, 'utf8');
}

export interface GateAdvisories {
  readonly raw: RawAdvisory[];
  /** Files that were not read (symbolic links, too large), each with the reason. */
  readonly skipped: SkippedAdvisory[];
}

/**
 * Every `*.json` OSV record under each directory (offline source). A file that is not read is
 * reported in `skipped`, as the policy command's loader does, never dropped silently.
 */
export async function readAdvisoryDirectories(
  paths: readonly string[],
  workspace: string,
): Promise<GateAdvisories> {
  const raw: RawAdvisory[] = [];
  const skipped: SkippedAdvisory[] = [];
  const shown = (file: string): string => relative(workspace, file).split(sep).join('/');
  for (const p of paths) {
    const abs = resolve(workspace, p);
    const stat = await fsp.stat(abs).catch((error: unknown) => {
      throw new VouchError('FILE_UNREADABLE', `cannot read the advisory source ${p}`, {
        cause: error,
      });
    });
    if (!stat.isDirectory()) {
      throw new VouchError(
        'INPUT_INVALID',
        `the gate reads advisories from directories of OSV JSON records; ${p} is not one`,
      );
    }
    const entries = await fsp.readdir(abs, { recursive: true, withFileTypes: true });
    const byPath = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    for (const link of entries
      .filter((e) => e.isSymbolicLink())
      .map((e) => shown(join(e.parentPath, e.name)))
      .sort(byPath)) {
      skipped.push({ id: link, source: link, reason: 'symbolic link: not followed' });
    }
    const files = entries
      .filter((e) => e.isFile() && e.name.endsWith('.json'))
      .map((e) => join(e.parentPath, e.name))
      .sort(byPath);
    for (const file of files) {
      const st = await fsp.stat(file);
      if (st.size > MAX_ADVISORY_BYTES) {
        const rel = shown(file);
        skipped.push({ id: rel, source: rel, reason: `larger than ${MAX_ADVISORY_BYTES} bytes` });
        continue;
      }
      try {
        raw.push({ source: file, value: JSON.parse(await fsp.readFile(file, 'utf8')) });
      } catch {
        raw.push({ source: file, value: null });
      }
    }
  }
  return { raw, skipped };
}

/** Reads and parses the policy file; throws the parser's coded error for a malformed one. */
export async function loadGatePolicy(workspace: string, policyPath: string): Promise<Policy> {
  const { parsePolicy } = await import('../../core/policy/parse.ts');
  return parsePolicy(
    await readControlFile(resolve(workspace, policyPath), 'policy file'),
    policyPath,
  );
}

export async function evaluateGatePolicy(
  request: PolicyRequest,
  logger: Logger,
): Promise<PolicyOutcome> {
  const { evaluatePolicy } = await import('../../core/policy/evaluate.ts');
  const { readSbomObject } = await import('../../core/sbom/parse.ts');
  const policy = await loadGatePolicy(request.workspace, request.policyPath);
  const advisories = await readAdvisoryDirectories(request.advisories, request.workspace);
  const sbom = readSbomObject(
    request.sbom,
    `attested SBOM sha256:${request.sbomDigest.slice(0, 12)}`,
  );
  const evaluated = evaluatePolicy({
    sbom,
    policy,
    ...(request.exceptions ? { exceptions: request.exceptions } : {}),
    advisories: advisories.raw,
    now: request.now,
    sbomSource: `attested SBOM sha256:${request.sbomDigest}`,
  });
  // Files not read come first, as in the policy command's report; then records that did not decode.
  const report: typeof evaluated = {
    ...evaluated,
    advisories: {
      ...evaluated.advisories,
      skipped: [...advisories.skipped, ...evaluated.advisories.skipped],
    },
  };
  for (const s of report.advisories.skipped) {
    logger.warn(`advisory ${s.id} skipped (${s.source}): ${s.reason}`);
  }
  for (const w of report.advisories.warnings) logger.warn(w);
  return { evidence: policyEvidenceFromReport(report, request.sbomDigest), report };
}
