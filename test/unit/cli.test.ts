import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS } from '../../src/cli/commands/registry.ts';
import { VERSION } from '../../src/version.ts';
import { ROOT, vouch } from '../helpers/cli.ts';

test('vouch --help lists every command and the exit codes', () => {
  const r = vouch(['--help']);
  assert.equal(r.status, 0);
  for (const name of [
    'sbom',
    'sign',
    'attest',
    'provenance',
    'verify',
    'policy',
    'exceptions',
    'gate',
    'keys',
  ]) {
    assert.match(r.stdout, new RegExp(`^  ${name} `, 'm'), name);
  }
  assert.match(r.stdout, /Exit codes: 0 pass, 1 refused/);
});

test('every command (and subcommand) has --help with usage and an example', async () => {
  for (const [name, entry] of Object.entries(COMMANDS)) {
    const spec = (await entry.load()).default;
    const subs = spec.subcommands ? Object.keys(spec.subcommands).map((s) => [name, s]) : [[name]];
    for (const argv of subs) {
      const r = vouch([...argv, '--help']);
      assert.equal(r.status, 0, `${argv.join(' ')} --help: ${r.stderr}`);
      assert.match(r.stdout, /^Usage: vouch /m, argv.join(' '));
      assert.match(r.stdout, /^Examples:\n {2}\S/m, argv.join(' '));
    }
  }
});

test('an unknown command is a usage error naming it, with a hint, and no stack trace', () => {
  const r = vouch(['sbomm']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /\[USAGE_UNKNOWN_COMMAND\] unknown command "sbomm"/);
  assert.match(r.stderr, /hint:/);
  assert.doesNotMatch(r.stderr, /\bat .*\.ts:\d+/);
});

test('an unknown flag is a usage error naming the flag', () => {
  const r = vouch(['sign', '--key', 'k.pem', '--frobnicate', 'a.txt']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /\[USAGE_UNKNOWN_FLAG\] unknown flag --frobnicate/);
});

test('a missing required flag is a usage error naming the flag and showing an example', () => {
  const r = vouch(['sign', 'a.txt']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /\[USAGE_MISSING_ARGUMENT\] .*--key/);
  assert.match(r.stderr, /hint: Example: vouch sign/);
});

test('a flag without its value is a usage error', () => {
  const r = vouch(['policy', '--sbom']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /\[USAGE_INVALID_VALUE\]/);
});

test('--json turns errors into one JSON object on stdout', () => {
  const r = vouch(['nope', '--json']);
  assert.equal(r.status, 2);
  const out = JSON.parse(r.stdout);
  assert.equal(out.ok, false);
  assert.equal(out.error.code, 'USAGE_UNKNOWN_COMMAND');
  assert.equal(out.error.kind, 'user');
});

test('--version prints the package version', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.equal(VERSION, pkg.version);
  const r = vouch(['--version']);
  assert.equal(r.stdout.trim(), pkg.version);
});

/** Runs the CLI with one of its output streams closed before it writes anything. */
function withClosedStream(
  args: readonly string[],
  closed: 'stdout' | 'stderr',
): Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'src/cli/index.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const text = { stdout: '', stderr: '' };
    child[closed].destroy();
    const open = closed === 'stdout' ? 'stderr' : 'stdout';
    child[open].setEncoding('utf8').on('data', (chunk: string) => (text[open] += chunk));
    child.on('error', fail);
    child.on('close', (status, signal) => done({ status, signal, ...text }));
  });
}

const STACK_TRACE = /\n\s+at |node:events|Unhandled 'error' event|EPIPE/;

test('a closed stdout pipe (`vouch … | head -1`) ends the run quietly, with no stack trace', async () => {
  const lockfileDir = join(ROOT, 'test/fixtures/sbom/js-app/npm');
  for (const args of [['--help'], ['sbom', lockfileDir, '-q']]) {
    const r = await withClosedStream(args, 'stdout');
    assert.doesNotMatch(r.stderr, STACK_TRACE, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, '', args.join(' '));
    assert.equal(r.status, 141, `${args.join(' ')}: the status a shell gives on SIGPIPE`);
  }
});

