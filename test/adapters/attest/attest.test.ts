/**
 * The whole pipeline with real signers: subjects → statement → DSSE bundle → stores. Every
 * bundle is verified with @sigstore/verify, and the DSSE envelope independently with Debian's
 * python3-securesystemslib.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
  existsSync,
  readdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  assertStored,
  createAttestation,
  createProvenance,
  type AttestDeps,
} from '../../../src/adapters/attest/attest.ts';
import { readGitHubContext } from '../../../src/adapters/build-context/read-build-context.ts';
import { renderSummary, toReport } from '../../../src/adapters/attest/report.ts';
import { openStatementSigner, type OpenedSigner } from '../../../src/adapters/attest/signing.ts';
import { referrersTag } from '../../../src/adapters/attest/store-oci.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { ROOT } from '../../helpers/cli.ts';
import { startFakeGitHub, type FakeGitHub } from '../../helpers/fake-github.ts';
import { pushTestImage, startRegistry, type LocalRegistry } from '../../helpers/registry.ts';
import {
  makeIdentityToken,
  startMockSigstore,
  verifyKeyless,
  type MockSigstore,
} from '../../helpers/signing/mock-sigstore.ts';
import { verifyWithPublicKey } from '../../helpers/signing/verify.ts';

const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');
const ENV = JSON.parse(
  readFileSync(join(ROOT, 'test/fixtures/provenance/github-env.json'), 'utf8'),
) as Record<string, string>;
const PEERS = join(ROOT, 'test/fixtures/sbom/peers');

/** DSSE verification by python3-securesystemslib: PAE per the DSSE spec, ECDSA P-256 key, its verify API. */
const PY_VERIFY = `
import base64, json, sys
from securesystemslib.signer import SSlibKey, Signature
from securesystemslib.exceptions import UnverifiedSignatureError
bundle = json.load(open(sys.argv[1]))
pem = open(sys.argv[2]).read()
env = bundle["dsseEnvelope"]
assert len(env["signatures"]) == 1, "exactly one signature"
payload = base64.b64decode(env["payload"])
ptype = env["payloadType"].encode()
pae = b"DSSEv1 %d %s %d %s" % (len(ptype), ptype, len(payload), payload)
keyid = bundle["verificationMaterial"]["publicKey"]["hint"]
key = SSlibKey(keyid, "ecdsa", "ecdsa-sha2-nistp256", {"public": pem})
sig = Signature(keyid, base64.b64decode(env["signatures"][0]["sig"]).hex())
try:
    key.verify_signature(sig, pae)
except UnverifiedSignatureError:
    print("BAD"); sys.exit(1)
print("OK", json.loads(payload)["_type"], env["payloadType"])
`;

function pyVerify(bundlePath: string, publicKeyPem: string): { ok: boolean; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-py-'));
  writeFileSync(join(dir, 'key.pub'), publicKeyPem);
  const r = spawnSync('/usr/bin/python3', ['-c', PY_VERIFY, bundlePath, join(dir, 'key.pub')], {
    encoding: 'utf8',
  });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-attest-'));
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'dist', 'app-linux.tgz'), 'linux build');
  writeFileSync(join(dir, 'dist', 'app-darwin.tgz'), 'darwin build');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(join(dir, 'release.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return dir;
}

function payloadOf(bundlePath: string): {
  _type: string;
  subject: { name: string; digest: { sha256: string } }[];
  predicateType: string;
  predicate: Record<string, unknown>;
} {
  const b = JSON.parse(readFileSync(bundlePath, 'utf8')) as { dsseEnvelope: { payload: string } };
  return JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString()) as never;
}

