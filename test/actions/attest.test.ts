/** The attest action's run(): SBOM and custom predicates, a key file, stores and failures. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readInputs } from '../../src/actions/attest/inputs.ts';
import { run } from '../../src/actions/attest/main.ts';
import { ROOT } from '../helpers/cli.ts';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.ts';
import { startMockSigstore, type MockSigstore } from '../helpers/signing/mock-sigstore.ts';
import { captureDeps, reader, runWithLocalAction } from '../helpers/action-io.ts';

/** @sigstore/verify: the key-signed bundle against the public key, its timestamp against the mock TSA. */
async function verifyKeyWithTimestamp(
  bundleJson: unknown,
  publicKeyPem: string,
  trustedRoot: Record<string, unknown>,
): Promise<void> {
  const { bundleFromJSON } = await import('@sigstore/bundle');
  const { toSignedEntity, toTrustMaterial, Verifier } = await import('@sigstore/verify');
  const { TrustedRoot, PublicKeyDetails } = await import('@sigstore/protobuf-specs');
  const { createPublicKey } = await import('node:crypto');
  const bundle = bundleFromJSON(bundleJson);
  const hint =
    bundle.verificationMaterial.content.$case === 'publicKey'
      ? bundle.verificationMaterial.content.publicKey.hint
      : '';
  const material = toTrustMaterial(TrustedRoot.fromJSON(trustedRoot), {
    [hint]: {
      rawBytes: createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' }),
      keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
      validFor: { start: new Date(0) },
    },
  });
  new Verifier(material, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 1 }).verify(
    toSignedEntity(bundle),
  );
}

const ENV = JSON.parse(
  readFileSync(join(ROOT, 'test/fixtures/provenance/github-env.json'), 'utf8'),
) as Record<string, string>;

