/**
 * The main job (`npm run demo`): a full local release dry run on the example projects in
 * examples/, with no network. In .demo/ (ignored by git) it makes a throwaway git repository
 * holding the examples, commits the approved exceptions on `main` (the protected branch), cuts a
 * release branch, and then runs every stage through the vouch CLI:
 *
 *   build release files → SBOMs → fresh local key → sign → provenance (local build context)
 *   → SBOM attestations → verify → policy (one finding waived) → gate → verdict + evidence
 *
 * `npm run demo -- --tamper` alters one release file after signing: the gate refuses it, naming
 * the file and the failed checks, and the demo exits 1.
 *
 * The CLI runs from source (node src/cli/index.ts, Node 24 strips the types): the demo then
 * needs no build step and always runs the code of this checkout, never a stale dist/.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'src/cli/index.ts');
const tamper = process.argv.includes('--tamper');
const work = join(root, '.demo');
const repo = join(work, 'release');
const LOCAL_BUILDER = 'https://vouch.dev/builders/local/v1';
const NPM_FILE = 'dist/widget-web-1.4.0.tgz';
const RUST_FILE = 'dist/rust-tunnel-0.1.0.tar.gz';
const PASSPHRASE = `demo-${process.pid}-${Date.now()}`;

const env: NodeJS.ProcessEnv = {
  ...process.env,
  NO_COLOR: '1',
  VOUCH_KEY_PASSPHRASE: PASSPHRASE,
  SOURCE_DATE_EPOCH: '1764547200',
  GIT_AUTHOR_NAME: 'Release Manager',
  GIT_AUTHOR_EMAIL: 'release-manager@example.invalid',
  GIT_COMMITTER_NAME: 'Release Manager',
  GIT_COMMITTER_EMAIL: 'release-manager@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};
for (const k of [
  'GITHUB_ACTIONS',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
])
  delete env[k];

let stepNo = 0;
function title(text: string): void {
  stepNo++;
  process.stdout.write(`\n\x1b[1m${stepNo}. ${text}\x1b[0m\n`);
}

interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

function vouch(
  args: string[],
  options: { show?: 'stdout' | 'both' | 'none'; expect?: number[] } = {},
): Ran {
  process.stdout.write(
    `   $ vouch ${args.map((a) => (/[\s*]/.test(a) ? `'${a}'` : a)).join(' ')}\n`,
  );
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: repo, env, encoding: 'utf8' });
  const out: Ran = { status: r.status ?? 3, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  const show = options.show ?? 'both';
  const indent = (t: string): string =>
    t
      .trimEnd()
      .split('\n')
      .map((l) => `   ${l}`)
      .join('\n');
  if (show !== 'none' && out.stdout.trim()) process.stdout.write(`${indent(out.stdout)}\n`);
  if (show === 'both' && out.stderr.trim()) process.stdout.write(`${indent(out.stderr)}\n`);
  const expect = options.expect ?? [0];
  if (!expect.includes(out.status)) {
    if (show === 'none') process.stdout.write(`${indent(out.stdout)}\n${indent(out.stderr)}\n`);
    process.stderr.write(`\nthe demo stopped: vouch ${args[0]} exited ${out.status}\n`);
    process.exit(3);
  }
  return out;
}

function git(args: string[]): string {
  const r = spawnSync('git', args, { cwd: repo, env, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`git ${args.join(' ')} failed: ${r.stderr}\n`);
    process.exit(3);
  }
  return r.stdout.trim();
}

const day = (offset: number): string =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** An npm-pack-like tarball (entries under package/) or a source tarball, byte-stable. */
async function packTarball(
  output: string,
  cwd: string,
  prefix: string,
  entries: string[],
): Promise<void> {
  const tar = await import('tar');
  const stage = join(work, 'stage', prefix);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  for (const e of entries) cpSync(join(cwd, e), join(stage, e), { recursive: true });
  await tar.create(
    {
      gzip: true,
      file: join(repo, output),
      cwd: join(work, 'stage'),
      portable: true,
      mtime: new Date('1985-10-26T08:15:00Z'),
    },
    [prefix],
  );
  rmSync(join(work, 'stage'), { recursive: true, force: true });
}

