/**
 * The one logging interface. Core code receives a Logger; the Actions implementation
 * (src/adapters/logging/actions-logger.ts) and the console one (console-logger.ts) are chosen at the edge.
 */

export interface SourceLocation {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly title?: string;
}

export interface Progress {
  /** Advance by `n` (default 1). */
  tick(n?: number): void;
  done(): void;
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string, at?: SourceLocation): void;
  error(message: string, at?: SourceLocation): void;
  /** Runs `fn` inside a collapsible group (Actions) or an indented section (console). */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Shows progress for work that may take longer than about a second. */
  progress(label: string, total?: number): Progress;
  /** Appends Markdown to the job summary (Actions); the console prints nothing for it. */
  summary(markdown: string): Promise<void>;
  /**
   * Registers a secret: it and every derived form (each line, base64, JSON-escaped) are masked
   * in all later output.
   */
  secret(value: string): void;
}

/** Every form of a secret that could leak into a log line. */
export function secretVariants(value: string): string[] {
  if (value.length === 0) return [];
  const forms = new Set<string>();
  const add = (s: string): void => {
    if (s.trim().length >= 3) forms.add(s);
  };
  add(value);
  for (const line of value.split(/\r?\n/)) add(line.trim());
  add(Buffer.from(value, 'utf8').toString('base64'));
  add(Buffer.from(value, 'utf8').toString('base64url'));
  add(JSON.stringify(value).slice(1, -1));
  add(encodeURIComponent(value));
  return [...forms];
}

/** Replaces every registered secret form in `text` with `***`. Longest forms first. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length > 0) out = out.split(s).join('***');
  }
  return out;
}

/** A Logger that drops everything: for tests and pure helpers that take an optional logger. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  group: (_title, fn) => fn(),
  progress: () => ({ tick() {}, done() {} }),
  summary: async () => {},
  secret() {},
};
