/**
 * A release workspace for gate tests: the example projects in a git repository whose `main` holds
 * the approved exceptions, and (signedRelease) the two release files signed, with provenance and
 * an SBOM attestation each, all made with the real CLI and a fresh offline key.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, vouch } from './cli.ts';

export const NPM = 'dist/widget-web-1.4.0.tgz';
export const RUST = 'dist/rust-tunnel-0.1.0.tar.gz';
export const NPM_SBOM = 'attestations/npm.sbom.sigstore.json';
export const RUST_SBOM = 'attestations/rust.sbom.sigstore.json';
export const LOCAL_BUILDER = 'https://vouch.dev/builders/local/v1';

/** Runs a command in `cwd` with a fixed git identity and no global git configuration; it must succeed. */
export function runIn(cwd: string, cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'r',
      GIT_AUTHOR_EMAIL: 'r@example.invalid',
      GIT_COMMITTER_NAME: 'r',
      GIT_COMMITTER_EMAIL: 'r@example.invalid',
      GIT_CONFIG_GLOBAL: '/dev/null',
    },
  });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
}

/** Runs the CLI in `cwd`; it must succeed. */
export function vouchIn(cwd: string, args: readonly string[]): void {
  const r = vouch(args, { cwd });
  assert.equal(r.status, 0, `vouch ${args.join(' ')}: ${r.stderr}`);
}

/** A temporary copy of examples/ as a git repository, committed on `main`. */
export function exampleRepo(prefix: string): string {
  const ws = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(ROOT, 'examples'), ws, { recursive: true });
  runIn(ws, 'git', ['init', '-q', '-b', 'main']);
  runIn(ws, 'git', ['add', '-A']);
  runIn(ws, 'git', ['commit', '-q', '-m', 'approved exceptions on main']);
  return ws;
}

/**
 * Builds NPM and RUST in `ws`, generates release.key / release.pub, their SBOMs (sbom/), signature
 * bundles beside them, one provenance for both (attestations/provenance.sigstore.json) and an SBOM
 * attestation each (NPM_SBOM, RUST_SBOM). `alsoSign` files are signed with the release files.
 */
export function signedRelease(ws: string, alsoSign: readonly string[] = []): void {
  const cli = (args: readonly string[]): void => vouchIn(ws, args);
  for (const d of ['dist', 'attestations', 'sbom']) mkdirSync(join(ws, d), { recursive: true });
  runIn(ws, 'tar', ['-czf', NPM, '-C', 'npm-app', 'package.json', 'index.js']);
  runIn(ws, 'tar', ['-czf', RUST, '-C', 'rust-tunnel', 'Cargo.toml', 'Cargo.lock']);
  cli(['keys', 'generate', '--unencrypted', '--private', 'release.key', '--public', 'release.pub']);
  cli(['sbom', 'npm-app', '--file', NPM, '--output', 'sbom/npm.cdx.json']);
  cli(['sbom', 'rust-tunnel', '--file', RUST, '--output', 'sbom/rust.cdx.json']);
  cli(['sign', '--key', 'release.key', '--offline', NPM, RUST, ...alsoSign]);
  cli([
    'provenance',
    '--key',
    'release.key',
    '--offline',
    '--output',
    'attestations/provenance.sigstore.json',
    NPM,
    RUST,
  ]);
  for (const [sbom, file, out] of [
    ['sbom/npm.cdx.json', NPM, NPM_SBOM],
    ['sbom/rust.cdx.json', RUST, RUST_SBOM],
  ] as const) {
    cli([
      'attest',
      '--key',
      'release.key',
      '--offline',
      '--predicate',
      sbom,
      '--predicate-type',
      'https://cyclonedx.org/bom',
      '--output',
      out,
      file,
    ]);
  }
}