process.stdout.write(
  `vouch demo: a local release dry run of examples/ (npm and Rust), no network${tamper ? ', with one release file altered after signing' : ''}\n`,
);

// ---------------------------------------------------------------------------------------------
title('A throwaway repository: exceptions approved on main, the release cut from a branch');
rmSync(work, { recursive: true, force: true });
mkdirSync(repo, { recursive: true });
cpSync(join(root, 'examples'), repo, { recursive: true });
// The approved exception is dated from today, so the dry run never goes stale.
const exceptionsPath = join(repo, '.vouch/exceptions.yml');
writeFileSync(
  exceptionsPath,
  readFileSync(exceptionsPath, 'utf8')
    .replace(/created: \d{4}-\d{2}-\d{2}/, `created: ${day(-14)}`)
    .replace(/expires: \d{4}-\d{2}-\d{2}/, `expires: ${day(60)}`),
);
// Build outputs are not sources: ignored, so the local build context is clean.
writeFileSync(
  join(repo, '.gitignore'),
  'dist/\nsbom/\nkeys/\nattestations/\nevidence/\nevidence.tar.gz\n',
);
git(['init', '-q', '-b', 'main']);
git(['add', '-A']);
git([
  'commit',
  '-q',
  '-m',
  'examples, policy and the approved exception (merged through a reviewed pull request)',
]);
const mainCommit = git(['rev-parse', 'HEAD']);
git(['checkout', '-q', '-b', 'release/1.4.0']);
// The release tree carries its own copy of the exceptions file with an extra, unapproved waiver:
// the gate must ignore it and read main's.
writeFileSync(
  exceptionsPath,
  `${readFileSync(exceptionsPath, 'utf8')}  - id: GHSA-g98v-hv3f-hcfr\n    package: pkg:cargo/atty\n    reason: added in the release branch, never approved\n    owner: "@someone"\n    approved-by: "@someone"\n    approval: https://github.com/acme/widget-web/pull/999\n    created: ${day(0)}\n    expires: ${day(20)}\n`,
);
git(['commit', '-q', '-am', 'release 1.4.0 (this branch also adds an exception nobody approved)']);
process.stdout.write(
  `   ${relative(root, repo)}: main at ${mainCommit.slice(0, 12)} holds .vouch/exceptions.yml; release/1.4.0 is checked out (its copy adds an unapproved waiver)\n`,
);

// ---------------------------------------------------------------------------------------------
title('Build the release files');
mkdirSync(join(repo, 'dist'), { recursive: true });
await packTarball(NPM_FILE, join(repo, 'npm-app'), 'package', ['package.json', 'index.js']);
await packTarball(RUST_FILE, join(repo, 'rust-tunnel'), 'rust-tunnel-0.1.0', [
  'Cargo.toml',
  'Cargo.lock',
  'LICENSE.md',
  'boringtun',
  'boringtun-cli',
]);
process.stdout.write(
  `   ${NPM_FILE} (npm pack layout)\n   ${RUST_FILE} (Cargo workspace source)\n`,
);

// ---------------------------------------------------------------------------------------------
title('Generate SBOMs from the real lockfiles (release files as components)');
mkdirSync(join(repo, 'sbom'), { recursive: true });
vouch([
  'sbom',
  'npm-app',
  '--file',
  NPM_FILE,
  '--reproducible',
  '--output',
  'sbom/widget-web.cdx.json',
]);
vouch([
  'sbom',
  'rust-tunnel',
  '--file',
  RUST_FILE,
  '--reproducible',
  '--output',
  'sbom/rust-tunnel.cdx.json',
]);

