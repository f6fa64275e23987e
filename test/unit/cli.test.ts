import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
