/**
 * The policy run shared by `vouch policy`, the policy action and the gate: read the SBOM, the
 * policy and exceptions files (never through a symlink, THREATS 34), load advisories from every
 * source, evaluate, and render. Advisory APIs fail closed: when one cannot be reached the run
 * stops with ADVISORY_SOURCE_UNREACHABLE unless an offline source was given too.
 */
import { promises as fsp } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { ExceptionsFile } from '../../core/exceptions/model.ts';
import { parseExceptions } from '../../core/exceptions/parse.ts';
import type { Logger } from '../../core/logger.ts';
import {
  buildAdvisoryDatabase,
  type AdvisoryDatabase,
  type RawAdvisory,
} from '../../core/osv/database.ts';
import type { SkippedAdvisory } from '../../core/osv/model.ts';
import {
  advisoryPackagesOf,
  evaluatePolicy,
  osvPackageOf,
  vulnerabilitiesUnchecked,
} from '../../core/policy/evaluate.ts';
import type { Policy, PolicyReport } from '../../core/policy/model.ts';
import { parsePolicy } from '../../core/policy/parse.ts';
import { buildSarif, formatMarkdown, formatText } from '../../core/policy/render.ts';
import type { Sbom } from '../../core/sbom/model.ts';
import { MAX_SBOM_BYTES, parseSbom } from '../../core/sbom/parse.ts';
import { VouchError } from '../../errors.ts';
import { DEFAULT_GITHUB_API, queryGithubAdvisories } from '../advisories/github-api.ts';
import { DEFAULT_OSV_API, queryOsvApi, type PackageQuery } from '../advisories/osv-api.ts';
import { loadOsvSource } from '../advisories/osv-files.ts';

export type ReportFormat = 'text' | 'json' | 'sarif' | 'markdown';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'sarif', 'markdown'];

export interface RunPolicyOptions {
  readonly sbom: string;
  readonly policy: string;
  readonly exceptions?: string;
  /**
   * Advisory sources: a directory, zip or JSON file of OSV records; `osv-api` or `osv-api=URL`
   * (the OSV batch API); `github-api` or `github-api=URL` (GitHub's advisory database).
   */
  readonly advisories: readonly string[];
  readonly now: Date;
  readonly mode?: 'enforce' | 'warn-only';
  /** Paths are resolved against this directory (default: the process's). */
  readonly cwd?: string;
  readonly githubToken?: string;
}

export interface RunPolicyDeps {
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
}

export interface PolicyRun {
  readonly report: PolicyReport;
  /** Paths as given (relative to cwd when inside it), for SARIF and annotations. */
  readonly files: { readonly sbom: string; readonly policy: string; readonly exceptions?: string };
}

const MAX_CONTROL_BYTES = 2 * 1024 * 1024;

/** Reads a policy or exceptions file: no symlinks, size capped. */
export async function readControlFile(path: string, what: string): Promise<string> {
  let stat;
  try {
    stat = await fsp.lstat(path);
  } catch (error) {
    throw new VouchError('FILE_UNREADABLE', `${what} ${path} does not exist or cannot be read`, {
      cause: error,
    });
  }
  if (stat.isSymbolicLink()) {
    throw new VouchError(
      'PATH_IS_SYMLINK',
      `${what} ${path} is a symbolic link; vouch reads control files only as real files`,
    );
  }
  if (!stat.isFile()) throw new VouchError('FILE_UNREADABLE', `${what} ${path} is not a file`);
  if (stat.size > MAX_CONTROL_BYTES)
    throw new VouchError(
      'FILE_TOO_LARGE',
      `${what} ${path} is larger than ${MAX_CONTROL_BYTES} bytes`,
    );
  return fsp.readFile(path, 'utf8');
}

export async function readSbomFile(path: string): Promise<Sbom> {
  let stat;
  try {
    stat = await fsp.stat(path);
  } catch (error) {
    throw new VouchError('FILE_UNREADABLE', `SBOM ${path} does not exist or cannot be read`, {
      cause: error,
    });
  }
  if (stat.size > MAX_SBOM_BYTES)
    throw new VouchError('FILE_TOO_LARGE', `SBOM ${path} is larger than ${MAX_SBOM_BYTES} bytes`);
  return parseSbom(await fsp.readFile(path, 'utf8'), path);
}

export async function loadPolicyFile(path: string): Promise<Policy> {
  return parsePolicy(await readControlFile(path, 'policy file'), path);
}

export async function loadExceptionsFile(path: string): Promise<ExceptionsFile> {
  return parseExceptions(await readControlFile(path, 'exceptions file'), path);
}

