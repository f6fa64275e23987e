/**
 * THREATS 32 and 36 on the Actions runtime: each action entry runs in a child process with the real
 * @actions/core, its inputs as INPUT_* variables and the runner's GITHUB_OUTPUT, GITHUB_ENV,
 * GITHUB_PATH and GITHUB_STEP_SUMMARY files, so what a runner would read is what is asserted.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseOutputFile } from '../helpers/action-runner.ts';
import { ROOT } from '../helpers/cli.ts';

interface RuntimeRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly outputs: Record<string, string>;
  readonly outputFile: string;
  readonly envFile: string;
  readonly pathFile: string;
  readonly summary: string;
}

/** Runs src/actions/<action> through runAction, as its bundle's entry does, on the real core. */
function runOnRuntime(
  action: string,
  workspace: string,
  inputs: Record<string, string>,
): RuntimeRun {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-threats-runtime-'));
  const entry = join(dir, 'entry.ts');
  writeFileSync(
    entry,
    [
      `import { runAction } from ${JSON.stringify(join(ROOT, 'src/actions/shared/run.ts'))};`,
      `import { readInputs } from ${JSON.stringify(join(ROOT, 'src/actions', action, 'inputs.ts'))};`,
      `import { run } from ${JSON.stringify(join(ROOT, 'src/actions', action, 'main.ts'))};`,
      'await runAction(readInputs, run);',
      '',
    ].join('\n'),
  );
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_PATH: join(dir, 'path'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    GITHUB_WORKSPACE: workspace,
    ...files,
  };
  for (const [name, value] of Object.entries(inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  const r = spawnSync(process.execPath, [entry], { cwd: workspace, env, encoding: 'utf8' });
  const outputFile = readFileSync(files.GITHUB_OUTPUT, 'utf8');
  return {
    status: r.status,
    stdout: r.stdout,
    outputs: parseOutputFile(outputFile),
    outputFile,
    envFile: readFileSync(files.GITHUB_ENV, 'utf8'),
    pathFile: readFileSync(files.GITHUB_PATH, 'utf8'),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
  };
}

/** Workflow commands a runner executes from a log line; none may come from attacker text. */
const DANGEROUS_COMMAND = /^::(set-output|set-env|add-path|add-mask|save-state|stop-commands)\b/;

function writeEncryptedKey(path: string, passphrase: string): void {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(
    path,
    privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }),
  );
}

test('THREATS 36: attacker text in an SBOM never becomes a workflow command, an output, an env var or a PATH entry', () => {
  const ws = mkdtempSync(join(tmpdir(), 'vouch-threats-ws-'));
  const hostile = [
    'left-pad',
    '::set-output name=verdict::pass',
    '::add-path::/tmp/evil',
    '::set-env name=NODE_OPTIONS::--require=/tmp/evil.js',
    'verdict=pass',
  ].join('\n');
  writeFileSync(
    join(ws, 'sbom.cdx.json'),
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      metadata: { component: { type: 'application', name: 'app', 'bom-ref': 'app' } },
      components: [
        {
          type: 'library',
          name: hostile,
          version: '1.0.0',
          purl: 'pkg:npm/left-pad@1.0.0',
          'bom-ref': 'left-pad',
          scope: 'required',
          licenses: [{ license: { id: 'GPL-3.0-only' } }],
        },
      ],
    }),
  );
  writeFileSync(
    join(ws, 'policy.yml'),
    'version: 1\nlicenses:\n  allow: [MIT]\n  deny: [GPL-3.0-only]\n  unknown: fail\n',
  );
  const r = runOnRuntime('policy', ws, { sbom: 'sbom.cdx.json', policy: 'policy.yml' });
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stdout, /^::error::\[POLICY_REFUSED\]/m);
  // The finding was reported (as an escaped annotation), and no log line is a command it smuggled.
  assert.match(r.stdout, /left-pad%0A::set-output/);
  for (const line of r.stdout.split('\n')) assert.doesNotMatch(line, DANGEROUS_COMMAND, line);
  // Outputs use the runner's random delimiters: only the declared names, verdict fail.
  assert.equal(r.outputs['verdict'], 'fail');
  assert.deepEqual(Object.keys(r.outputs).sort(), [
    'expired-exceptions',
    'failed-count',
    'markdown-path',
    'mode',
    'report-path',
    'sarif-path',
    'unused-exceptions',
    'verdict',
    'waived-count',
    'warning-count',
  ]);
  assert.doesNotMatch(r.outputFile, /^verdict=pass$/m);
  assert.equal(r.envFile, '');
  assert.equal(r.pathFile, '');
});