function workspace(sigstore: MockSigstore): { ws: string; publicKey: string } {
  const ws = mkdtempSync(join(tmpdir(), 'vouch-attest-action-'));
  mkdirSync(join(ws, 'dist'));
  writeFileSync(join(ws, 'dist', 'app.tgz'), 'app');
  writeFileSync(
    join(ws, 'sbom.cdx.json'),
    gunzipSync(
      readFileSync(join(ROOT, 'test/fixtures/sbom/peers/npm-medium.cyclonedx-npm.cdx.json.gz')),
    ),
  );
  writeFileSync(join(ws, 'package.json'), '{"name":"app","version":"1.0.0"}');
  writeFileSync(
    join(ws, 'signing_config.json'),
    JSON.stringify({ ...sigstore.signingConfig(1), rekorTlogUrls: [] }),
  );
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(join(ws, 'release.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { ws, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

describe('attest action', () => {
  let sigstore: MockSigstore;
  let gh: FakeGitHub;
  before(async () => {
    sigstore = await startMockSigstore();
    gh = await startFakeGitHub();
  });
  after(async () => {
    await sigstore.close();
    await gh.close();
  });

  it('an SBOM attestation signed with a key file (TSA timestamp), written with its .intoto.jsonl', async () => {
    const { ws, publicKey } = workspace(sigstore);
    const env = { ...ENV, GITHUB_WORKSPACE: ws };
    const inputs = readInputs(
      reader({
        files: 'dist/*',
        sbom: 'sbom.cdx.json',
        key: 'release.key',
        'signing-config': 'signing_config.json',
        store: 'file',
        output: 'sbom.sigstore.json',
      }),
      env,
    );
    const deps = captureDeps(ws, env);
    await run(inputs, deps);
    assert.equal(deps.outputs.get('bundle-path'), join(ws, 'sbom.sigstore.json'));
    assert.equal(deps.outputs.get('attestation-id'), '');
    assert.equal(deps.outputs.get('subject-count'), '1');
    const bundle = JSON.parse(readFileSync(join(ws, 'sbom.sigstore.json'), 'utf8')) as {
      dsseEnvelope: { payload: string };
      verificationMaterial: { timestampVerificationData?: { rfc3161Timestamps?: unknown[] } };
    };
    await verifyKeyWithTimestamp(bundle, publicKey, sigstore.trustedRoot);
    assert.equal(
      bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps?.length,
      1,
      'timestamped by the TSA',
    );
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString()) as {
      predicateType: string;
    };
    assert.equal(statement.predicateType, 'https://cyclonedx.org/bom');
    assert.equal(
      readFileSync(join(ws, 'sbom.intoto.jsonl'), 'utf8').trim(),
      JSON.stringify(bundle),
    );
    assert.match(
      deps.summaries.join(''),
      /\| file \| app\.tgz \| stored: .*sbom\.intoto\.jsonl \|/,
    );
  });

  it('a store that refuses: outputs still name the bundle, the step fails naming what succeeded', async () => {
    const { ws } = workspace(sigstore);
    gh.on('POST /repos/loosebazooka/aa-test/attestations', {
      status: 403,
      fixture: 'create-attestation.403.json',
    });
    const env = { ...ENV, GITHUB_WORKSPACE: ws, GITHUB_API_URL: gh.url };
    const inputs = readInputs(
      reader({
        files: 'dist/*',
        predicate: 'package.json',
        'predicate-type': 'https://example.com/package/v1',
        key: 'release.key',
        'signing-config': 'signing_config.json',
        store: 'github',
        'github-token': 'ghs_x',
      }),
      env,
    );
    const deps = captureDeps(ws, env);
    await assert.rejects(run(inputs, deps), (e: Error & { code: string }) => {
      assert.equal(e.code, 'ATTESTATIONS_PERMISSION_DENIED');
      assert.match(e.message, /attestations: write/);
      assert.match(e.message, /Stored: file \(.*attestation\.sigstore\.json\)/);
      return true;
    });
    assert.equal(deps.outputs.get('bundle-path'), join(ws, 'attestation.sigstore.json'));
    assert.match(deps.summaries.join(''), /\*\*failed\*\* \[ATTESTATIONS_PERMISSION_DENIED\]/);
  });

  it('input mistakes are coded before anything is signed', async () => {
    const { ws } = workspace(sigstore);
    const deps = captureDeps(ws, ENV);
    const base = { files: 'dist/*', key: 'release.key', 'signing-config': 'signing_config.json' };
    await assert.rejects(run(readInputs(reader(base), ENV), deps), { code: 'INPUT_MISSING' });
    await assert.rejects(
      run(
        readInputs(reader({ ...base, sbom: 'sbom.cdx.json', predicate: 'package.json' }), ENV),
        deps,
      ),
      { code: 'INPUT_INVALID' },
    );
    await assert.rejects(
      run(readInputs(reader({ ...base, predicate: 'package.json' }), ENV), deps),
      { code: 'INPUT_MISSING' },
    );
    await assert.rejects(run(readInputs(reader({ ...base, sbom: 'package.json' }), ENV), deps), {
      code: 'SBOM_UNKNOWN_FORMAT',
    });
    await assert.rejects(
      run(readInputs(reader({ ...base, sbom: 'sbom.cdx.json', store: 'ftp' }), ENV), deps),
      { code: 'STORE_INVALID' },
    );
    await assert.rejects(
      run(
        readInputs(
          reader({
            ...base,
            files: '',
            subjects: 'ghcr.io/acme/app:latest',
            sbom: 'sbom.cdx.json',
          }),
          ENV,
        ),
        deps,
      ),
      { code: 'SUBJECT_MUTABLE_REF' },
    );
    assert.equal(deps.outputs.size, 0, 'no outputs for refused input');
  });

  it('paths in output, sbom, predicate, checksums and signing-config stay inside the workspace: .., absolute paths and escaping symlinks are refused, nothing written', async () => {
    const { ws } = workspace(sigstore);
    // Everything the refused paths point at exists outside, so only the confinement refuses them.
    const outside = mkdtempSync(join(tmpdir(), 'vouch-attest-outside-'));
    writeFileSync(join(outside, 'sbom.cdx.json'), readFileSync(join(ws, 'sbom.cdx.json')));
    writeFileSync(join(outside, 'package.json'), readFileSync(join(ws, 'package.json')));
    writeFileSync(
      join(outside, 'signing_config.json'),
      readFileSync(join(ws, 'signing_config.json')),
    );
    writeFileSync(
      join(outside, 'SHA256SUMS'),
      `${createHash('sha256').update('app').digest('hex')}  app.tgz\n`,
    );
    symlinkSync(outside, join(ws, 'outlink'));
    const rel = relative(ws, outside);
    const before = { ws: readdirSync(ws).sort(), outside: readdirSync(outside).sort() };
    const base = { files: 'dist/*', key: 'release.key', 'signing-config': 'signing_config.json' };
    const cases: Array<[string, Record<string, string>]> = [];
    for (const at of [`${rel}/`, `${outside}/`, 'outlink/']) {
      cases.push(
        ['output', { ...base, sbom: 'sbom.cdx.json', output: `${at}x.sigstore.json` }],
        ['sbom', { ...base, sbom: `${at}sbom.cdx.json` }],
        [
          'predicate',
          {
            ...base,
            predicate: `${at}package.json`,
            'predicate-type': 'https://example.com/package/v1',
          },
        ],
        ['checksums', { ...base, sbom: 'sbom.cdx.json', checksums: `${at}SHA256SUMS` }],
        [
          'signing-config',
          { ...base, sbom: 'sbom.cdx.json', 'signing-config': `${at}signing_config.json` },
        ],
      );
    }
    for (const [input, values] of cases) {
      const deps = captureDeps(ws, ENV);
      await assert.rejects(
        run(readInputs(reader(values), ENV), deps),
        (e: Error & { code: string }) => {
          assert.equal(e.code, 'PATH_OUTSIDE_WORKSPACE', JSON.stringify(values));
          assert.match(e.message, new RegExp(`input "${input}"`));
          return true;
        },
      );
      assert.equal(deps.outputs.size, 0, 'no outputs');
    }
    assert.deepEqual(
      { ws: readdirSync(ws).sort(), outside: readdirSync(outside).sort() },
      before,
      'nothing written',
    );
    // The same inputs inside the workspace are accepted.
    const deps = captureDeps(ws, ENV);
    await run(
      readInputs(reader({ ...base, sbom: 'sbom.cdx.json', output: 'signed.sigstore.json' }), ENV),
      deps,
    );
    assert.equal(deps.outputs.get('bundle-path'), join(ws, 'signed.sigstore.json'));
    // So are absolute paths under the workspace: what the sbom action's outputs hand on.
    const chained = captureDeps(ws, ENV);
    await run(
      readInputs(
        reader({
          ...base,
          sbom: join(ws, 'sbom.cdx.json'),
          output: join(ws, 'chained.sigstore.json'),
        }),
        ENV,
      ),
      chained,
    );
    assert.equal(chained.outputs.get('bundle-path'), join(ws, 'chained.sigstore.json'));
  });

  it('runs end to end through @github/local-action with an SBOM from another tool', () => {
    const { ws } = workspace(sigstore);
    writeFileSync(
      join(ws, 'offline.json'),
      JSON.stringify({
        mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
        caUrls: [],
        oidcUrls: [],
        rekorTlogUrls: [],
        tsaUrls: [],
      }),
    );
    writeFileSync(join(ws, 'summary.md'), '');
    const r = runWithLocalAction('attest', ws, {
      INPUT_FILES: 'dist/*',
      INPUT_SBOM: 'sbom.cdx.json',
      INPUT_KEY: 'release.key',
      'INPUT_SIGNING-CONFIG': 'offline.json',
      INPUT_OUTPUT: 'sbom.sigstore.json',
      GITHUB_WORKSPACE: ws,
      GITHUB_STEP_SUMMARY: join(ws, 'summary.md'),
    });
    assert.doesNotMatch(r.output, /::error::/, r.output);
    assert.equal(r.outputs.get('bundle-path'), join(ws, 'sbom.sigstore.json'));
    assert.equal(r.outputs.get('subject-count'), '1');
    assert.match(
      readFileSync(join(ws, 'summary.md'), 'utf8'),
      /Predicate type: `https:\/\/cyclonedx\.org\/bom`/,
    );
  });
});
