/**
 * A local HTTP(S) server on 127.0.0.1 that replays recorded provider responses (the real wire
 * format of AWS KMS, Cloud KMS, Key Vault and Vault transit), filling in key material and
 * signatures made with a test key, and recording every request it saw.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, privateEncrypt, constants, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WireRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface WireResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string | Record<string, unknown>;
}

export interface WireServer {
  readonly url: string;
  readonly host: string;
  readonly requests: WireRequest[];
  close(): Promise<void>;
}

export async function startWireServer(
  route: (request: WireRequest) => WireResponse | Promise<WireResponse>,
  tls?: { key: string; cert: string },
): Promise<WireServer> {
  const requests: WireRequest[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      Promise.resolve(route(request))
        .then((r) => {
          const body = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
          res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
          res.end(body);
        })
        .catch((error: unknown) => res.writeHead(500).end(String(error)));
    });
  };
  const server = tls ? createTlsServer(tls, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** A test key that signs precomputed SHA-256 digests, as a KMS does. */
export interface DigestKey {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
  readonly spkiDer: Buffer;
  readonly pem: string;
  /** DER ECDSA or PKCS#1 v1.5 signature over the digest. */
  signDigest(digest: Buffer): Buffer;
}

const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

export function makeDigestKey(kind: 'ec' | 'rsa'): DigestKey {
  const pair =
    kind === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dir = mkdtempSync(join(tmpdir(), 'vouch-kms-key-'));
  const keyFile = join(dir, 'key.pem');
  writeFileSync(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return {
    ...pair,
    spkiDer: pair.publicKey.export({ type: 'spki', format: 'der' }),
    pem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    signDigest(digest: Buffer): Buffer {
      if (kind === 'rsa') {
        return privateEncrypt(
          { key: pair.privateKey, padding: constants.RSA_PKCS1_PADDING },
          Buffer.concat([SHA256_DIGEST_INFO, digest]),
        );
      }
      // Node signs messages, not digests; openssl pkeyutl signs the digest as a KMS would.
      const input = join(dir, 'digest.bin');
      writeFileSync(input, digest);
      const r = spawnSync('openssl', ['pkeyutl', '-sign', '-inkey', keyFile, '-in', input]);
      if (r.status !== 0) throw new Error(r.stderr.toString());
      return r.stdout;
    },
  };
}

/** Reads a recorded response and substitutes `{{NAME}}` placeholders. */
export function loadRecording(path: string, values: Record<string, string> = {}): WireResponse {
  let text = readFileSync(path, 'utf8');
  for (const [k, v] of Object.entries(values))
    text = text.split(`{{${k}}}`).join(JSON.stringify(v).slice(1, -1));
  const doc = JSON.parse(text) as { response: WireResponse };
  return doc.response;
}

/** A self-signed certificate for 127.0.0.1 (Key Vault clients insist on https). */
export function makeTlsCertificate(): { key: string; cert: string; certFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const r = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}
