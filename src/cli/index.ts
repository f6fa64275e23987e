import { handleOutputErrors, runCli, type CliIo } from './main.ts';

const io: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
};
handleOutputErrors(io, (code) => process.exit(code));
const code = await runCli(process.argv.slice(2), io);
process.exitCode = code;