describe('attest and provenance pipeline', () => {
  let registry: LocalRegistry;
  let gh: FakeGitHub;
  before(async () => {
    registry = await startRegistry();
    gh = await startFakeGitHub();
  });
  after(async () => {
    await registry.stop();
    await gh.close();
  });

  async function keySigner(dir: string): Promise<OpenedSigner> {
    return openStatementSigner({
      key: 'release.key',
      env: {},
      logger: silentLogger,
      cwd: dir,
      offline: true,
    });
  }

  it('GitHub provenance for files and an image, stored in file, jsonl, OCI and the attestations API; verifies with @sigstore/verify and securesystemslib', async () => {
    const dir = workspace();
    const image = await pushTestImage(registry.host, 'octo/app', 'image layer');
    gh.on('POST /repos/loosebazooka/aa-test/attestations', {
      status: 201,
      fixture: 'create-attestation.201.json',
    });
    const signer = await keySigner(dir);
    const deps: AttestDeps = {
      signer: signer.signer,
      logger: silentLogger,
      github: {
        apiUrl: gh.url,
        serverUrl: 'https://github.com',
        repository: 'loosebazooka/aa-test',
        token: 't',
      },
      retry: { baseDelayMs: 1 },
    };
    const result = await createProvenance(
      {
        workspace: dir,
        subjects: ['dist/*.tgz', `${registry.host}/octo/app@${image}`],
        output: 'out/provenance.sigstore.json',
        stores: ['file', 'oci', 'github'],
        buildContext: readGitHubContext(ENV, { job_workflow_ref: ENV['GITHUB_WORKFLOW_REF'] }),
      },
      deps,
    ).catch(async (e: unknown) => {
      // out/ does not exist: the bundle cannot be written
      assert.equal((e as { code: string }).code, 'FILE_WRITE_FAILED');
      mkdirSync(join(dir, 'out'));
      return createProvenance(
        {
          workspace: dir,
          subjects: ['dist/*.tgz', `${registry.host}/octo/app@${image}`],
          output: 'out/provenance.sigstore.json',
          stores: ['file', 'oci', 'github'],
          buildContext: readGitHubContext(ENV, { job_workflow_ref: ENV['GITHUB_WORKFLOW_REF'] }),
        },
        deps,
      );
    });
    assertStored(result);
    const bundlePath = join(dir, 'out', 'provenance.sigstore.json');
    assert.deepEqual(
      result.attestations.map((a) => a.bundlePath),
      [bundlePath],
    );
    assert.equal(result.attestations[0]!.attestationId, '2');

    const statement = payloadOf(bundlePath);
    assert.equal(statement._type, 'https://in-toto.io/Statement/v1');
    assert.equal(statement.predicateType, 'https://slsa.dev/provenance/v1');
    assert.deepEqual(
      statement.subject.map((s) => s.name),
      [`${registry.host}/octo/app`, 'app-darwin.tgz', 'app-linux.tgz'],
    );
    assert.equal(statement.subject[2]!.digest.sha256, sha('linux build'));
    const bundle = JSON.parse(readFileSync(bundlePath, 'utf8')) as {
      mediaType: string;
      dsseEnvelope: { payloadType: string; signatures: unknown[] };
    };
    assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.equal(bundle.dsseEnvelope.payloadType, 'application/vnd.in-toto+json');
    assert.equal(bundle.dsseEnvelope.signatures.length, 1);

    await verifyWithPublicKey(bundle, signer.publicKeyPem!);
    const py = pyVerify(bundlePath, signer.publicKeyPem!);
    assert.ok(py.ok, py.out);
    assert.match(py.out, /OK https:\/\/in-toto.io\/Statement\/v1 application\/vnd.in-toto\+json/);

    // A tampered payload fails both verifiers.
    const tampered = JSON.parse(readFileSync(bundlePath, 'utf8')) as {
      dsseEnvelope: { payload: string };
    };
    const evil = { ...statement, subject: [{ name: 'evil', digest: { sha256: 'f'.repeat(64) } }] };
    tampered.dsseEnvelope.payload = Buffer.from(JSON.stringify(evil)).toString('base64');
    const tamperedPath = join(dir, 'tampered.json');
    writeFileSync(tamperedPath, JSON.stringify(tampered));
    assert.equal(pyVerify(tamperedPath, signer.publicKeyPem!).ok, false);
    await assert.rejects(verifyWithPublicKey(tampered, signer.publicKeyPem!));

    // The .intoto.jsonl holds the same bundle; the registry holds it too; GitHub got it.
    const jsonl = readFileSync(join(dir, 'out', 'provenance.intoto.jsonl'), 'utf8')
      .trim()
      .split('\n');
    assert.deepEqual(JSON.parse(jsonl[0]!), bundle);
    const index = (await (
      await fetch(`http://${registry.host}/v2/octo/app/manifests/${referrersTag(image)}`, {
        headers: { accept: 'application/vnd.oci.image.index.v1+json' },
      })
    ).json()) as { manifests: unknown[] };
    assert.equal(index.manifests.length, 1);
    const posted = gh.requests.find((r) => r.url.endsWith('/attestations'))!;
    assert.deepEqual((JSON.parse(posted.body) as { bundle: unknown }).bundle, bundle);

    const report = toReport(result);
    assert.equal(report.ok, true);
    assert.equal(report.subjectCount, 3);
    assert.deepEqual(
      report.stores.map((s) => s.store),
      ['file', 'file', 'oci', 'github'],
    );
    const summary = renderSummary(result, 'Provenance');
    assert.match(summary, /\| app-linux\.tgz \| `[0-9a-f]{64}` \|/);
    assert.match(
      summary,
      /\| github \| 3 subjects \| stored: https:\/\/github.com\/loosebazooka\/aa-test\/attestations\/2 \|/,
    );
  });

  it('a failing store is reported with exactly what did succeed', async () => {
    const dir = workspace();
    gh.on('POST /repos/octo/app/attestations', {
      status: 403,
      fixture: 'create-attestation.403.json',
    });
    const signer = await keySigner(dir);
    const result = await createAttestation(
      {
        workspace: dir,
        subjects: ['dist/app-linux.tgz'],
        predicate: {
          kind: 'value',
          type: 'https://example.com/test-result/v1',
          value: { passed: true },
        },
        stores: ['github', 'file'],
      },
      {
        signer: signer.signer,
        logger: silentLogger,
        github: {
          apiUrl: gh.url,
          serverUrl: 'https://github.com',
          repository: 'octo/app',
          token: 't',
        },
      },
    );
    assert.ok(existsSync(join(dir, 'attestation.sigstore.json')), 'the bundle file was written');
    assert.equal(toReport(result).ok, false);
    assert.throws(
      () => assertStored(result),
      (e: Error & { code: string }) => {
        assert.equal(e.code, 'ATTESTATIONS_PERMISSION_DENIED');
        assert.match(e.message, /attestations: write/);
        assert.match(
          e.message,
          /Stored: file \(.*attestation\.sigstore\.json\), file \(.*attestation\.intoto\.jsonl\)/,
        );
        return true;
      },
    );
    assert.match(
      renderSummary(result, 'Attestation'),
      /\*\*failed\*\* \[ATTESTATIONS_PERMISSION_DENIED\]/,
    );
  });

  it('SBOM attestations from other tools: CycloneDX and SPDX predicates; a non-SBOM says what it is', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'bom.cdx.json'),
      gunzipSync(readFileSync(join(PEERS, 'npm-medium.cyclonedx-npm.cdx.json.gz'))),
    );
    writeFileSync(
      join(dir, 'bom.spdx.json'),
      gunzipSync(readFileSync(join(PEERS, 'npm-medium.npm-sbom.spdx.json.gz'))),
    );
    writeFileSync(
      join(dir, 'not-sbom.json'),
      JSON.stringify({ name: 'app', version: '1.0.0', dependencies: {} }),
    );
    writeFileSync(join(dir, 'broken.json'), '{"bomFormat": "CycloneDX",');
    const signer = await keySigner(dir);
    const deps = { signer: signer.signer, logger: silentLogger };
    const cdx = await createAttestation(
      {
        workspace: dir,
        subjects: ['dist/*'],
        predicate: { kind: 'sbom', path: 'bom.cdx.json' },
        output: 'cdx.sigstore.json',
      },
      deps,
    );
    assert.equal(cdx.predicateType, 'https://cyclonedx.org/bom');
    const cdxStatement = payloadOf(join(dir, 'cdx.sigstore.json'));
    assert.equal(cdxStatement.predicate['bomFormat'], 'CycloneDX');
    await verifyWithPublicKey(
      JSON.parse(readFileSync(join(dir, 'cdx.sigstore.json'), 'utf8')),
      signer.publicKeyPem!,
    );

    const spdx = await createAttestation(
      {
        workspace: dir,
        subjects: ['dist/*'],
        predicate: { kind: 'file', path: 'bom.spdx.json', type: 'https://spdx.dev/Document/v2.3' },
        output: 'spdx.sigstore.json',
      },
      deps,
    );
    assert.equal(spdx.predicateType, 'https://spdx.dev/Document/v2.3');
    assert.equal(payloadOf(join(dir, 'spdx.sigstore.json')).predicate['spdxVersion'], 'SPDX-2.3');

    await assert.rejects(
      createAttestation(
        {
          workspace: dir,
          subjects: ['dist/*'],
          predicate: { kind: 'sbom', path: 'not-sbom.json' },
        },
        deps,
      ),
      (e: Error & { code: string }) => {
        assert.equal(e.code, 'SBOM_UNKNOWN_FORMAT');
        assert.match(e.message, /found a JSON object with keys name, version, dependencies/);
        return true;
      },
    );
    await assert.rejects(
      createAttestation(
        {
          workspace: dir,
          subjects: ['dist/*'],
          predicate: { kind: 'file', path: 'bom.cdx.json', type: 'https://spdx.dev/Document/v2.3' },
        },
        deps,
      ),
      { code: 'SBOM_PREDICATE_MISMATCH' },
    );
    await assert.rejects(
      createAttestation(
        {
          workspace: dir,
          subjects: ['dist/*'],
          predicate: { kind: 'file', path: 'broken.json', type: 'https://example.com/p/v1' },
        },
        deps,
      ),
      { code: 'JSON_INVALID' },
    );
    assert.equal(
      existsSync(join(dir, 'attestation.sigstore.json')),
      false,
      'nothing written for refused input',
    );
  });

  it('one statement per subject on request, each in its own bundle', async () => {
    const dir = workspace();
    const signer = await keySigner(dir);
    mkdirSync(join(dir, 'att'));
    const result = await createAttestation(
      {
        workspace: dir,
        subjects: ['dist/*.tgz'],
        predicate: { kind: 'value', type: 'https://example.com/p/v1', value: { a: 1 } },
        perSubject: true,
        output: 'att/attestation.sigstore.json',
      },
      { signer: signer.signer, logger: silentLogger },
    );
    assert.deepEqual(readdirSync(join(dir, 'att')).sort(), [
      'app-darwin.tgz.sigstore.json',
      'app-linux.tgz.sigstore.json',
    ]);
    assert.equal(result.attestations.length, 2);
    for (const a of result.attestations) {
      assert.equal(payloadOf(a.bundlePath).subject.length, 1);
      assert.ok(pyVerify(a.bundlePath, signer.publicKeyPem!).ok);
    }
  });

  it('per subject: names that flatten to one bundle file (a/b.bin, a_b.bin; A.bin, a.bin) are refused before signing', async () => {
    const dir = workspace();
    let signed = 0;
    const deps = {
      signer: { signDsse: async () => (signed++, { mediaType: 'x' }) },
      logger: silentLogger,
    };
    const predicate = { kind: 'value' as const, type: 'https://e.com/p', value: {} };
    for (const [first, second] of [
      ['a/b.bin', 'a_b.bin'],
      ['App.bin', 'app.bin'],
    ] as const) {
      await assert.rejects(
        createAttestation(
          {
            workspace: dir,
            subjects: [`${first}@sha256:${'1'.repeat(64)}`, `${second}@sha256:${'2'.repeat(64)}`],
            predicate,
            perSubject: true,
          },
          deps,
        ),
        (e: Error & { code: string }) => {
          assert.equal(e.code, 'INPUT_INVALID');
          assert.ok(
            e.message.includes(`"${first}"`) && e.message.includes(`"${second}"`),
            e.message,
          );
          return true;
        },
      );
    }
    assert.equal(signed, 0);
    assert.equal(
      readdirSync(dir).some((f) => f.endsWith('.sigstore.json')),
      false,
    );
    // Distinct names still give one bundle each.
    const ok = await createAttestation(
      {
        workspace: dir,
        subjects: [`a/b.bin@sha256:${'1'.repeat(64)}`, `a-b.bin@sha256:${'2'.repeat(64)}`],
        predicate,
        perSubject: true,
      },
      deps,
    );
    assert.deepEqual(ok.attestations.map((a) => a.bundlePath).sort(), [
      join(dir, 'a-b.bin.sigstore.json'),
      join(dir, 'a_b.bin.sigstore.json'),
    ]);
  });

  it('an unknown store or a GitHub store without a repository is refused before anything is signed', async () => {
    const dir = workspace();
    let signed = 0;
    const deps = {
      signer: { signDsse: async () => (signed++, { mediaType: 'x' }) },
      logger: silentLogger,
    };
    const base = {
      workspace: dir,
      subjects: ['dist/*'],
      predicate: { kind: 'value' as const, type: 'https://e.com/p', value: {} },
    };
    await assert.rejects(createAttestation({ ...base, stores: ['s3'] }, deps), {
      code: 'STORE_INVALID',
    });
    await assert.rejects(createAttestation({ ...base, stores: ['github'] }, deps), {
      code: 'STORE_INVALID',
    });
    const github = {
      apiUrl: 'https://api.github.com',
      serverUrl: 'https://github.com',
      repository: 'o/r',
      token: '',
    };
    await assert.rejects(createAttestation({ ...base, stores: ['github'] }, { ...deps, github }), {
      code: 'STORE_INVALID',
    });
    await assert.rejects(
      createAttestation(
        { ...base, stores: ['release'] },
        { ...deps, github: { ...github, token: 't' } },
      ),
      (e: Error & { code: string }) => {
        assert.equal(e.code, 'STORE_INVALID');
        assert.match(e.message, /release tag/);
        return true;
      },
    );
    assert.equal(signed, 0);
  });
});