/** Package versions of an SBOM as API queries. */
export function queriesOf(sbom: Sbom, policy: Policy): PackageQuery[] {
  const seen = new Set<string>();
  const out: PackageQuery[] = [];
  for (const c of sbom.components) {
    if (!policy.scopes.includes(c.scope) || c.version === undefined) continue;
    const pkg = osvPackageOf(c);
    if (!pkg) continue;
    const key = `${pkg.ecosystem}\0${pkg.name}\0${c.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...pkg, version: c.version });
  }
  return out;
}

/** Loads every advisory source; APIs fail closed unless an offline source was loaded. */
export async function loadAdvisories(
  sources: readonly string[],
  queries: () => PackageQuery[],
  options: { cwd: string; githubToken?: string },
  deps: RunPolicyDeps,
): Promise<{
  raw: RawAdvisory[];
  skipped: SkippedAdvisory[];
  warnings: string[];
  /** How many API sources answered (an answer with no records is a clean result). */
  apisAnswered: number;
}> {
  let apisAnswered = 0;
  const raw: RawAdvisory[] = [];
  const skipped: SkippedAdvisory[] = [];
  const warnings: string[] = [];
  const apis = sources.filter((s) => /^(osv-api|github-api)(=|$)/.test(s));
  const offline = sources.filter((s) => !apis.includes(s));
  for (const s of offline) {
    const loaded = await loadOsvSource(resolve(options.cwd, s));
    raw.push(...loaded.raw);
    skipped.push(...loaded.skipped);
    deps.logger.info(`advisories: ${loaded.raw.length} records from ${s}`);
  }
  for (const s of apis) {
    const [kind, url] = s.split(/=(.*)/s) as [string, string | undefined];
    try {
      const got =
        kind === 'osv-api'
          ? await queryOsvApi(queries(), {
              baseUrl: url || DEFAULT_OSV_API,
              ...(deps.fetch ? { fetch: deps.fetch } : {}),
            })
          : await queryGithubAdvisories(queries(), {
              baseUrl: url || DEFAULT_GITHUB_API,
              ...(deps.fetch ? { fetch: deps.fetch } : {}),
              ...(options.githubToken ? { token: options.githubToken } : {}),
            });
      raw.push(...got);
      apisAnswered++;
      deps.logger.info(`advisories: ${got.length} records from ${kind}`);
    } catch (error) {
      if (
        error instanceof VouchError &&
        error.code === 'ADVISORY_SOURCE_UNREACHABLE' &&
        offline.length > 0
      ) {
        const message = `${error.message}; continuing with the offline source${offline.length > 1 ? 's' : ''} ${offline.join(', ')}`;
        deps.logger.warn(message);
        warnings.push(message);
        continue;
      }
      throw error;
    }
  }
  for (const s of skipped) deps.logger.warn(`advisory ${s.id} skipped: ${s.reason}`);
  return { raw, skipped, warnings, apisAnswered };
}

export async function runPolicy(
  options: RunPolicyOptions,
  deps: RunPolicyDeps,
): Promise<PolicyRun> {
  const cwd = options.cwd ?? process.cwd();
  const abs = (p: string): string => resolve(cwd, p);
  const rel = (p: string): string => {
    const r = relative(cwd, abs(p));
    return r.startsWith('..') ? abs(p) : r.split('\\').join('/');
  };
  const policy = await loadPolicyFile(abs(options.policy));
  const exceptions = options.exceptions
    ? await loadExceptionsFile(abs(options.exceptions))
    : undefined;
  const sbom = await readSbomFile(abs(options.sbom));
  let advisories: AdvisoryDatabase | RawAdvisory[] | undefined;
  let extraWarnings: string[] = [];
  let fileSkips: SkippedAdvisory[] = [];
  if (options.advisories.length > 0) {
    const loaded = await loadAdvisories(
      options.advisories,
      () => queriesOf(sbom, policy),
      { cwd, ...(options.githubToken ? { githubToken: options.githubToken } : {}) },
      deps,
    );
    // An API answers only for affected packages, so no records from it is a clean result; offline
    // sources with no records at all checked nothing (evaluatePolicy reads [] as unchecked).
    advisories =
      loaded.raw.length === 0 && loaded.apisAnswered === 0
        ? []
        : buildAdvisoryDatabase(loaded.raw, { packages: advisoryPackagesOf(sbom, policy) });
    if (!Array.isArray(advisories))
      for (const s of advisories.skipped)
        deps.logger.warn(`advisory ${s.id} skipped (${s.source}): ${s.reason}`);
    extraWarnings = loaded.warnings;
    fileSkips = loaded.skipped;
  }
  const unchecked = vulnerabilitiesUnchecked(advisories);
  if (unchecked) deps.logger.warn(`${unchecked}; the report is not accepted by the release gate`);
  const report = evaluatePolicy({
    sbom,
    policy,
    ...(exceptions ? { exceptions } : {}),
    ...(advisories ? { advisories } : {}),
    now: options.now,
    mode: options.mode ?? 'enforce',
    sbomSource: rel(options.sbom),
  });
  const merged: PolicyReport = {
    ...report,
    advisories: {
      ...report.advisories,
      skipped: [...fileSkips, ...report.advisories.skipped],
      warnings: [...extraWarnings, ...report.advisories.warnings],
    },
  };
  return {
    report: merged,
    files: {
      sbom: rel(options.sbom),
      policy: rel(options.policy),
      ...(options.exceptions ? { exceptions: rel(options.exceptions) } : {}),
    },
  };
}

/** Renders a report in one of the formats. */
export function renderReport(run: PolicyRun, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(run.report, null, 2)}\n`;
    case 'sarif':
      return `${JSON.stringify(buildSarif(run.report, run.files), null, 2)}\n`;
    case 'markdown':
      return formatMarkdown(run.report);
    default:
      return formatText(run.report);
  }
}

/** Parses `--now` / the action's `now`: an ISO date or date-time, UTC. */
export function parseNow(text: string | undefined, fallback: Date): Date {
  if (!text) return fallback;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw new VouchError(
      'USAGE_INVALID_VALUE',
      `"${text}" is not an ISO 8601 date (YYYY-MM-DD or a full timestamp)`,
    );
  }
  return d;
}
