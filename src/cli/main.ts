import { ConsoleLogger } from '../adapters/logging/console-logger.ts';
import { EXIT_CODES, exitCodeFor, formatError, toVouchError, VouchError } from '../errors.ts';
import { formatCommandHelp, parseCommandArgs, type CommandSpec } from './command.ts';
import { COMMANDS } from './commands/registry.ts';
import { VERSION } from '../version.ts';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

function topHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    `vouch ${VERSION}: release integrity — SBOMs, Sigstore signatures, SLSA provenance, verification, policy, gate`,
    '',
    'Usage: vouch <command> [options]',
    '',
    'Commands:',
    ...rows,
    '',
    'Run `vouch <command> --help` for the flags of a command and an example.',
    '',
    `Exit codes: ${EXIT_CODES.pass} pass, ${EXIT_CODES.refusal} refused (verification or policy), ${EXIT_CODES.user} bad input or usage, ${EXIT_CODES.internal} internal error.`,
    '',
  ].join('\n');
}

/** Exit status of a process that wrote to a closed pipe: what a shell reports for SIGPIPE. */
export const BROKEN_PIPE_EXIT = 128 + 13;

/**
 * Node reports a failed write to stdout or stderr as an 'error' event, which would otherwise end
 * the run with a stack trace. A closed pipe (`vouch sbom | head -1`) ends the run quietly with
 * the status a shell gives a process killed by SIGPIPE; any other write failure is a coded error
 * (exit 3), reported on stderr when it is stdout that failed.
 */
export function handleOutputErrors(io: CliIo, exit: (code: number) => void): void {
  const onError = (name: 'stdout' | 'stderr') => (cause: NodeJS.ErrnoException) => {
    if (cause.code === 'EPIPE') {
      exit(BROKEN_PIPE_EXIT);
      return;
    }
    const error = new VouchError('INTERNAL', `cannot write to ${name}: ${cause.message}`, {
      cause,
      hint: `Check where ${name} goes (a full disk, a closed file or device); the run was stopped.`,
    });
    if (name === 'stdout') io.stderr.write(`error: ${formatError(error)}\n`);
    exit(exitCodeFor(error.kind));
  };
  io.stdout.on('error', onError('stdout'));
  io.stderr.on('error', onError('stderr'));
}

function wantsJson(argv: readonly string[]): boolean {
  return argv.includes('--json');
}

/** Runs the CLI and returns the exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const json = wantsJson(argv);
  const logger = new ConsoleLogger({
    json,
    quiet: argv.includes('--quiet') || argv.includes('-q'),
    verbose: argv.includes('--verbose'),
    ...(argv.includes('--no-color') ? { color: false } : {}),
    stream: io.stderr,
  });
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      io.stdout.write(topHelp());
      return first === undefined ? EXIT_CODES.user : EXIT_CODES.pass;
    }
    if (first === '--version' || first === '-V') {
      io.stdout.write(`${VERSION}\n`);
      return EXIT_CODES.pass;
    }
    const entry = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
    if (!entry) {
      const kind = first.startsWith('-') ? 'flag' : 'command';
      throw new VouchError(
        kind === 'flag' ? 'USAGE_UNKNOWN_FLAG' : 'USAGE_UNKNOWN_COMMAND',
        `unknown ${kind} "${first}"`,
        kind === 'flag' ? { hint: 'Global flags go after the command; run `vouch --help`.' } : {},
      );
    }
    let spec: CommandSpec = (await entry.load()).default;
    let args = rest;
    while (spec.subcommands) {
      const [sub, ...subRest] = args;
      if (sub === undefined || sub === '--help' || sub === '-h') {
        io.stdout.write(formatCommandHelp(spec));
        return sub === undefined ? EXIT_CODES.user : EXIT_CODES.pass;
      }
      const next = Object.hasOwn(spec.subcommands, sub) ? spec.subcommands[sub] : undefined;
      if (!next) {
        throw new VouchError(
          'USAGE_UNKNOWN_COMMAND',
          `unknown command "vouch ${spec.name} ${sub}"`,
          {
            hint: `Run \`vouch ${spec.name} --help\` to list its commands.`,
          },
        );
      }
      spec = next;
      args = subRest;
    }
    const parsed = parseCommandArgs(spec, args);
    if (parsed.values['help']) {
      io.stdout.write(formatCommandHelp(spec));
      return EXIT_CODES.pass;
    }
    if (!spec.run) throw new VouchError('INTERNAL', `command ${spec.name} has no implementation`);
    const code = await spec.run({
      values: parsed.values,
      positionals: parsed.positionals,
      logger,
      stdout: io.stdout,
      json,
      cwd: io.cwd,
      env: io.env,
    });
    return code ?? EXIT_CODES.pass;
  } catch (thrown) {
    const error = toVouchError(thrown);
    if (json) {
      io.stdout.write(
        `${JSON.stringify({ ok: false, error: { code: error.code, kind: error.kind, message: error.message, hint: error.hint } })}\n`,
      );
    } else {
      const [first, ...more] = formatError(error).split('\n');
      logger.error(first ?? error.message);
      for (const line of more) io.stderr.write(`${line}\n`);
      if (
        error.kind === 'internal' &&
        error.cause instanceof Error &&
        error.cause.stack &&
        io.env['VOUCH_DEBUG']
      ) {
        io.stderr.write(`${error.cause.stack}\n`);
      }
    }
    return exitCodeFor(error.kind);
  }
}