describe('keyless attestations (in-process Fulcio, Rekor, TSA)', () => {
  let sigstore: MockSigstore;
  before(async () => {
    sigstore = await startMockSigstore();
  });
  after(async () => {
    await sigstore.close();
  });

  it('provenance signed keyless verifies with @sigstore/verify; the builder comes from the token', async () => {
    const dir = workspace();
    const reusable = 'acme/release-kit/.github/workflows/build.yml@refs/tags/v2.0.0';
    const token = makeIdentityToken({ job_workflow_ref: reusable });
    const opened = await openStatementSigner({
      key: 'keyless',
      env: {},
      logger: silentLogger,
      cwd: dir,
      oidcToken: token,
      instance: {
        name: 'custom',
        fulcioUrl: sigstore.fulcioUrl,
        witnesses: {
          // The mock Rekor v1 logs DSSE as an intoto entry (as public-good Rekor v1 accepts).
          rekor: { url: sigstore.rekorUrl, majorApiVersion: 1, dsseEntryType: 'intoto' },
          tsa: { url: sigstore.tsaUrl },
        },
      },
    });
    const result = await createProvenance(
      { workspace: dir, subjects: ['dist/*'] },
      {
        signer: opened.signer,
        logger: silentLogger,
        env: ENV,
        ...(opened.claims ? { claims: opened.claims } : {}),
      },
    );
    const bundle = JSON.parse(readFileSync(result.attestations[0]!.bundlePath, 'utf8')) as unknown;
    await verifyKeyless(bundle, sigstore.trustedRoot, undefined, {
      subjectAlternativeName:
        'https://github.com/octo/app/.github/workflows/release.yml@refs/heads/main',
      issuer: 'https://token.actions.githubusercontent.com',
    });
    const statement = payloadOf(result.attestations[0]!.bundlePath);
    const runDetails = statement.predicate['runDetails'] as { builder: { id: string } };
    assert.equal(runDetails.builder.id, `https://github.com/${reusable}`);
  });
});
