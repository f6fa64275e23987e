/**
 * One error type for the whole suite.
 *
 * Every failure a user can see is a `VouchError` with a stable `code` from the catalogue below,
 * a `kind` that says whose fault it is, and a one-line `hint`. The CLI turns the kind into an exit
 * code; an action turns it into `core.setFailed("[CODE] message")`. `docs/errors.md` lists every
 * code, and a test fails when the two drift apart.
 */

/**
 * - `user`: bad input or usage (a flag, a path, a malformed file). Fix the invocation.
 * - `refusal`: the input was understood and checked, and the check failed (verification or policy).
 * - `internal`: a bug in vouch or an unexpected failure of something it depends on.
 */
export type ErrorKind = 'user' | 'refusal' | 'internal';

/** Exit codes of the `vouch` CLI, one per outcome. Documented in docs/errors.md. */
export const EXIT_CODES = {
  pass: 0,
  refusal: 1,
  user: 2,
  internal: 3,
} as const;

export interface ErrorSpec {
  readonly kind: ErrorKind;
  readonly hint: string;
}

/**
 * The catalogue. Add new codes to the section of their area, keep names UPPER_SNAKE, and add the
 * same code to docs/errors.md in the same change.
 */
export const ERROR_CODES = {
  // --- general / usage ---
  USAGE_UNKNOWN_COMMAND: {
    kind: 'user',
    hint: 'Run `vouch --help` to list the commands.',
  },
  USAGE_UNKNOWN_FLAG: {
    kind: 'user',
    hint: 'Run `vouch <command> --help` to list the flags the command takes.',
  },
  USAGE_MISSING_ARGUMENT: {
    kind: 'user',
    hint: 'Run `vouch <command> --help` to see the required arguments and an example.',
  },
  USAGE_INVALID_VALUE: {
    kind: 'user',
    hint: 'Check the value against `vouch <command> --help`.',
  },
  NOT_IMPLEMENTED: {
    kind: 'user',
    hint: 'This command is not available in this version of vouch.',
  },
  INPUT_MISSING: {
    kind: 'user',
    hint: 'Set the input in the workflow step (`with:`), or the flag on the command line.',
  },
  INPUT_INVALID: {
    kind: 'user',
    hint: 'Check the input against the action README.',
  },
  FILE_UNREADABLE: {
    kind: 'user',
    hint: 'Check that the path exists and is readable.',
  },
  FILE_WRITE_FAILED: {
    kind: 'user',
    hint: 'Check that the output directory exists and is writable.',
  },
  FILE_TOO_LARGE: {
    kind: 'user',
    hint: 'The file is larger than vouch accepts for this kind of input.',
  },
  PATH_OUTSIDE_WORKSPACE: {
    kind: 'user',
    hint: 'Paths must stay inside the workspace: no `..`, absolute paths elsewhere, or escaping symlinks.',
  },
  PATH_IS_SYMLINK: {
    kind: 'user',
    hint: 'Point at the real file, not a symbolic link.',
  },
  JSON_INVALID: {
    kind: 'user',
    hint: 'The file is not valid JSON; the message gives the position.',
  },
  YAML_INVALID: {
    kind: 'user',
    hint: 'The file is not valid YAML for vouch (no aliases bombs, custom tags or excessive nesting).',
  },
  UNSAFE_KEY: {
    kind: 'user',
    hint: 'Keys named __proto__, constructor or prototype are refused in every input file.',
  },
  INTERNAL: {
    kind: 'internal',
    hint: 'This is a bug in vouch; please report it with the command you ran.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface VouchErrorOptions {
  readonly cause?: unknown;
  /** Overrides the catalogue hint when the situation calls for a more precise one. */
  readonly hint?: string;
}

export class VouchError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly hint: string;

  constructor(code: ErrorCode, message: string, options: VouchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VouchError';
    this.code = code;
    this.kind = ERROR_CODES[code].kind;
    this.hint = options.hint ?? ERROR_CODES[code].hint;
  }
}

export function isVouchError(value: unknown): value is VouchError {
  return value instanceof VouchError;
}

/** Anything thrown that is not a VouchError is a bug: wrap it as INTERNAL, keeping the cause. */
export function toVouchError(value: unknown): VouchError {
  if (value instanceof VouchError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new VouchError('INTERNAL', `unexpected failure: ${message}`, { cause: value });
}

export function exitCodeFor(kind: ErrorKind): number {
  return EXIT_CODES[kind];
}

/** One line for a person: `[CODE] message (hint: …)`. */
export function formatError(error: VouchError): string {
  return `[${error.code}] ${error.message}\n  hint: ${error.hint}`;
}