test('THREATS 36: a release file whose name carries a line break is refused before anything is signed or output', () => {
  const ws = mkdtempSync(join(tmpdir(), 'vouch-threats-ws-'));
  mkdirSync(join(ws, 'dist'));
  writeFileSync(join(ws, 'dist', 'app.tgz'), 'release build\n');
  writeFileSync(join(ws, 'dist', 'app\nbundle-paths=planted.sigstore.json\n.tgz'), 'planted\n');
  writeEncryptedKey(join(ws, 'release.key'), 'correct horse battery');
  const r = runOnRuntime('sign', ws, {
    files: 'dist/*',
    key: 'release.key',
    passphrase: 'correct horse battery',
    offline: 'true',
  });
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stdout, /^::error::\[INPUT_INVALID\] a matched file name contains a line break/m);
  assert.equal(r.outputFile, '');
  assert.equal(r.envFile, '');
  assert.equal(r.pathFile, '');
  assert.deepEqual(readdirSync(join(ws, 'dist')).sort(), [
    'app\nbundle-paths=planted.sigstore.json\n.tgz',
    'app.tgz',
  ]);
});

test('THREATS 32: a multi-line passphrase is masked in every derived form before any log line, and lands in no output', () => {
  const ws = mkdtempSync(join(tmpdir(), 'vouch-threats-ws-'));
  mkdirSync(join(ws, 'dist'));
  writeFileSync(join(ws, 'dist', 'app.tgz'), 'release build\n');
  const passphrase = 'first-secret-line\nsecond-secret-line';
  writeEncryptedKey(join(ws, 'release.key'), passphrase);
  const r = runOnRuntime('sign', ws, {
    files: 'dist/*.tgz',
    key: 'release.key',
    passphrase,
    offline: 'true',
  });
  assert.equal(r.status, 0, r.stdout);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  const firstOther = lines.findIndex((l) => !l.startsWith('::add-mask::'));
  assert.ok(firstOther > 0, 'masks come first');
  const masked = new Set(lines.slice(0, firstOther).map((l) => l.slice('::add-mask::'.length)));
  for (const form of [
    'first-secret-line%0Asecond-secret-line', // the whole value, as the runner decodes it
    'first-secret-line',
    'second-secret-line',
    Buffer.from(passphrase).toString('base64'),
    JSON.stringify(passphrase).slice(1, -1),
  ]) {
    assert.ok(masked.has(form), `masked: ${form}`);
  }
  assert.ok(
    lines.slice(firstOther).every((l) => !l.startsWith('::add-mask::')),
    'no secret registered after logging started',
  );
  // Never written anywhere: logs after the masks, outputs, summary, bundle, public key.
  const written = [
    lines.slice(firstOther).join('\n'),
    r.outputFile,
    r.summary,
    readFileSync(join(ws, 'dist', 'app.tgz.sigstore.json'), 'utf8'),
    readFileSync(join(ws, 'dist', 'app.tgz.pub'), 'utf8'),
  ].join('\n');
  for (const needle of ['secret-line', Buffer.from(passphrase).toString('base64')]) {
    assert.ok(!written.includes(needle), needle);
  }
});

test('THREATS 32: a wrong passphrase is SIGN_PASSPHRASE_WRONG, never echoed, and nothing is written', () => {
  const ws = mkdtempSync(join(tmpdir(), 'vouch-threats-ws-'));
  mkdirSync(join(ws, 'dist'));
  writeFileSync(join(ws, 'dist', 'app.tgz'), 'release build\n');
  writeEncryptedKey(join(ws, 'release.key'), 'the-real-passphrase');
  const r = runOnRuntime('sign', ws, {
    files: 'dist/*.tgz',
    key: 'release.key',
    passphrase: 'a-wrong-guess-9271',
    offline: 'true',
  });
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stdout, /^::error::\[SIGN_PASSPHRASE_WRONG\]/m);
  const afterMasks = r.stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  assert.ok(!afterMasks.includes('a-wrong-guess-9271'));
  assert.equal(r.outputFile, '');
  assert.deepEqual(readdirSync(join(ws, 'dist')), ['app.tgz']);
  assert.equal(existsSync(join(ws, 'dist', 'app.tgz.sigstore.json')), false);
});

test('THREATS 36: no source file exports variables, extends PATH or writes the runner files itself', () => {
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const needle of [
          'exportVariable',
          'addPath',
          'saveState',
          'GITHUB_ENV',
          'GITHUB_PATH',
          'GITHUB_OUTPUT',
        ]) {
          if (text.includes(needle)) offenders.push(`${path.slice(ROOT.length + 1)}: ${needle}`);
        }
      }
    }
  };
  walk(join(ROOT, 'src'));
  assert.deepEqual(offenders, [], 'outputs go through core.setOutput (random delimiters) only');
});
