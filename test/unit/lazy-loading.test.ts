import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { bundleOptions } from '../../scripts/bundle.ts';
import { ROOT } from '../helpers/cli.ts';

const HEAVY = /@sigstore\/|node_modules\/sigstore\/|@aws-sdk\/|@google-cloud\/|@azure\/|pkcs11js/;

/** Lists every module a process loads, through a synchronous resolve hook. */
function loadedModules(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-load-'));
  const out = join(dir, 'loaded.txt');
  const hook = join(dir, 'hook.mjs');
  writeFileSync(
    hook,
    `import { registerHooks } from 'node:module'; import { appendFileSync } from 'node:fs';
registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); appendFileSync(${JSON.stringify(out)}, r.url + '\\n'); return r; } });`,
  );
  writeFileSync(out, '');
  const r = spawnSync(process.execPath, ['--import', hook, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(out, 'utf8').split('\n').filter(Boolean);
}

test('`vouch --help` and a command help load no Sigstore or cloud SDK module', () => {
  for (const argv of [['--help'], ['sign', '--help'], ['verify', '--help'], ['policy', '--help']]) {
    const loaded = loadedModules([join(ROOT, 'src/cli/index.ts'), ...argv]);
    assert.ok(loaded.length > 3, 'the hook saw the modules');
    assert.deepEqual(
      loaded.filter((u) => HEAVY.test(u)),
      [],
      `vouch ${argv.join(' ')}`,
    );
  }
});

test('the policy action bundle contains no Sigstore or cloud SDK code', async () => {
  const result = await build({
    ...bundleOptions('policy', 'src/actions/policy/index.ts'),
    write: false,
    metafile: true,
    outdir: join(tmpdir(), 'vouch-policy-probe'),
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((i) => i.includes('src/actions/policy')));
  assert.deepEqual(
    inputs.filter((i) => HEAVY.test(i)),
    [],
  );
});
