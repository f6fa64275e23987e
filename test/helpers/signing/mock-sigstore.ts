/**
 * In-process Fulcio, Rekor (v1 and v2) and TSA from @sigstore/mock, served over real HTTP on
 * 127.0.0.1, with a whole-second clock, plus the trusted root that verifies what they issue.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MockSigstore {
  readonly url: string;
  readonly fulcioUrl: string;
  readonly rekorUrl: string;
  readonly tsaUrl: string;
  /** trusted_root.json (JSON object) for @sigstore/verify. */
  readonly trustedRoot: Record<string, unknown>;
  /** A signing_config.json (v0.2) naming these services. */
  signingConfig(rekorVersion?: 1 | 2): Record<string, unknown>;
  /** Requests received, by path. */
  readonly hits: Map<string, number>;
  close(): Promise<void>;
}

/** An unsigned JWT the mock Fulcio accepts (it decodes without verifying). */
export function makeIdentityToken(claims: Record<string, unknown> = {}): string {
  const enc = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return [
    enc({ alg: 'RS256', typ: 'JWT' }),
    enc({
      iss: 'https://token.actions.githubusercontent.com',
      sub: 'https://github.com/octo/app/.github/workflows/release.yml@refs/heads/main',
      aud: 'sigstore',
      iat: now,
      exp: now + 600,
      ...claims,
    }),
    Buffer.from('not-a-real-signature').toString('base64url'),
  ].join('.');
}

export async function startMockSigstore(): Promise<MockSigstore> {
  const mock = await import('@sigstore/mock');
  const { generateKeyPairSync } = await import('node:crypto');
  const pair = (): {
    publicKey: import('node:crypto').KeyObject;
    privateKey: import('node:crypto').KeyObject;
  } => generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A whole-second clock equal to the second the mock roots were made in (their notBefore), so
  // timestamps and certificates fall inside every validity window.
  const init = async () => {
    const clock = new Date(Math.floor(Date.now() / 1000) * 1000);
    const ctKeys = pair();
    const ctlog = await mock.initializeCTLog(ctKeys as never, clock);
    const ca = await mock.initializeCA(pair() as never, ctlog, clock);
    const tlogKeys = pair();
    const tlog = await mock.initializeTLog(url, tlogKeys as never, clock);
    const tsa = await mock.initializeTSA(pair() as never, clock);
    return { clock, ctKeys, ctlog, ca, tlog, tsa };
  };
  let parts = await init();
  while (Math.floor(Date.now() / 1000) * 1000 !== parts.clock.getTime()) parts = await init();
  const { clock, ctKeys, ctlog, ca, tlog, tsa } = parts;
  const handlers = [
    mock.fulcioHandler(ca),
    mock.rekorHandler(tlog),
    mock.rekorV2Handler(tlog),
    mock.tsaHandler(tsa),
  ];
  const hits = new Map<string, number>();
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const handler = handlers.find((h) => h.path === path);
      if (!handler || req.method !== 'POST') {
        res.writeHead(404).end('not found');
        return;
      }
      handler
        .fn(Buffer.concat(chunks).toString('utf8'))
        .then(({ statusCode, response, contentType }) => {
          res.writeHead(statusCode, { 'content-type': contentType ?? 'text/plain' });
          res.end(
            typeof response === 'string'
              ? response
              : Buffer.from(response.buffer, response.byteOffset, response.byteLength),
          );
        })
        .catch((error: unknown) => res.writeHead(500).end(String(error)));
    });
  });
  const b64 = (v: ArrayBufferView): string =>
    Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  const start = new Date(clock.getTime() - 3600_000).toISOString();
  const tlogDer = tlog.publicKey;
  const ctDer = ctKeys.publicKey.export({ type: 'spki', format: 'der' });
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: url,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: tlogDer.toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start },
        },
        logId: { keyId: createHash('sha256').update(tlogDer).digest('base64') },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: url,
        certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
        validFor: { start },
      },
    ],
    ctlogs: [
      {
        baseUrl: url,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: ctDer.toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start },
        },
        logId: { keyId: b64(ctlog.logID) },
      },
    ],
    timestampAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'tsa' },
        uri: url,
        certChain: {
          certificates: [
            { rawBytes: b64(tsa.intCertificate) },
            { rawBytes: b64(tsa.rootCertificate) },
          ],
        },
        validFor: { start },
      },
    ],
  };
  const service = (u: string, v = 1): Record<string, unknown> => ({
    url: u,
    majorApiVersion: v,
    validFor: { start },
    operator: 'mock',
  });
  return {
    url,
    fulcioUrl: url,
    rekorUrl: url,
    tsaUrl: `${url}/api/v1/timestamp`,
    trustedRoot,
    hits,
    signingConfig: (rekorVersion = 1) => ({
      mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
      caUrls: [service(url)],
      oidcUrls: [],
      rekorTlogUrls: [service(url, rekorVersion)],
      tsaUrls: [service(`${url}/api/v1/timestamp`)],
      rekorTlogConfig: { selector: 'ANY' },
      tsaConfig: { selector: 'ANY' },
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Verifies a keyless bundle with @sigstore/verify against the mock trust root and identity. */
export async function verifyKeyless(
  bundleJson: unknown,
  trustedRoot: Record<string, unknown>,
  artifact: Buffer | undefined,
  identity: { subjectAlternativeName: string; issuer: string },
  thresholds: { tlogThreshold?: number; timestampThreshold?: number } = {},
): Promise<void> {
  const { bundleFromJSON } = await import('@sigstore/bundle');
  const { toSignedEntity, toTrustMaterial, Verifier } = await import('@sigstore/verify');
  const { TrustedRoot } = await import('@sigstore/protobuf-specs');
  const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(trustedRoot)), {
    ctlogThreshold: 1,
    tlogThreshold: thresholds.tlogThreshold ?? 1,
    timestampThreshold: thresholds.timestampThreshold ?? 1,
  });
  verifier.verify(toSignedEntity(bundleFromJSON(bundleJson), artifact), {
    subjectAlternativeName: identity.subjectAlternativeName,
    extensions: { issuer: identity.issuer },
  });
}
