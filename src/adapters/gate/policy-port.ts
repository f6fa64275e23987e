/**
 * The policy stage for the gate: reads the policy file and the offline advisory sources, parses
 * the attested SBOM with the shared reader, and evaluates (core/policy evaluatePolicy).
 */
import { promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';
import { policyEvidenceFromReport } from '../../core/gate/policy-evidence.ts';
import type { Logger } from '../../core/logger.ts';
import type { RawAdvisory } from '../../core/osv/database.ts';
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

/** Every `*.json` OSV record under each directory (offline source). */
export async function readAdvisoryDirectories(
  paths: readonly string[],
  workspace: string,
): Promise<RawAdvisory[]> {
  const out: RawAdvisory[] = [];
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
    const files = entries
      .filter((e) => e.isFile() && e.name.endsWith('.json'))
      .map((e) => join(e.parentPath, e.name))
      .sort();
    for (const file of files) {
      const st = await fsp.stat(file);
      if (st.size > MAX_ADVISORY_BYTES) continue;
      try {
        out.push({ source: file, value: JSON.parse(await fsp.readFile(file, 'utf8')) });
      } catch {
        out.push({ source: file, value: null });
      }
    }
  }
  return out;
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
  const report = evaluatePolicy({
    sbom,
    policy,
    ...(request.exceptions ? { exceptions: request.exceptions } : {}),
    advisories,
    now: request.now,
    sbomSource: `attested SBOM sha256:${request.sbomDigest}`,
  });
  for (const w of report.advisories.warnings) logger.warn(w);
  return { evidence: policyEvidenceFromReport(report, request.sbomDigest), report };
}