// ---------------------------------------------------------------------------------------------
title('A fresh local signing key (encrypted at rest)');
mkdirSync(join(repo, 'keys'), { recursive: true });
vouch(['keys', 'generate', '--private', 'keys/release.key', '--public', 'keys/release.pub']);

// ---------------------------------------------------------------------------------------------
title('Sign the release files (offline: no transparency log, stated in the bundle)');
vouch(['sign', '--key', 'keys/release.key', '--offline', NPM_FILE, RUST_FILE]);

// ---------------------------------------------------------------------------------------------
title('SLSA provenance from the local build context');
mkdirSync(join(repo, 'attestations'), { recursive: true });
vouch([
  'provenance',
  '--key',
  'keys/release.key',
  '--offline',
  '--output',
  'attestations/provenance.sigstore.json',
  NPM_FILE,
  RUST_FILE,
]);

// ---------------------------------------------------------------------------------------------
title('SBOM attestations, each bound to its release file');
for (const [sbom, file, out] of [
  ['sbom/widget-web.cdx.json', NPM_FILE, 'attestations/widget-web.sbom.sigstore.json'],
  ['sbom/rust-tunnel.cdx.json', RUST_FILE, 'attestations/rust-tunnel.sbom.sigstore.json'],
] as const) {
  vouch([
    'attest',
    '--key',
    'keys/release.key',
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

if (tamper) {
  title(`Tamper: alter ${NPM_FILE} after it was signed and attested`);
  const bytes = readFileSync(join(repo, NPM_FILE));
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
  writeFileSync(join(repo, NPM_FILE), bytes);
  process.stdout.write(`   flipped the last byte of ${NPM_FILE}\n`);
}

// ---------------------------------------------------------------------------------------------
title('Verify the signatures offline with the public key');
for (const file of [NPM_FILE, RUST_FILE]) {
  vouch(['verify', '--bundle', `${file}.sigstore.json`, '--key', 'keys/release.pub', file], {
    // Only the file the tamper run altered may fail here; every other verification must pass.
    expect: tamper && file === NPM_FILE ? [1] : [0],
  });
}

// ---------------------------------------------------------------------------------------------
title(
  'Policy over the npm SBOM: the advisory on @sentry/browser is waived by the approved exception',
);
writeFileSync(
  join(work, 'approved-exceptions.yml'),
  git(['show', 'main:.vouch/exceptions.yml']) + '\n',
);
vouch(
  [
    'policy',
    '--sbom',
    'sbom/widget-web.cdx.json',
    '--policy',
    '.vouch/policy.yml',
    '--exceptions',
    join(work, 'approved-exceptions.yml'),
    '--advisories',
    'advisories',
  ],
  { expect: [0, 1] },
);

// ---------------------------------------------------------------------------------------------
title('The release gate (exceptions read from main, never from the release tree)');
const gate = vouch(
  [
    'gate',
    '--files',
    'dist/*.tgz',
    '--files',
    'dist/*.tar.gz',
    '--bundle-dir',
    'dist',
    '--bundle-dir',
    'attestations',
    '--key',
    'keys/release.pub',
    '--builder-id',
    LOCAL_BUILDER,
    '--policy',
    '.vouch/policy.yml',
    '--exceptions',
    '.vouch/exceptions.yml',
    '--exceptions-ref',
    'main',
    '--advisories',
    'advisories',
    '--evidence',
    'evidence',
    '--sign-manifest-key',
    'keys/release.key',
  ],
  { show: 'none', expect: [0, 1] },
);
process.stdout.write(`\n${gate.stdout}`);
const evidence = join(repo, 'evidence');
if (existsSync(join(evidence, 'manifest.json'))) {
  process.stdout.write(
    `\nEvidence directory: ${relative(process.cwd(), evidence)}/ (manifest.json, signed manifest.json.sigstore.json, reports/, vsa/, bundles/)\nEvidence archive:   ${relative(process.cwd(), evidence)}.tar.gz\n`,
  );
}
process.exit(gate.status);
