/**
 * The test command (`npm test`): lint, type check, dist check, then every test under test/.
 * Pass file or directory arguments to run only those tests: `npm test -- test/unit/sbom`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const only = process.argv.slice(2);

function step(title: string, cmd: string, args: string[]): void {
  console.log(`\n== ${title}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`\n${title} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
if (only.length === 0) {
  step('lint', npm, ['run', '--silent', 'lint']);
  step('type check', npm, ['run', '--silent', 'build']);
  step('dist check', process.execPath, [join(root, 'scripts/check-dist.ts')]);
}
const targets =
  only.length > 0
    ? only.map((p) => (p.endsWith('.ts') ? p : `${p.replace(/\/$/, '')}/**/*.test.ts`))
    : ['test/**/*.test.ts'];
step('tests', process.execPath, [
  '--test',
  '--test-concurrency=2',
  '--test-timeout=600000',
  ...targets,
]);