test('a closed stderr pipe ends the run quietly too', async () => {
  const r = await withClosedStream(['sbomm'], 'stderr');
  assert.doesNotMatch(r.stdout, STACK_TRACE);
  assert.equal(r.status, 141);
});

test('any other failure to write stdout is a coded internal error (exit 3), not a stack trace', (t) => {
  if (!existsSync('/dev/full')) return t.skip('no /dev/full on this system');
  const full = openSync('/dev/full', 'w');
  try {
    const r = spawnSync(process.execPath, [join(ROOT, 'src/cli/index.ts'), '--help'], {
      stdio: ['ignore', full, 'pipe'],
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /^error: \[INTERNAL\] cannot write to stdout: ENOSPC/m);
    assert.match(r.stderr, /^ {2}hint: /m);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  } finally {
    closeSync(full);
  }
});

test('the missing-value hint names the long flag, also when the flag has a short form', () => {
  for (const args of [
    ['sbom', '-o'],
    ['sbom', '--output'],
  ]) {
    const r = vouch(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /\[USAGE_INVALID_VALUE\]/);
    assert.match(r.stderr, /hint: Run `vouch sbom --help`: --output needs a value\./, r.stderr);
    assert.doesNotMatch(r.stderr, /-o, needs/);
  }
  const long = vouch(['policy', '--sbom']);
  assert.match(long.stderr, /hint: Run `vouch policy --help`: --sbom needs a value\./);
});

test('an issuer without an identity names the missing identity flag, not a key/identity clash', () => {
  const r = vouch([
    'verify',
    '--bundle',
    'README.md.sigstore.json',
    '--certificate-oidc-issuer',
    'https://token.actions.githubusercontent.com',
    'README.md',
  ]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    /\[VERIFY_POLICY_CONFLICT\] --certificate-oidc-issuer was given without --certificate-identity or --certificate-identity-regexp/,
  );
  assert.match(
    r.stderr,
    /hint: Add --certificate-identity ID .* or --certificate-identity-regexp RE/,
  );
  assert.doesNotMatch(r.stderr, /not both/);

  const noIssuer = vouch(['verify', '--certificate-identity', 'me@example.com', 'README.md']);
  assert.equal(noIssuer.status, 2);
  assert.match(
    noIssuer.stderr,
    /--certificate-identity was given without --certificate-oidc-issuer/,
  );
  assert.match(noIssuer.stderr, /hint: Add --certificate-oidc-issuer URL/);
});

test('vouch policy ends its text and Markdown reports with a newline, on stdout and in --output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-cli-policy-'));
  const sbom = vouch(
    ['sbom', join(ROOT, 'test/fixtures/sbom/js-app/npm'), '-q', '-o', 'sbom.json'],
    {
      cwd: dir,
    },
  );
  assert.equal(sbom.status, 0, sbom.stderr);
  writeFileSync(
    join(dir, 'policy.yml'),
    'version: 1\nlicenses:\n  allow: [MIT, ISC]\n  unknown: warn\n',
  );
  for (const format of ['text', 'markdown']) {
    const args = [
      'policy',
      '-q',
      '--sbom',
      'sbom.json',
      '--policy',
      'policy.yml',
      '--format',
      format,
    ];
    const r = vouch(args, { cwd: dir });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /BSD-2-Clause/);
    assert.ok(r.stdout.endsWith('\n'), `${format} on stdout ends with a newline`);
    const file = vouch([...args, '--output', `report.${format}`], { cwd: dir });
    assert.equal(file.status, 1, file.stderr);
    assert.ok(readFileSync(join(dir, `report.${format}`), 'utf8').endsWith('\n'), format);
  }
});
