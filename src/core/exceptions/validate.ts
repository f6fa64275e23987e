/**
 * Checks a parsed exceptions file against the policy's remediation windows and the clock
 * (THREATS 40, 47): expiry beyond the window for the finding's severity is an error (the longest
 * window caps it when the severity is not known); expired and soon-expiring entries are reported.
 * With the advisory data (THREATS 43), two entries naming aliases of one advisory (a GHSA id and
 * its CVE) for the same package and versions are duplicates: the later one is an error.
 *
 * An exception waives findings up to and including its `expires` date: it has expired from
 * 00:00 UTC on the day after.
 */
import { exceptionIdentity, utcDateMs } from './parse.ts';
import type { ExceptionsFile, PolicyException, RemediationWindows, Severity } from './model.ts';

const DAY_MS = 86_400_000;

export type ExceptionProblemCode =
  'EXPIRY_BEYOND_WINDOW' | 'EXPIRED' | 'EXPIRING_SOON' | 'CREATED_IN_FUTURE' | 'DUPLICATE_ALIAS';

export interface ExceptionProblem {
  readonly code: ExceptionProblemCode;
  /** `error` problems make the file unacceptable; `warning` ones are reported. */
  readonly level: 'error' | 'warning';
  readonly index: number;
  readonly exception: PolicyException;
  readonly message: string;
  readonly line?: number;
}

export interface ValidateExceptionsOptions {
  readonly windows: RemediationWindows;
  /** Severity of the finding an exception waives, when known (advisory severity; licenses and bans: undefined). */
  readonly severityOf?: (exception: PolicyException) => Severity | undefined;
  /**
   * Canonical id of the alias group an advisory id belongs to (the id itself when unknown), from
   * the advisory database: entries whose ids are aliases of one advisory are duplicates.
   */
  readonly canonicalId?: (id: string) => string;
  readonly now: Date;
  /** Report exceptions expiring within this many days (default 14). */
  readonly soonDays?: number;
}

/** True when the exception has expired at `now` (it is valid through its expiry date, UTC). */
export function isExpired(exception: PolicyException, now: Date): boolean {
  return now.getTime() >= utcDateMs(exception.expires) + DAY_MS;
}

/** Whole days from `now` to the end of the expiry date (0 on the expiry day). */
export function daysUntilExpiry(exception: PolicyException, now: Date): number {
  return Math.max(0, Math.ceil((utcDateMs(exception.expires) - now.getTime()) / DAY_MS));
}

/** The window that caps an exception: its severity's, or the longest when unknown. */
export function windowFor(windows: RemediationWindows, severity: Severity | undefined): number {
  return severity ? windows[severity] : Math.max(...Object.values(windows));
}

export function validateExceptions(
  file: ExceptionsFile,
  options: ValidateExceptionsOptions,
): ExceptionProblem[] {
  const problems: ExceptionProblem[] = [];
  const soon = options.soonDays ?? 14;
  const nowMs = options.now.getTime();
  const firstOfGroup = new Map<string, number>();
  file.exceptions.forEach((exception, index) => {
    const push = (
      code: ExceptionProblemCode,
      level: 'error' | 'warning',
      message: string,
    ): void => {
      problems.push({
        code,
        level,
        index,
        exception,
        message: `${exception.id} (${exception.package}): ${message}`,
        ...(exception.line !== undefined ? { line: exception.line } : {}),
      });
    };
    if (options.canonicalId && !/^(license|ban):/i.test(exception.id)) {
      const canonical = options.canonicalId(exception.id);
      const key = exceptionIdentity(exception, canonical);
      const first = firstOfGroup.get(key);
      if (first === undefined) firstOfGroup.set(key, index);
      else {
        const other = file.exceptions[first]!;
        push(
          'DUPLICATE_ALIAS',
          'error',
          `exception #${index + 1} duplicates exception #${first + 1} (${other.id}${other.line !== undefined ? `, line ${other.line}` : ''}): ${exception.id === other.id ? 'the same advisory' : `${exception.id} and ${other.id} are aliases of one advisory (${canonical})`}, for the same package and versions`,
        );
      }
    }
    const severity = options.severityOf?.(exception);
    const window = windowFor(options.windows, severity);
    const days = Math.round((utcDateMs(exception.expires) - utcDateMs(exception.created)) / DAY_MS);
    if (days > window) {
      push(
        'EXPIRY_BEYOND_WINDOW',
        'error',
        `expires ${days} days after it was created; the ${severity ? `${severity} severity` : 'longest (severity unknown)'} remediation window allows ${window}`,
      );
    }
    if (utcDateMs(exception.created) > nowMs) {
      push('CREATED_IN_FUTURE', 'error', `"created" ${exception.created} is in the future`);
    }
    if (isExpired(exception, options.now)) {
      push('EXPIRED', 'warning', `expired on ${exception.expires}; it no longer waives anything`);
    } else {
      const left = daysUntilExpiry(exception, options.now);
      if (left <= soon) {
        push(
          'EXPIRING_SOON',
          'warning',
          `expires on ${exception.expires} (in ${Math.max(0, left)} days)`,
        );
      }
    }
  });
  return problems;
}
