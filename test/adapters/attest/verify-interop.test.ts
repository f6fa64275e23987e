/**
 * Our provenance passes the checks `gh attestation verify` and slsa-verifier make (predicate
 * type, builder, source repository and ref, workflow, subject digest) when run through
 * `vouch verify`, and look-alikes are refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProvenance } from '../../../src/adapters/attest/attest.ts';
import { openStatementSigner } from '../../../src/adapters/attest/signing.ts';
import { readGitHubContext } from '../../../src/adapters/build-context/read-build-context.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { ROOT, vouch } from '../../helpers/cli.ts';
import { startMockSigstore, type MockSigstore } from '../../helpers/signing/mock-sigstore.ts';

const ENV = JSON.parse(
  readFileSync(join(ROOT, 'test/fixtures/provenance/github-env.json'), 'utf8'),
) as Record<string, string>;
const BUILDER =
  'https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main';

describe('provenance through vouch verify', () => {
  let sigstore: MockSigstore;
  let dir: string;
  before(async () => {
    sigstore = await startMockSigstore();
    dir = mkdtempSync(join(tmpdir(), 'vouch-interop-'));
    writeFileSync(join(dir, 'app.tgz'), 'release tarball');
    writeFileSync(join(dir, 'other.tgz'), 'not attested');
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(join(dir, 'release.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, 'release.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
    const opened = await openStatementSigner({
      key: 'release.key',
      env: {},
      logger: silentLogger,
      cwd: dir,
      instance: {
        name: 'custom',
        witnesses: {
          rekor: { url: sigstore.rekorUrl, majorApiVersion: 1, dsseEntryType: 'intoto' },
          tsa: { url: sigstore.tsaUrl },
        },
      },
    });
    await createProvenance(
      {
        workspace: dir,
        subjects: ['app.tgz'],
        output: 'app.tgz.intoto.sigstore.json',
        buildContext: readGitHubContext(ENV, { job_workflow_ref: ENV['GITHUB_WORKFLOW_REF'] }),
      },
      { signer: opened.signer, logger: silentLogger },
    );
  });
  after(async () => {
    await sigstore.close();
  });

  const base = (): string[] => [
    'verify',
    '--bundle',
    'app.tgz.intoto.sigstore.json',
    '--key',
    'release.pub',
    '--trusted-root',
    'trusted_root.json',
    '--predicate-type',
    'https://slsa.dev/provenance/v1',
  ];

  it('passes with the builder, repository, ref and workflow of the run', () => {
    const r = vouch(
      [
        ...base(),
        '--builder-id',
        BUILDER,
        '--source-repository',
        'loosebazooka/aa-test',
        '--source-ref',
        'refs/heads/main',
        '--workflow',
        '.github/workflows/provenance.yaml',
        'app.tgz',
      ],
      { cwd: dir },
    );
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });

  it('refuses another builder, a look-alike repository, another ref, an unattested file', () => {
    const cases: [string[], string][] = [
      [
        ['--builder-id', BUILDER.replace('@refs/heads/main', '@refs/heads/dev'), 'app.tgz'],
        'VERIFY_BUILDER_UNTRUSTED',
      ],
      [['--source-repository', 'loosebazooka/aa-test-evil', 'app.tgz'], 'VERIFY_SOURCE_MISMATCH'],
      [['--source-ref', 'refs/tags/v1.0.0', 'app.tgz'], 'VERIFY_REF_MISMATCH'],
      [['other.tgz'], 'VERIFY_SUBJECT_MISMATCH'],
    ];
    for (const [extra, code] of cases) {
      const r = vouch([...base(), ...extra], { cwd: dir });
      assert.equal(r.status, 1, `${extra.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(`${r.stdout}${r.stderr}`, new RegExp(code), extra.join(' '));
    }
  });
});
