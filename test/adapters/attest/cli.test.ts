/** `vouch attest` and `vouch provenance` as a user runs them (the CLI from source, a child process). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, vouch } from '../../helpers/cli.ts';
import { pushTestImage, startRegistry, type LocalRegistry } from '../../helpers/registry.ts';
import { verifyWithPublicKey } from '../../helpers/signing/verify.ts';

const LOCAL_ENV = { GITHUB_ACTIONS: '', GITHUB_EVENT_NAME: '', GITHUB_TOKEN: '' };

function project(): { dir: string; publicKey: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-cli-attest-'));
  const git = (...args: string[]): void =>
    void execFileSync('git', args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@e',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@e',
      },
    });
  git('init', '-q', '-b', 'main');
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'dist', 'app-1.0.0.tgz'), 'tarball');
  writeFileSync(join(dir, 'dist', 'app-1.0.0.zip'), 'zip');
  writeFileSync(join(dir, '.gitignore'), 'dist/\n*.sigstore.json\n*.jsonl\nrelease.key\n');
  git('add', '.');
  git('commit', '-qm', 'release');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(join(dir, 'release.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { dir, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

function statementOf(path: string): {
  subject: { name: string }[];
  predicateType: string;
  predicate: Record<string, unknown>;
} {
  const b = JSON.parse(readFileSync(path, 'utf8')) as { dsseEnvelope: { payload: string } };
  return JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString()) as never;
}

describe('vouch attest / vouch provenance', () => {
  let registry: LocalRegistry;
  before(async () => {
    registry = await startRegistry();
  });
  after(async () => {
    await registry.stop();
  });

  it('provenance outside GitHub: local build context (clean tree), bundle and .intoto.jsonl, --json report', async () => {
    const { dir, publicKey } = project();
    const r = vouch(
      ['provenance', '--key', 'release.key', '--offline', '--store', 'file', '--json', 'dist/*'],
      { cwd: dir, env: LOCAL_ENV },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      result: { subjectCount: number; buildContext: string; bundles: string[]; jsonl: string };
    };
    assert.equal(out.ok, true);
    assert.equal(out.result.subjectCount, 2);
    assert.equal(out.result.buildContext, 'local');
    assert.deepEqual(out.result.bundles, [join(dir, 'attestation.sigstore.json')]);
    assert.equal(out.result.jsonl, join(dir, 'attestation.intoto.jsonl'));
    const s = statementOf(join(dir, 'attestation.sigstore.json'));
    const def = s.predicate['buildDefinition'] as {
      buildType: string;
      internalParameters: { local: { dirty: boolean } };
    };
    assert.equal(def.buildType, 'https://vouch.dev/buildtypes/local/v1');
    assert.equal(def.internalParameters.local.dirty, false);
    await verifyWithPublicKey(
      JSON.parse(readFileSync(join(dir, 'attestation.sigstore.json'), 'utf8')),
      publicKey,
    );
  });

  it('attest a custom predicate per subject into a chosen directory', () => {
    const { dir } = project();
    writeFileSync(join(dir, 'result.json'), JSON.stringify({ passed: 12, failed: 0 }));
    mkdirSync(join(dir, 'att'));
    const r = vouch(
      [
        'attest',
        '--key',
        'release.key',
        '--offline',
        '--predicate',
        'result.json',
        '--predicate-type',
        'https://in-toto.io/attestation/test-result/v0.1',
        '--per-subject',
        '-o',
        'att/x.sigstore.json',
        'dist/app-1.0.0.tgz',
        'dist/app-1.0.0.zip',
      ],
      { cwd: dir, env: LOCAL_ENV },
    );
    assert.equal(r.status, 0, r.stderr);
    for (const name of ['app-1.0.0.tgz', 'app-1.0.0.zip']) {
      const s = statementOf(join(dir, 'att', `${name}.sigstore.json`));
      assert.deepEqual(
        s.subject.map((x) => x.name),
        [name],
      );
      assert.equal(s.predicateType, 'https://in-toto.io/attestation/test-result/v0.1');
    }
  });

  it('--per-subject refuses two subjects whose bundle names collide, before writing any bundle', () => {
    const { dir } = project();
    const sums = [
      `${'a'.repeat(64)}  a/b.bin`,
      `${'b'.repeat(64)}  a_b.bin`,
      `${'c'.repeat(64)}  other.bin`,
    ];
    writeFileSync(join(dir, 's'), `${sums.join('\n')}\n`);
    const r = vouch(
      ['provenance', '--key', 'release.key', '--offline', '--per-subject', '--checksums', 's'],
      { cwd: dir, env: LOCAL_ENV },
    );
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /INPUT_INVALID/);
    assert.match(r.stderr, /subjects "a\/b\.bin" and "a_b\.bin" would write the same bundle/);
    assert.doesNotMatch(r.stderr, /wrote/);
    for (const name of ['a_b.bin.sigstore.json', 'other.bin.sigstore.json'])
      assert.equal(existsSync(join(dir, name)), false, `${name} must not be written`);
  });

  it('attaches the provenance to an image in a registry (read back with skopeo)', async () => {
    const { dir } = project();
    const image = await pushTestImage(registry.host, 'acme/app', 'cli image');
    const ref = `${registry.host}/acme/app@${image}`;
    const r = vouch(
      ['provenance', '--key', 'release.key', '--offline', '--store', `oci:${ref}`, ref],
      { cwd: dir, env: LOCAL_ENV },
    );
    assert.equal(r.status, 0, r.stderr);
    const raw = execFileSync(
      'skopeo',
      [
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${registry.host}/acme/app:${image.replace(':', '-')}`,
      ],
      { encoding: 'utf8' },
    );
    const index = JSON.parse(raw) as { manifests: { artifactType: string }[] };
    assert.equal(index.manifests[0]!.artifactType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.match(
      r.stdout,
      new RegExp(
        `oci:${ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${registry.host}/acme/app@sha256:`,
      ),
    );
  });

  it('a registry that is down: exit 2, STORE_FAILED, and the message says the bundle file was stored', () => {
    const { dir } = project();
    const ref = `127.0.0.1:9/acme/app@sha256:${'a'.repeat(64)}`;
    const r = vouch(['provenance', '--key', 'release.key', '--offline', '--store', 'oci', ref], {
      cwd: dir,
      env: LOCAL_ENV,
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /\[STORE_FAILED\]/);
    assert.match(r.stderr, /Stored: file \(.*attestation\.sigstore\.json\)/);
    assert.ok(existsSync(join(dir, 'attestation.sigstore.json')));
  });

  it('bad input: coded errors with exit code 2, nothing written', () => {
    const { dir } = project();
    writeFileSync(join(dir, 'not.json'), 'name: yaml\n');
    writeFileSync(join(dir, 'pkg.json'), '{"name":"x"}');
    const cases: [string[], string][] = [
      [['provenance', '--key', 'release.key', '--offline'], 'SUBJECT_NONE'],
      [
        ['provenance', '--key', 'release.key', '--offline', '../etc/passwd'],
        'PATH_OUTSIDE_WORKSPACE',
      ],
      [
        ['provenance', '--key', 'release.key', '--offline', 'ghcr.io/acme/app:v1'],
        'SUBJECT_MUTABLE_REF',
      ],
      [
        ['provenance', '--key', 'release.key', '--offline', '--store', 'ftp', 'dist/*'],
        'STORE_INVALID',
      ],
      [
        [
          'provenance',
          '--key',
          'release.key',
          '--offline',
          '--store',
          'oci:ghcr.io/acme/app:v1',
          'dist/*',
        ],
        'SUBJECT_MUTABLE_REF',
      ],
      [
        [
          'attest',
          '--key',
          'release.key',
          '--offline',
          '--predicate',
          'not.json',
          '--predicate-type',
          'https://e.com/p',
          'dist/*',
        ],
        'JSON_INVALID',
      ],
      [
        [
          'attest',
          '--key',
          'release.key',
          '--offline',
          '--predicate',
          'pkg.json',
          '--predicate-type',
          'https://cyclonedx.org/bom',
          'dist/*',
        ],
        'SBOM_UNKNOWN_FORMAT',
      ],
      [
        [
          'attest',
          '--key',
          'release.key',
          '--offline',
          '--predicate',
          'pkg.json',
          '--predicate-type',
          'pkg',
          'dist/*',
        ],
        'PREDICATE_TYPE_INVALID',
      ],
      [
        [
          'attest',
          '--key',
          'release.key',
          '--offline',
          '--predicate',
          'pkg.json',
          '--predicate-type',
          'https://e.com/p',
          `a@sha256:${'1'.repeat(64)}`,
          `a@sha256:${'2'.repeat(64)}`,
        ],
        'SUBJECT_DUPLICATE',
      ],
    ];
    const untrusted = vouch(['provenance', '--key', 'release.key', '--offline', 'dist/*'], {
      cwd: dir,
      env: { ...LOCAL_ENV, GITHUB_EVENT_NAME: 'pull_request_target' },
    });
    assert.equal(untrusted.status, 1, untrusted.stderr);
    assert.match(untrusted.stderr, /\[SIGN_UNTRUSTED_TRIGGER\]/);
    for (const [args, code] of cases) {
      const r = vouch(args, { cwd: dir, env: LOCAL_ENV });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`\\[${code}\\]`), args.join(' '));
    }
    assert.equal(existsSync(join(dir, 'attestation.sigstore.json')), false);
  });

  it('help for attest and provenance loads no Sigstore module', () => {
    for (const cmd of ['attest', 'provenance']) {
      const dir = mkdtempSync(join(tmpdir(), 'vouch-help-'));
      const log = join(dir, 'loaded.txt');
      const hook = join(dir, 'hook.mjs');
      writeFileSync(
        hook,
        `import { registerHooks } from 'node:module'; import { appendFileSync } from 'node:fs';
registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; } });`,
      );
      writeFileSync(log, '');
      const r = spawnSync(
        process.execPath,
        ['--import', hook, join(ROOT, 'src/cli/index.ts'), cmd, '--help'],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /--store STORE/);
      const heavy = readFileSync(log, 'utf8')
        .split('\n')
        .filter((u) => /@sigstore\/|node_modules\/sigstore\/|tinyglobby/.test(u));
      assert.deepEqual(heavy, [], cmd);
    }
  });
});
