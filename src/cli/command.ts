import { parseArgs } from 'node:util';
import type { Logger } from '../core/logger.ts';
import { VouchError } from '../errors.ts';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  /** Placeholder shown in help, e.g. FILE. */
  readonly value?: string;
  readonly description: string;
  readonly required?: boolean;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  readonly values: OptionValues;
  readonly positionals: string[];
  readonly logger: Logger;
  readonly stdout: NodeJS.WritableStream;
  /** --json: print the machine-readable result on stdout. */
  readonly json: boolean;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

export interface CommandSpec {
  /** Full name as typed, e.g. `sbom` or `keys generate`. */
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly description?: string;
  readonly examples: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly positionals?: { readonly name: string; readonly min: number; readonly max?: number };
  /** Commands with subcommands (`keys`, `exceptions`) list them here and have no run of their own. */
  readonly subcommands?: Readonly<Record<string, CommandSpec>>;
  /** Returns the exit code (0 when omitted). */
  run?(ctx: CommandContext): Promise<number | void>;
}

/** Flags every command takes. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  help: { type: 'boolean', short: 'h', description: 'Show help for the command.' },
  json: {
    type: 'boolean',
    description: 'Machine-readable output: JSON result on stdout, JSON log lines on stderr.',
  },
  quiet: { type: 'boolean', short: 'q', description: 'Print only warnings and errors.' },
  verbose: { type: 'boolean', description: 'Print debug messages.' },
  'no-color': { type: 'boolean', description: 'Never colour the output.' },
};

export interface ParsedArgs {
  readonly values: OptionValues;
  readonly positionals: string[];
}

/**
 * The flag a parseArgs message is about, by its long name when it has one: Node quotes it as
 * `'--sbom <value>'`, `'-o, --output <value>'` or `'-x'`.
 */
function flagOf(message: string): string {
  const quoted = /'(-[^']*)'/.exec(message)?.[1] ?? '';
  return /--[^\s,<]+/.exec(quoted)?.[0] ?? /^-[^\s,<]+/.exec(quoted)?.[0] ?? '';
}

/** Parses argv for one command. Unknown flags and missing values are coded user errors. */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const all = { ...GLOBAL_OPTIONS, ...spec.options };
  const options: Record<
    string,
    { type: 'string' | 'boolean'; multiple?: boolean; short?: string }
  > = {};
  for (const [name, o] of Object.entries(all)) {
    options[name] = {
      type: o.type,
      ...(o.multiple ? { multiple: true } : {}),
      ...(o.short ? { short: o.short } : {}),
    };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = (error as Error).message;
    const flag = flagOf(message);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new VouchError(
        'USAGE_UNKNOWN_FLAG',
        `unknown flag ${flag} for \`vouch ${spec.name}\``,
        {
          hint: `Run \`vouch ${spec.name} --help\` to list its flags.`,
        },
      );
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new VouchError('USAGE_INVALID_VALUE', `${message.split('\n')[0]}`, {
        hint: `Run \`vouch ${spec.name} --help\`: ${flag || 'the flag'} needs a value.`,
      });
    }
    throw new VouchError('USAGE_INVALID_VALUE', message, { cause: error });
  }
  const values = parsed.values as OptionValues;
  if (values['help']) return { values, positionals: parsed.positionals };
  for (const [name, o] of Object.entries(spec.options)) {
    if (
      o.required &&
      (values[name] === undefined || (Array.isArray(values[name]) && values[name].length === 0))
    ) {
      throw new VouchError('USAGE_MISSING_ARGUMENT', `\`vouch ${spec.name}\` needs --${name}`, {
        hint: `Example: ${spec.examples[0] ?? spec.usage}`,
      });
    }
  }
  const pos = spec.positionals;
  const count = parsed.positionals.length;
  if (pos && count < pos.min) {
    throw new VouchError('USAGE_MISSING_ARGUMENT', `\`vouch ${spec.name}\` needs ${pos.name}`, {
      hint: `Example: ${spec.examples[0] ?? spec.usage}`,
    });
  }
  const max = pos ? (pos.max ?? Infinity) : 0;
  if (count > max) {
    throw new VouchError(
      'USAGE_INVALID_VALUE',
      `unexpected argument "${parsed.positionals[max]}" for \`vouch ${spec.name}\``,
      {
        hint: `Run \`vouch ${spec.name} --help\` for its usage.`,
      },
    );
  }
  return { values, positionals: parsed.positionals };
}

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    const extra = [o.required ? 'required' : '', o.multiple ? 'repeatable' : '']
      .filter(Boolean)
      .join(', ');
    return [flag, `${o.description}${extra ? ` (${extra})` : ''}`] as const;
  });
  const width = Math.max(0, ...rows.map(([f]) => f.length));
  return rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`);
}

export function formatCommandHelp(spec: CommandSpec): string {
  const lines = [`vouch ${spec.name}: ${spec.summary}`, '', `Usage: ${spec.usage}`];
  if (spec.description) lines.push('', spec.description);
  if (spec.subcommands) {
    lines.push('', 'Commands:');
    const width = Math.max(...Object.keys(spec.subcommands).map((k) => k.length));
    for (const [name, sub] of Object.entries(spec.subcommands))
      lines.push(`  ${name.padEnd(width)}  ${sub.summary}`);
  }
  if (Object.keys(spec.options).length > 0)
    lines.push('', 'Options:', ...optionLines(spec.options));
  lines.push('', 'Global options:', ...optionLines(GLOBAL_OPTIONS));
  if (spec.examples.length > 0) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}

/** Reads a string flag; `undefined` when absent. */
export function stringValue(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  if (Array.isArray(v)) return v[v.length - 1];
  return typeof v === 'string' ? v : undefined;
}

/** Reads a repeatable string flag as a list. */
export function listValue(values: OptionValues, name: string): string[] {
  const v = values[name];
  if (Array.isArray(v)) return v;
  return typeof v === 'string' ? [v] : [];
}

export function notImplemented(name: string): never {
  throw new VouchError('NOT_IMPLEMENTED', `\`vouch ${name}\` is not implemented yet`);
}
