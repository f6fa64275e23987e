import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';

function demo(args: string[]): { status: number; out: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/demo.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status ?? 3, out: `${r.stdout}${r.stderr}` };
}

// Both runs use .demo/: run them one after the other.
test('npm run demo passes the release, and npm run demo -- --tamper is refused', async (t) => {
  await t.test('demo: every file passes every check, with the evidence written', () => {
    const r = demo([]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /dist\/widget-web-1\.4\.0\.tgz\s+pass\s+pass\s+pass\s+pass\s+PASS/);
    assert.match(r.out, /dist\/rust-tunnel-0\.1\.0\.tar\.gz\s+pass\s+pass\s+pass\s+pass\s+PASS/);
    assert.match(r.out, /waived: GHSA-593m-55hh-j8gv/);
    assert.match(r.out, /Verdict: PASS: the release may ship/);
    const evidence = join(ROOT, '.demo/release/evidence');
    assert.ok(existsSync(`${evidence}.tar.gz`));
    assert.ok(existsSync(join(evidence, 'manifest.json.sigstore.json')));
    const manifest = JSON.parse(readFileSync(join(evidence, 'manifest.json'), 'utf8'));
    assert.equal(manifest.verdict, 'pass');
    assert.equal(manifest.exceptions.ref, 'main');
    assert.equal(manifest.exceptions.fromReleaseTree, false);
    assert.equal(manifest.files.length, 2);
    for (const f of manifest.files) assert.ok(existsSync(join(evidence, f.vsa)), f.vsa);
    // the unapproved waiver added on the release branch was never read
    const exceptions = readFileSync(join(evidence, 'reports/exceptions.json'), 'utf8');
    assert.doesNotMatch(exceptions, /never approved/);
  });

  await t.test('demo --tamper: the altered file is refused, naming the file and the checks', () => {
    const r = demo(['--tamper']);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /\[GATE_SIGNATURE_WRONG_FILE\] dist\/widget-web-1\.4\.0\.tgz: signature:/);
    assert.match(r.out, /\[GATE_PROVENANCE_MISSING\] dist\/widget-web-1\.4\.0\.tgz: provenance:/);
    assert.match(r.out, /dist\/rust-tunnel-0\.1\.0\.tar\.gz\s+pass\s+pass\s+pass\s+pass\s+PASS/);
    assert.match(r.out, /Verdict: REFUSED: the release must not ship/);
    const manifest = JSON.parse(
      readFileSync(join(ROOT, '.demo/release/evidence/manifest.json'), 'utf8'),
    );
    assert.equal(manifest.verdict, 'refuse');
    assert.ok(
      manifest.refusals.some((x: { code: string }) => x.code === 'GATE_SIGNATURE_WRONG_FILE'),
    );
  });
});
