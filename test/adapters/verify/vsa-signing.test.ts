import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { vouch } from '../../helpers/cli.ts';
import {
  generateTestKey,
  keyMessageBundle,
  sha256Hex,
  writeEmptyTrustedRoot,
} from '../../helpers/verify-bundles.ts';

const VSA_TYPE = 'https://slsa.dev/verification_summary/v1';

/** A workspace with two key-signed release files, the public key and an empty trusted root. */
async function workspace(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-vsa-sign-'));
  const release = generateTestKey();
  writeFileSync(join(dir, 'release.pub'), release.pem);
  writeEmptyTrustedRoot(dir);
  for (const n of ['a.tgz', 'b.tgz']) {
    const data = Buffer.from(`release ${n}\n`);
    writeFileSync(join(dir, n), data);
    writeFileSync(
      join(dir, `${n}.sigstore.json`),
      JSON.stringify(await keyMessageBundle(release, data)),
    );
  }
  // The verifier's own key pair, which signs the VSAs.
  const vsa = generateTestKey();
  writeFileSync(join(dir, 'vsa.pem'), vsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'vsa.pub'), vsa.pem);
  return dir;
}

const verifyArgs = ['--key', 'release.pub', '--trusted-root', 'trusted_root.json'];

/** `vouch verify` of a signed VSA bundle against the VSA public key, as a consumer would. */
function verifyVsa(dir: string, bundle: string, artifact: string) {
  return vouch(
    [
      'verify',
      '--json',
      '--bundle',
      bundle,
      '--key',
      'vsa.pub',
      '--trusted-root',
      'trusted_root.json',
      '--predicate-type',
      VSA_TYPE,
      artifact,
    ],
    { cwd: dir },
  );
}

/** The in-toto statement inside a DSSE Sigstore bundle. */
function statementOf(path: string): {
  subject: Array<{ name: string; digest: Record<string, string> }>;
  predicateType: string;
  predicate: { verificationResult: string; verifiedLevels: string[] };
} {
  const bundle = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(bundle.dsseEnvelope.payloadType, 'application/vnd.in-toto+json');
  return JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
}

