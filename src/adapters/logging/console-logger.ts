import {
  redact,
  secretVariants,
  type Logger,
  type Progress,
  type SourceLocation,
} from '../../core/logger.ts';

export interface ConsoleLoggerOptions {
  /** Only warnings and errors. */
  readonly quiet?: boolean;
  /** One JSON object per line on stderr instead of readable text. */
  readonly json?: boolean;
  readonly verbose?: boolean;
  readonly stream?: NodeJS.WriteStream;
  /** Force colour on or off; default: only when the stream is a TTY and NO_COLOR is unset. */
  readonly color?: boolean;
}

const codes = {
  dim: [2, 22],
  yellow: [33, 39],
  red: [31, 39],
  bold: [1, 22],
  cyan: [36, 39],
} as const;

/** Logger for the terminal: readable lines on stderr, colour only on a TTY, JSON lines on request. */
export class ConsoleLogger implements Logger {
  private readonly stream: NodeJS.WriteStream;
  private readonly color: boolean;
  private readonly secrets: string[] = [];
  private readonly options: ConsoleLoggerOptions;
  private indent = '';

  constructor(options: ConsoleLoggerOptions = {}) {
    this.options = options;
    this.stream = options.stream ?? process.stderr;
    this.color =
      options.color ??
      (Boolean(this.stream.isTTY) && !process.env['NO_COLOR'] && process.env['TERM'] !== 'dumb');
  }

  private paint(style: keyof typeof codes, text: string): string {
    if (!this.color) return text;
    const [on, off] = codes[style];
    return `\u001b[${on}m${text}\u001b[${off}m`;
  }

  private write(level: string, message: string, at?: SourceLocation): void {
    const clean = redact(message, this.secrets);
    if (this.options.json) {
      const record: Record<string, unknown> = { level, message: clean };
      if (at?.file) record['file'] = at.file;
      if (at?.line) record['line'] = at.line;
      this.stream.write(`${JSON.stringify(record)}\n`);
      return;
    }
    const where = at?.file ? `${at.file}${at.line ? `:${at.line}` : ''}: ` : '';
    const prefix =
      level === 'warn'
        ? this.paint('yellow', 'warning: ')
        : level === 'error'
          ? this.paint('red', 'error: ')
          : level === 'debug'
            ? this.paint('dim', 'debug: ')
            : '';
    for (const line of `${where}${clean}`.split('\n')) {
      this.stream.write(`${this.indent}${prefix}${line}\n`);
    }
  }

  debug(message: string): void {
    if (this.options.verbose) this.write('debug', message);
  }
  info(message: string): void {
    if (!this.options.quiet) this.write('info', message);
  }
  warn(message: string, at?: SourceLocation): void {
    this.write('warn', message, at);
  }
  error(message: string, at?: SourceLocation): void {
    this.write('error', message, at);
  }
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    if (!this.options.quiet) this.write('info', this.paint('bold', title));
    const saved = this.indent;
    this.indent = `${saved}  `;
    try {
      return await fn();
    } finally {
      this.indent = saved;
    }
  }
  progress(label: string, total?: number): Progress {
    const started = Date.now();
    const tty = Boolean(this.stream.isTTY) && !this.options.json && !this.options.quiet;
    let count = 0;
    let last = 0;
    const render = (final: boolean): void => {
      const text = `${label}: ${count}${total ? `/${total}` : ''}${final ? ' done' : ''}`;
      if (tty) this.stream.write(`\r${this.indent}${text}${final ? '\n' : ''}`);
      else if (final && !this.options.quiet) this.write('info', text);
    };
    return {
      tick: (n = 1) => {
        count += n;
        const now = Date.now();
        if (tty && now - started >= 1000 && now - last >= 100) {
          last = now;
          render(false);
        }
      },
      done: () => {
        if (Date.now() - started >= 1000) render(true);
      },
    };
  }
  async summary(_markdown: string): Promise<void> {}
  secret(value: string): void {
    this.secrets.push(...secretVariants(value));
  }
}
