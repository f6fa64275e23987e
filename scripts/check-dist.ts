/** Rebuilds dist/ from scratch and fails on any difference from what is committed. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
execFileSync(process.execPath, [join(root, 'scripts/bundle.ts')], { cwd: root, stdio: 'inherit' });
const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all', 'dist'], {
  cwd: root,
  encoding: 'utf8',
});
if (status.trim() !== '') {
  console.error('dist/ is out of sync with the sources. Run `npm run bundle` and commit dist/:');
  console.error(status);
  process.exit(1);
}
console.log('dist/ is in sync with the sources');