test('--vsa-key writes a signed VSA bundle per artifact that vouch verify accepts for that artifact', async () => {
  const dir = await workspace();
  const r = vouch(
    ['verify', ...verifyArgs, '--vsa', 'out', '--vsa-key', 'vsa.pem', 'a.tgz', 'b.tgz'],
    {
      cwd: dir,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(join(dir, 'out')).sort(), [
    'a.tgz.vsa.json',
    'a.tgz.vsa.sigstore.json',
    'b.tgz.vsa.json',
    'b.tgz.vsa.sigstore.json',
  ]);
  assert.match(
    r.stdout,
    /vsa {3}\S*a\.tgz\.vsa\.sigstore\.json {2}\(PASSED, signed offline by .+: no transparency log entry or timestamp\)/,
  );
  for (const n of ['a.tgz', 'b.tgz']) {
    const bundle = join('out', `${n}.vsa.sigstore.json`);
    const statement = statementOf(join(dir, bundle));
    assert.equal(statement.predicateType, VSA_TYPE);
    assert.equal(statement.predicate.verificationResult, 'PASSED');
    assert.equal(statement.subject[0]!.digest['sha256'], sha256Hex(readFileSync(join(dir, n))));
    // The signed statement is the unsigned one written beside it.
    assert.deepEqual(
      statement,
      JSON.parse(readFileSync(join(dir, 'out', `${n}.vsa.json`), 'utf8')),
    );
    // No log entry, no timestamp: offline key-based signing.
    const raw = JSON.parse(readFileSync(join(dir, bundle), 'utf8'));
    assert.deepEqual(raw.verificationMaterial.tlogEntries ?? [], []);

    const check = verifyVsa(dir, bundle, n);
    assert.equal(check.status, 0, check.stdout + check.stderr);
    const report = JSON.parse(check.stdout);
    assert.equal(report.artifacts[0].verdict, 'pass');
    assert.equal(report.artifacts[0].predicate.type, VSA_TYPE);
  }
  // The VSA of a.tgz does not vouch for b.tgz.
  const other = verifyVsa(dir, join('out', 'a.tgz.vsa.sigstore.json'), 'b.tgz');
  assert.equal(other.status, 1, other.stdout + other.stderr);
});

test('a failed verification still writes a signed FAILED VSA', async () => {
  const dir = await workspace();
  writeFileSync(join(dir, 'b.tgz'), 'altered\n');
  const r = vouch(
    ['verify', ...verifyArgs, '--vsa', 'out', '--vsa-key', 'vsa.pem', 'a.tgz', 'b.tgz'],
    {
      cwd: dir,
    },
  );
  assert.equal(r.status, 1, r.stderr);
  const bundle = join('out', 'b.tgz.vsa.sigstore.json');
  const statement = statementOf(join(dir, bundle));
  assert.equal(statement.predicate.verificationResult, 'FAILED');
  assert.deepEqual(statement.predicate.verifiedLevels, ['FAILED']);
  assert.match(r.stdout, /b\.tgz\.vsa\.sigstore\.json {2}\(FAILED, signed offline/);
  // The signature holds, over the altered file's digest: the VSA says that file failed.
  const check = verifyVsa(dir, bundle, 'b.tgz');
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.equal(
    statementOf(join(dir, 'out', 'a.tgz.vsa.sigstore.json')).predicate.verificationResult,
    'PASSED',
  );
});

test('an encrypted VSA key is opened with the passphrase from --passphrase-env', async () => {
  const dir = await workspace();
  const vsa = generateTestKey();
  writeFileSync(
    join(dir, 'vsa-enc.pem'),
    vsa.privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'correct horse',
    }),
  );
  const args = ['verify', ...verifyArgs, '--vsa', 'out', '--vsa-key', 'vsa-enc.pem', 'a.tgz'];
  const without = vouch(args, { cwd: dir, env: { VOUCH_KEY_PASSPHRASE: '' } });
  assert.equal(without.status, 2, without.stderr);
  assert.match(without.stderr, /SIGN_PASSPHRASE_MISSING/);
  assert.equal(existsSync(join(dir, 'out')), false);
  const r = vouch([...args, '--passphrase-env', 'MY_PASS'], {
    cwd: dir,
    env: { MY_PASS: 'correct horse' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'out', 'a.tgz.vsa.sigstore.json')));
});

test('a bad VSA key reference is a coded user error and nothing is written', async () => {
  const dir = await workspace();
  const cases: Array<[string[], RegExp]> = [
    [['--vsa-key', 'missing.pem'], /FILE_UNREADABLE/],
    [['--vsa-key', 'vsa.pub'], /SIGN_KEY_INVALID/],
    [['--vsa-key', 'nosuch://key'], /SIGN_KEY_SCHEME_UNKNOWN/],
    [['--vsa-key', 'awskms://'], /SIGN_KEY_REF_INVALID/],
    [['--vsa-key', 'keyless'], /INPUT_INVALID/],
  ];
  for (const [flags, code] of cases) {
    const r = vouch(
      ['verify', ...verifyArgs, '--report', 'report.json', '--vsa', 'out', ...flags, 'a.tgz'],
      { cwd: dir },
    );
    assert.equal(r.status, 2, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, code, flags.join(' '));
    assert.equal(existsSync(join(dir, 'out')), false, `${flags.join(' ')}: no VSA directory`);
    assert.equal(existsSync(join(dir, 'report.json')), false, `${flags.join(' ')}: no report`);
  }
  const noDir = vouch(['verify', ...verifyArgs, '--vsa-key', 'vsa.pem', 'a.tgz'], { cwd: dir });
  assert.equal(noDir.status, 2, noDir.stderr);
  assert.match(noDir.stderr, /INPUT_MISSING.*--vsa-key/);
});
