/**
 * The fast path (the default) against the careful path (`careful: true`, plain sigstore-js
 * encoding): the same verdict and the same error code on every Sigstore conformance case in both
 * input modes; byte-identical ASN.1 encodings; and no verdict carried from one bundle to the next
 * through the shared trust material.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { ASN1Obj, RFC3161Timestamp, X509Certificate } from '@sigstore/core';
import { bundleFromJSON } from '@sigstore/bundle';
import {
  accelerateTree,
  loadTrust,
  parseBundle,
  verifyBundle,
  type LoadedTrust,
} from '../../../src/adapters/verify/engine.ts';
import { verifyBundleProtocol } from '../../../src/adapters/verify/protocol.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { VouchError } from '../../../src/errors.ts';
import { SHARED } from '../../helpers/cli.ts';
import { startMockSigstore, type MockSigstore } from '../../helpers/signing/mock-sigstore.ts';
import { keylessMessageBundle } from '../../helpers/verify-bundles.ts';

interface Case {
  name: string;
  expect: 'success' | 'failure';
  bundle: string;
  artifact: string;
  artifactDigest: string;
  trustedRoot: string;
  verifyMode: 'identity' | 'key';
  identity?: string;
  issuer?: string;
  key?: string;
}

// A bundle's JSON, edited field by field below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type BundleJson = Record<string, any>;

const BASE = join(SHARED, 'conformance', 'sigstore');
const { cases } = JSON.parse(readFileSync(join(BASE, 'cases.json'), 'utf8')) as { cases: Case[] };

async function outcome(c: Case, mode: 'path' | 'digest', careful: boolean): Promise<string> {
  try {
    await verifyBundleProtocol(
      {
        bundle: join(BASE, c.bundle),
        artifact: mode === 'path' ? join(BASE, c.artifact) : c.artifactDigest,
        trustedRoot: join(BASE, c.trustedRoot),
        ...(c.verifyMode === 'key'
          ? { key: join(BASE, c.key!) }
          : { identity: c.identity!, issuer: c.issuer! }),
        careful,
      },
      { cwd: BASE, logger: silentLogger },
    );
    return 'verified';
  } catch (error) {
    assert.ok(error instanceof VouchError, `a coded error, not ${String(error)}`);
    return error.code;
  }
}

for (const mode of ['path', 'digest'] as const) {
  test(`${mode} mode: fast and careful paths agree on every conformance case`, async () => {
    assert.equal(cases.length, 60);
    for (const c of cases) {
      const careful = await outcome(c, mode, true);
      const fast = await outcome(c, mode, false);
      assert.equal(fast, careful, `${c.name}: fast ${fast}, careful ${careful}`);
      assert.equal(fast === 'verified', c.expect === 'success', `${c.name}: ${fast}`);
    }
  });
}

/** Every node's encoding, by the library's encoder and by the fast one. */
function assertSameEncoding(root: ASN1Obj, what: string): void {
  const original: Buffer[] = [];
  const walk = (n: ASN1Obj, out: Buffer[]) => {
    out.push(n.toDER());
    n.subs.forEach((s) => walk(s, out));
  };
  walk(root, original);
  accelerateTree(root);
  const fast: Buffer[] = [];
  walk(root, fast);
  assert.equal(fast.length, original.length);
  fast.forEach((b, i) => assert.ok(b.equals(original[i]!), `${what}: node ${i} differs`));
  // A fresh buffer each call: callers write into it (RFC 3161 signed attributes).
  assert.notEqual(root.toDER(), root.toDER());
}

