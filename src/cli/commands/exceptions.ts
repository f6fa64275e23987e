import { lstat, readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { writeFileAtomic } from '../../adapters/fs/atomic-write.ts';
import { loadExceptionsFromGitRef } from '../../adapters/github/git-ref.ts';
import {
  DEFAULT_REMEDIATION_WINDOWS,
  type ExceptionsFile,
  type PolicyException,
  type RemediationWindows,
  type Severity,
} from '../../core/exceptions/model.ts';
import { checkUtcDate, parseExceptions } from '../../core/exceptions/parse.ts';
import {
  describeWindow,
  exceptionWindow,
  remediationWindowsFromPolicy,
  windowWarnings,
  type AdvisorySeverities,
  type ExceptionWindow,
} from '../../core/exceptions/review.ts';
import {
  daysUntilExpiry,
  isExpired,
  validateExceptions,
  windowFor,
} from '../../core/exceptions/validate.ts';
import { parseYamlSafe } from '../../core/safe-parse.ts';
import { VouchError } from '../../errors.ts';
import { listValue, stringValue, type CommandContext, type CommandSpec } from '../command.ts';
import { ADVISORY_WINDOW_OPTIONS } from '../shared-options.ts';

const MAX_FILE_BYTES = 2 * 1024 * 1024;
const DAY_MS = 86_400_000;

function absolute(ctx: CommandContext, path: string): string {
  return isAbsolute(path) ? path : resolve(ctx.cwd, path);
}

/** Reads a control file from the working tree: a symlink is refused (THREATS 34), size capped. */
async function readControlFile(ctx: CommandContext, path: string): Promise<string | undefined> {
  const full = absolute(ctx, path);
  let info;
  try {
    info = await lstat(full);
  } catch {
    return undefined;
  }
  if (info.isSymbolicLink()) throw new VouchError('PATH_IS_SYMLINK', `${path} is a symbolic link`);
  if (!info.isFile()) throw new VouchError('FILE_UNREADABLE', `${path} is not a regular file`);
  if (info.size > MAX_FILE_BYTES) {
    throw new VouchError('FILE_TOO_LARGE', `${path} is larger than ${MAX_FILE_BYTES} bytes`);
  }
  try {
    return await readFile(full, 'utf8');
  } catch (error) {
    throw new VouchError('FILE_UNREADABLE', `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function requireControlFile(ctx: CommandContext, path: string): Promise<string> {
  const text = await readControlFile(ctx, path);
  if (text === undefined) throw new VouchError('FILE_UNREADABLE', `${path} does not exist`);
  return text;
}

async function windowsOf(ctx: CommandContext): Promise<RemediationWindows> {
  const policy = stringValue(ctx.values, 'policy');
  if (!policy) return DEFAULT_REMEDIATION_WINDOWS;
  return remediationWindowsFromPolicy(await requireControlFile(ctx, policy), policy);
}

/** `--advisories` (and `--sbom` for the APIs): severities of advisories; undefined when none given. */
async function advisoriesOf(ctx: CommandContext): Promise<AdvisorySeverities | undefined> {
  const sources = listValue(ctx.values, 'advisories');
  if (sources.length === 0) return undefined;
  const { loadAdvisorySeverities } = await import('../../adapters/github/review-pull-request.ts');
  const sbom = stringValue(ctx.values, 'sbom');
  const token = ctx.env['GITHUB_TOKEN'];
  if (token) ctx.logger.secret(token);
  return loadAdvisorySeverities({
    sources,
    ...(sbom ? { sbom } : {}),
    cwd: ctx.cwd,
    ...(token ? { githubToken: token } : {}),
    logger: ctx.logger,
  });
}

/** `--now`: an ISO date or date-time; default the real clock. */
function nowOf(ctx: CommandContext): Date {
  const value = stringValue(ctx.values, 'now');
  if (value === undefined) return new Date();
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new VouchError('EXCEPTIONS_DATE_INVALID', `--now "${value}" is not an ISO date`);
  }
  return date;
}

async function loadFile(ctx: CommandContext): Promise<{ file: ExceptionsFile; source: string }> {
  const path = ctx.positionals[0]!;
  const ref = stringValue(ctx.values, 'ref');
  if (ref !== undefined) {
    const loaded = await loadExceptionsFromGitRef(ctx.cwd, ref, path);
    return { file: loaded.file, source: `${path}@${ref} (${loaded.commit.slice(0, 12)})` };
  }
  return { file: parseExceptions(await requireControlFile(ctx, path), path), source: path };
}

function print(ctx: CommandContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** `vouch exceptions validate`: parse errors and window errors are EXCEPTIONS_INVALID (exit 2). */
async function validateExceptionsFile(ctx: CommandContext): Promise<number> {
  const { file, source } = await loadFile(ctx);
  const windows = await windowsOf(ctx);
  const advisories = await advisoriesOf(ctx);
  const entryWindows = file.exceptions.map((e) => exceptionWindow(e, windows, advisories));
  const severityByEntry = new Map(file.exceptions.map((e, i) => [e, entryWindows[i]!.severity]));
  const problems = validateExceptions(file, {
    windows,
    now: nowOf(ctx),
    severityOf: (e) => severityByEntry.get(e),
    ...(advisories ? { canonicalId: advisories.canonicalId } : {}),
  });
  const errors = problems.filter((p) => p.level === 'error');
  const notices = windowWarnings(entryWindows, file);
  if (ctx.json) {
    print(ctx, {
      ok: errors.length === 0,
      file: source,
      exceptions: file.exceptions.length,
      windows: file.exceptions.map((e, i) => ({
        id: e.id,
        package: e.package,
        ...windowJson(entryWindows[i]!),
      })),
      warnings: notices,
      problems: problems.map((p) => ({
        code: p.code,
        level: p.level,
        id: p.exception.id,
        package: p.exception.package,
        line: p.line,
        message: p.message,
      })),
    });
  }
  for (const n of notices) ctx.logger.warn(n, { file: source });
  for (const p of problems) {
    const at = { file: source, ...(p.line !== undefined ? { line: p.line } : {}) };
    if (p.level === 'error') ctx.logger.error(`[${p.code}] ${p.message}`, at);
    else ctx.logger.warn(`[${p.code}] ${p.message}`, at);
  }
  if (errors.length > 0) {
    throw new VouchError(
      'EXCEPTIONS_INVALID',
      `${source}: ${errors.length} exception(s) break the rules: ${errors.map((e) => e.message).join('; ')}`,
    );
  }
  ctx.logger.info(`${source}: ${file.exceptions.length} exception(s), valid`);
  return 0;
}

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

function windowJson(w: ExceptionWindow): Record<string, unknown> {
  return {
    windowDays: w.days,
    windowBasis: w.basis,
    ...(w.severity ? { severity: w.severity } : {}),
    ...(w.advisory ? { advisory: w.advisory } : {}),
  };
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Adds one entry to the YAML text, keeping every other line and comment as written. Throws
 * EXCEPTIONS_INVALID when the result would not parse (a duplicate, a bad purl or range).
 */
export function appendExceptionYaml(
  text: string | undefined,
  entry: Record<string, string>,
  source: string,
): string {
  const original = text ?? '# Policy exceptions: docs/exceptions.md\nversion: 1\nexceptions: []\n';
  parseYamlSafe(original, source); // hostile input is refused before the Document API sees it
  const doc = parseDocument(original);
  if (doc.errors.length > 0) {
    throw new VouchError('YAML_INVALID', `${source}: ${doc.errors[0]!.message}`);
  }
  if (!isMap(doc.contents)) {
    throw new VouchError(
      'EXCEPTIONS_INVALID',
      `${source} must be a mapping with "version: 1" and "exceptions:"`,
    );
  }
  let list = doc.get('exceptions', true);
  if (
    list === undefined ||
    list === null ||
    (isSeq(list) && list.items.length === 0 && list.flow)
  ) {
    doc.set('exceptions', doc.createNode([]));
    list = doc.get('exceptions', true);
    if (isSeq(list)) list.flow = false;
  }
  if (!isSeq(list))
    throw new VouchError('EXCEPTIONS_INVALID', `${source}: "exceptions" must be a list`);
  const node = doc.createNode(entry);
  // Ranges are quoted as in the documentation, so `<`, `>` and `*` read the same to a person.
  const versions = node.get('versions', true);
  if (isScalar(versions)) versions.type = 'QUOTE_DOUBLE';
  list.add(node);
  const out = doc.toString({ lineWidth: 0 });
  parseExceptions(out, source);
  return out;
}

/** `vouch exceptions add`: a well-formed entry, expiry = created + the window for the severity. */
async function addException(ctx: CommandContext): Promise<number> {
  const path = ctx.positionals[0]!;
  const get = (name: string): string | undefined => stringValue(ctx.values, name)?.trim();
  const severity = get('severity');
  if (severity !== undefined && !(SEVERITIES as readonly string[]).includes(severity)) {
    throw new VouchError(
      'USAGE_INVALID_VALUE',
      `--severity must be one of ${SEVERITIES.join(', ')}, not "${severity}"`,
    );
  }
  const now = nowOf(ctx);
  const created = now.toISOString().slice(0, 10);
  const dateProblem = checkUtcDate(created);
  if (dateProblem) throw new VouchError('EXCEPTIONS_DATE_INVALID', `--now: ${dateProblem}`);
  const windows = await windowsOf(ctx);
  const id = get('id')!;
  // An explicit --severity wins; else the finding's own severity in --advisories; else the longest.
  const window: ExceptionWindow = severity
    ? {
        days: windowFor(windows, severity as Severity),
        basis: 'severity',
        severity: severity as Severity,
      }
    : exceptionWindow({ id } as PolicyException, windows, await advisoriesOf(ctx));
  for (const n of windowWarnings([window], { version: 1, exceptions: [{ id } as PolicyException] }))
    ctx.logger.warn(`${n}; give --severity or --advisories to use the severity's window`);
  const days = window.days;
  const expires = addDays(created, days);
  const versions = get('versions');
  const entry: Record<string, string> = {
    id,
    package: get('package')!,
    ...(versions ? { versions } : {}),
    reason: get('reason')!,
    owner: get('owner')!,
    'approved-by': get('approved-by')!,
    approval: get('approval')!,
    created,
    expires,
  };
  const text = await readControlFile(ctx, path);
  const out = appendExceptionYaml(text, entry, path);
  await writeFileAtomic(absolute(ctx, path), out);
  if (ctx.json) print(ctx, { ok: true, file: path, added: entry, ...windowJson(window) });
  const basis = severity ? `${days}-day ${severity} window (--severity)` : describeWindow(window);
  ctx.logger.info(
    `${path}: added ${entry['id']} for ${entry['package']}, expires ${expires} (${basis})`,
  );
  return 0;
}

/** `14d` or `14` → 14. */
function parseDays(value: string): number {
  const m = /^(\d{1,5})d?$/.exec(value.trim());
  if (!m)
    throw new VouchError(
      'EXCEPTIONS_DATE_INVALID',
      `--expiring "${value}" is not a number of days such as 14d`,
    );
  return Number(m[1]);
}

interface ListedException {
  readonly id: string;
  readonly package: string;
  readonly versions?: string;
  readonly owner: string;
  readonly approval: string;
  readonly expires: string;
  readonly daysLeft: number;
  readonly status: 'expired' | 'expiring' | 'active';
  readonly line?: number;
}

/** `vouch exceptions list`: a table, or JSON with --json; always exit 0. */
async function listExceptions(ctx: CommandContext): Promise<number> {
  const { file, source } = await loadFile(ctx);
  const now = nowOf(ctx);
  const expiring = stringValue(ctx.values, 'expiring');
  const within = expiring === undefined ? undefined : parseDays(expiring);
  const rows: ListedException[] = [];
  for (const e of file.exceptions as readonly PolicyException[]) {
    const left = daysUntilExpiry(e, now);
    const expired = isExpired(e, now);
    if (within !== undefined && !expired && left > within) continue;
    rows.push({
      id: e.id,
      package: e.package,
      ...(e.versions ? { versions: e.versions } : {}),
      owner: e.owner,
      approval: e.approval,
      expires: e.expires,
      daysLeft: left,
      status: expired ? 'expired' : within !== undefined || left <= 14 ? 'expiring' : 'active',
      ...(e.line !== undefined ? { line: e.line } : {}),
    });
  }
  rows.sort((a, b) => a.expires.localeCompare(b.expires) || a.id.localeCompare(b.id));
  if (ctx.json) {
    print(ctx, {
      file: source,
      now: now.toISOString(),
      ...(within !== undefined ? { withinDays: within } : {}),
      exceptions: rows,
    });
    return 0;
  }
  if (rows.length === 0) {
    ctx.stdout.write(
      within === undefined
        ? `${source}: no exceptions\n`
        : `${source}: no exception expires within ${within} days\n`,
    );
    return 0;
  }
  const header = ['ID', 'PACKAGE', 'VERSIONS', 'OWNER', 'EXPIRES', 'DAYS LEFT', 'STATUS'];
  const table = rows.map((r) => [
    r.id,
    r.package,
    r.versions ?? '*',
    r.owner,
    r.expires,
    String(r.daysLeft),
    r.status,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  ctx.stdout.write(`${[line(header), ...table.map(line)].join('\n')}\n`);
  return 0;
}

const validate: CommandSpec = {
  name: 'exceptions validate',
  summary: 'Check an exceptions file against its schema and the remediation windows',
  usage:
    'vouch exceptions validate FILE [--policy FILE] [--advisories DIR_OR_ZIP]... [--sbom FILE]',
  examples: [
    'vouch exceptions validate .vouch/exceptions.yml --policy .vouch/policy.yml --advisories osv/',
  ],
  positionals: { name: 'FILE', min: 1, max: 1 },
  options: {
    policy: {
      type: 'string',
      value: 'FILE',
      description: 'Policy file (for the remediation windows).',
    },
    ...ADVISORY_WINDOW_OPTIONS,
    ref: {
      type: 'string',
      value: 'REF',
      description:
        'Read FILE as committed at this git ref of the repository in the working directory.',
    },
    now: { type: 'string', value: 'ISO_DATE', description: 'Evaluate as of this date.' },
  },
  run: (ctx) => validateExceptionsFile(ctx),
};

const add: CommandSpec = {
  name: 'exceptions add',
  summary: "Add a well-formed exception, expiry computed from the finding's severity window",
  usage:
    'vouch exceptions add FILE --id ID --package PURL --reason TEXT --owner OWNER --approved-by WHO --approval PR_URL [--advisories DIR_OR_ZIP]... [--severity S] [--versions RANGE]',
  examples: [
    'vouch exceptions add .vouch/exceptions.yml --id GHSA-xvch-5gv4-984h --package pkg:npm/minimist --advisories osv/ --reason "build-time only" --owner @acme/web --approved-by @acme/release-managers --approval https://github.com/acme/widget/pull/124',
  ],
  positionals: { name: 'FILE', min: 1, max: 1 },
  options: {
    id: {
      type: 'string',
      value: 'ID',
      required: true,
      description: 'Advisory id, license:ID or ban:NAME.',
    },
    package: {
      type: 'string',
      value: 'PURL',
      required: true,
      description: 'Package URL without version.',
    },
    versions: {
      type: 'string',
      value: 'RANGE',
      description: 'Version range (default: every version).',
    },
    reason: {
      type: 'string',
      value: 'TEXT',
      required: true,
      description: 'Why the finding is acceptable.',
    },
    owner: {
      type: 'string',
      value: 'OWNER',
      required: true,
      description: 'Who owns the follow-up.',
    },
    severity: {
      type: 'string',
      value: 'S',
      description:
        'critical|high|medium|low: sets the expiry window, overriding the severity found in --advisories.',
    },
    ...ADVISORY_WINDOW_OPTIONS,
    policy: {
      type: 'string',
      value: 'FILE',
      description: 'Policy file (for the remediation windows).',
    },
    now: { type: 'string', value: 'ISO_DATE', description: 'Creation date (default: today, UTC).' },
    'approved-by': {
      type: 'string',
      value: 'WHO',
      required: true,
      description: 'Release manager or team approving it (@user or @org/team).',
    },
    approval: {
      type: 'string',
      value: 'PR_URL',
      required: true,
      description: 'URL of the pull request that carries the approval.',
    },
  },
  run: (ctx) => addException(ctx),
};

const list: CommandSpec = {
  name: 'exceptions list',
  summary: 'List exceptions, optionally only those expiring soon',
  usage: 'vouch exceptions list FILE [--expiring 14d] [--now ISO_DATE]',
  examples: ['vouch exceptions list .vouch/exceptions.yml --expiring 14d'],
  positionals: { name: 'FILE', min: 1, max: 1 },
  options: {
    expiring: {
      type: 'string',
      value: 'DURATION',
      description: 'Only exceptions expiring within this many days (e.g. 14d).',
    },
    now: { type: 'string', value: 'ISO_DATE', description: 'Evaluate as of this date.' },
    ref: {
      type: 'string',
      value: 'REF',
      description:
        'Read FILE as committed at this git ref of the repository in the working directory.',
    },
  },
  run: (ctx) => listExceptions(ctx),
};

const command: CommandSpec = {
  name: 'exceptions',
  summary: 'Validate, add and list policy exceptions',
  usage: 'vouch exceptions <validate|add|list> [options]',
  examples: ['vouch exceptions list .vouch/exceptions.yml --expiring 14d'],
  options: {},
  subcommands: { validate, add, list },
};
export default command;