test('the fast encoder yields the bytes of @sigstore/core on every certificate and timestamp', () => {
  let certs = 0;
  let timestamps = 0;
  for (const c of cases) {
    let bundle;
    try {
      bundle = bundleFromJSON(JSON.parse(readFileSync(join(BASE, c.bundle), 'utf8')));
    } catch {
      continue;
    }
    const vm = bundle.verificationMaterial;
    const raw =
      vm.content.$case === 'certificate'
        ? [vm.content.certificate.rawBytes]
        : vm.content.$case === 'x509CertificateChain'
          ? vm.content.x509CertificateChain.certificates.map((x) => x.rawBytes)
          : [];
    for (const der of raw) {
      let cert: X509Certificate;
      try {
        cert = X509Certificate.parse(Buffer.from(der));
      } catch {
        continue;
      }
      assertSameEncoding(cert.root, c.name);
      certs++;
    }
    for (const ts of vm.timestampVerificationData?.rfc3161Timestamps ?? []) {
      assertSameEncoding(RFC3161Timestamp.parse(Buffer.from(ts.signedTimestamp)).root, c.name);
      timestamps++;
    }
  }
  assert.ok(certs > 30 && timestamps > 5, `${certs} certificates, ${timestamps} timestamps`);
  // A tree changed after parsing (the SCT check removes an extension from a clone).
  const c = cases.find((x) => x.name === 'happy-path-v0.3')!;
  const b = bundleFromJSON(JSON.parse(readFileSync(join(BASE, c.bundle), 'utf8')));
  const content = b.verificationMaterial.content;
  assert.equal(content.$case, 'certificate');
  const a = X509Certificate.parse(Buffer.from(content.certificate.rawBytes));
  const f = X509Certificate.parse(Buffer.from(content.certificate.rawBytes));
  accelerateTree(f.root);
  a.extensions.pop();
  f.extensions.pop();
  assert.ok(a.tbsCertificate.toDER().equals(f.tbsCertificate.toDER()));
});

describe('no verdict carries over from one bundle to the next', () => {
  let sigstore: MockSigstore;
  let trust: LoadedTrust;
  let good: Record<string, unknown>;
  const data = Buffer.from('release artifact\n');
  const artifact = {
    digests: { sha256: createHash('sha256').update(data).digest('hex') },
    bytes: data,
  };

  before(async () => {
    sigstore = await startMockSigstore();
    good = await keylessMessageBundle(sigstore, data);
    trust = loadTrust(sigstore.trustedRoot, 'mock root');
  });
  after(async () => sigstore.close());

  function run(doc: unknown, fast: boolean, what = artifact): string {
    try {
      verifyBundle(parseBundle(doc, 'bundle'), what, 'bundle', {
        trust,
        keyPolicy: { type: 'certificate' },
        now: new Date(),
        fast,
      });
      return 'verified';
    } catch (error) {
      assert.ok(error instanceof VouchError, String(error));
      return error.code;
    }
  }

  /** The good bundle with one change, keeping its certificate. */
  function tampered(change: (b: BundleJson) => void): Record<string, unknown> {
    const copy = structuredClone(good) as BundleJson;
    change(copy);
    return copy;
  }

  it('a tampered bundle with the same certificate fails after the good one passed', () => {
    const flip = (b64: string) => {
      const buf = Buffer.from(b64, 'base64');
      buf[buf.length - 5]! ^= 1;
      return buf.toString('base64');
    };
    const variants: Array<[string, Record<string, unknown>, typeof artifact?]> = [
      [
        'signature',
        tampered((b) => (b.messageSignature.signature = flip(b.messageSignature.signature))),
      ],
      [
        'timestamp',
        tampered((b) => {
          const ts = b.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0];
          ts.signedTimestamp = flip(ts.signedTimestamp);
        }),
      ],
      [
        'log entry',
        tampered((b) => {
          const e = b.verificationMaterial.tlogEntries[0];
          e.inclusionPromise.signedEntryTimestamp = flip(e.inclusionPromise.signedEntryTimestamp);
        }),
      ],
      [
        'integrated time',
        tampered((b) => {
          const e = b.verificationMaterial.tlogEntries[0];
          e.integratedTime = String(Number(e.integratedTime) + 1);
        }),
      ],
    ];
    const other = Buffer.from('another artifact\n');
    for (const fast of [true, false]) {
      assert.equal(run(good, fast), 'verified');
      for (const [what, doc] of variants) {
        const got = run(doc, fast);
        assert.notEqual(got, 'verified', `${what} (fast: ${fast})`);
        assert.equal(got, run(doc, !fast), `${what}: both paths give the same code`);
      }
      // The good bundle itself over other bytes.
      const otherArtifact = {
        digests: { sha256: createHash('sha256').update(other).digest('hex') },
        bytes: other,
      };
      assert.equal(run(good, fast, otherArtifact), 'VERIFY_ARTIFACT_MISMATCH');
      assert.equal(run(good, fast), 'verified');
    }
  });
});
