/**
 * Trust material: the shipped public-good and GitHub roots (their provenance pinned), the age
 * warning, the online path through a real TUF repository served on loopback, and a real bundle
 * of GitHub's Sigstore instance verified with GitHub's root.
 */
import assert from 'node:assert/strict';
import {
  createHash,
  generateKeyPairSync,
  sign as signBytes,
  verify as verifyBytes,
  createPublicKey,
  type KeyObject,
} from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import type { Logger } from '../../../src/core/logger.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { loadTrust, parseBundle, verifyBundle } from '../../../src/adapters/verify/engine.ts';
import {
  loadTrustDocument,
  readShippedRoot,
  STALE_AFTER_DAYS,
  trustSourceOf,
} from '../../../src/adapters/verify/trust-root.ts';
import { verifyArtifacts } from '../../../src/adapters/verify/verify-artifacts.ts';
import { ROOT } from '../../helpers/cli.ts';

const TRUST_DIR = join(ROOT, 'src/adapters/verify/trust');
const DAY = 86_400_000;

function recordingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  return { logger: { ...silentLogger, warn: (m: string) => void warnings.push(m) }, warnings };
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** TUF's canonical JSON (OLPC): sorted keys, no whitespace, only `"` and `\` escaped. */
function canonical(value: unknown): string {
  if (typeof value === 'string') return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${canonical(k)}:${canonical(obj[k])}`)
    .join(',')}}`;
}

describe('shipped trust roots', () => {
  it('GitHub root and TUF root are the recorded documents', () => {
    const meta = JSON.parse(readFileSync(join(TRUST_DIR, 'fetched.json'), 'utf8')) as Record<
      string,
      { source: string; tufRoot?: string; fetchedAt: string }
    >;
    const root = readFileSync(join(TRUST_DIR, 'github.trusted_root.json'));
    const tufRoot = readFileSync(join(TRUST_DIR, 'github.tuf-root.json'));
    assert.ok(meta['github']!.source.includes(sha256(root)), 'trusted root digest recorded');
    assert.ok(meta['github']!.tufRoot!.includes(sha256(tufRoot)), 'TUF root digest recorded');
    assert.ok(!Number.isNaN(Date.parse(meta['github']!.fetchedAt)));
  });

  it("GitHub's TUF root.json is signed by its own root keys to threshold", () => {
    const doc = JSON.parse(readFileSync(join(TRUST_DIR, 'github.tuf-root.json'), 'utf8')) as {
      signatures: { keyid: string; sig: string }[];
      signed: {
        keys: Record<string, { keyval: { public: string } }>;
        roles: { root: { keyids: string[]; threshold: number } };
      };
    };
    const bytes = Buffer.from(canonical(doc.signed));
    const valid = doc.signatures.filter(
      (s) =>
        s.sig !== '' &&
        doc.signed.roles.root.keyids.includes(s.keyid) &&
        verifyBytes(
          'sha256',
          bytes,
          createPublicKey(doc.signed.keys[s.keyid]!.keyval.public),
          Buffer.from(s.sig, 'hex'),
        ),
    );
    assert.ok(valid.length >= doc.signed.roles.root.threshold, `${valid.length} valid`);
  });

  it("GitHub's root names its Fulcio and timestamp authority and no transparency log", () => {
    const { doc } = readShippedRoot('github');
    const trust = loadTrust(doc, 'github');
    assert.equal(trust.root.tlogs.length, 0);
    assert.ok(trust.root.certificateAuthorities.every((c) => c.uri === 'fulcio.githubapp.com'));
    assert.ok(trust.root.timestampAuthorities.every((t) => t.uri === 'timestamp.githubapp.com'));
    assert.ok(trust.root.certificateAuthorities.length >= 1);
  });

  it('--trusted-root reads public-good, github or a path', () => {
    assert.deepEqual(trustSourceOf(undefined, false), { kind: 'public-good', online: false });
    assert.deepEqual(trustSourceOf('github', true), { kind: 'github', online: true });
    assert.deepEqual(trustSourceOf('./github', false), { kind: 'file', path: './github' });
  });

  for (const name of ['public-good', 'github'] as const) {
    it(`${name}: a shipped copy older than ${STALE_AFTER_DAYS} days is used with a warning`, async () => {
      const { fetchedAt } = readShippedRoot(name);
      const fresh = recordingLogger();
      const doc = await loadTrustDocument(
        { kind: name },
        { logger: fresh.logger, now: new Date(Date.parse(fetchedAt) + 10 * DAY) },
      );
      assert.equal(doc.source, `${name} (shipped copy of ${fetchedAt.slice(0, 10)})`);
      assert.deepEqual(fresh.warnings, []);

      const stale = recordingLogger();
      const old = await loadTrustDocument(
        { kind: name },
        {
          logger: stale.logger,
          now: new Date(Date.parse(fetchedAt) + (STALE_AFTER_DAYS + 1) * DAY),
        },
      );
      assert.deepEqual(old.doc, doc.doc);
      assert.equal(stale.warnings.length, 1);
      assert.match(stale.warnings[0]!, new RegExp(`${STALE_AFTER_DAYS + 1} days old`));
      assert.match(stale.warnings[0]!, /--trusted-root FILE or run online/);
    });
  }
});

/** A small real TUF repository (ed25519 keys, one of each role), served on loopback. */
class TufRepo {
  readonly files = new Map<string, Buffer>();
  readonly requests: string[] = [];
  private server?: Server;
  private readonly key: { id: string; priv: KeyObject; pub: string };
  root: Record<string, unknown> = {};

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
    const keyDoc = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: raw } };
    this.key = { id: sha256(canonical(keyDoc)), priv: privateKey, pub: raw };
  }

  private signed(signed: Record<string, unknown>): Buffer {
    const sig = signBytes(null, Buffer.from(canonical(signed)), this.key.priv).toString('hex');
    return Buffer.from(JSON.stringify({ signatures: [{ keyid: this.key.id, sig }], signed }));
  }

  /** Publishes `target` as trusted_root.json (optionally advertising other bytes' hash). */
  publish(target: Buffer, advertised: Buffer = target): void {
    const expires = new Date(Date.now() + 30 * DAY).toISOString().replace(/\.\d+Z$/, 'Z');
    const common = { spec_version: '1.0.31', version: 1, expires };
    const role = { keyids: [this.key.id], threshold: 1 };
    const rootSigned = {
      _type: 'root',
      ...common,
      consistent_snapshot: false,
      keys: {
        [this.key.id]: { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: this.key.pub } },
      },
      roles: { root: role, timestamp: role, snapshot: role, targets: role },
    };
    const root = this.signed(rootSigned);
    this.root = JSON.parse(root.toString()) as Record<string, unknown>;
    const targets = this.signed({
      _type: 'targets',
      ...common,
      targets: {
        'trusted_root.json': { length: advertised.length, hashes: { sha256: sha256(advertised) } },
      },
    });
    const snapshot = this.signed({
      _type: 'snapshot',
      ...common,
      meta: { 'targets.json': { version: 1 } },
    });
    const timestamp = this.signed({
      _type: 'timestamp',
      ...common,
      meta: { 'snapshot.json': { version: 1 } },
    });
    this.files.clear();
    this.files.set('/1.root.json', root);
    this.files.set('/timestamp.json', timestamp);
    this.files.set('/snapshot.json', snapshot);
    this.files.set('/targets.json', targets);
    this.files.set('/targets/trusted_root.json', target);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.requests.push(req.url ?? '');
      const body = this.files.get(req.url ?? '');
      if (!body) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()) ?? r());
  }
}

describe('online: the trusted root through TUF', () => {
  const repo = new TufRepo();
  let url = '';
  before(async () => {
    url = await repo.start();
  });
  after(() => repo.close());

  const githubBytes = readFileSync(join(TRUST_DIR, 'github.trusted_root.json'));

  it('fetches and verifies trusted_root.json from the mirror', async () => {
    repo.publish(githubBytes);
    const { logger, warnings } = recordingLogger();
    const now = new Date();
    const doc = await loadTrustDocument(
      {
        kind: 'github',
        online: true,
        mirror: url,
        tufRoot: repo.root,
        cacheDir: mkdtempSync(join(tmpdir(), 'vouch-tuf-')),
      },
      { logger, now },
    );
    assert.deepEqual(warnings, []);
    assert.equal(doc.source, 'github (TUF)');
    assert.equal(doc.fetchedAt, now.toISOString());
    const expected = TrustedRoot.toJSON(TrustedRoot.fromJSON(JSON.parse(githubBytes.toString())));
    assert.deepEqual(doc.doc, expected);
    assert.ok(repo.requests.includes('/targets/trusted_root.json'));
    // The document is usable trust material.
    assert.equal(loadTrust(doc.doc, doc.source).root.timestampAuthorities.length, 6);
  });

  it('a target that does not match the signed targets metadata is refused: shipped copy, warned', async () => {
    const publicGood = readFileSync(join(TRUST_DIR, 'public-good.trusted_root.json'));
    repo.publish(publicGood, githubBytes); // serves other bytes than the ones signed for
    const { logger, warnings } = recordingLogger();
    const doc = await loadTrustDocument(
      {
        kind: 'github',
        online: true,
        mirror: url,
        tufRoot: repo.root,
        cacheDir: mkdtempSync(join(tmpdir(), 'vouch-tuf-')),
      },
      { logger, now: new Date() },
    );
    assert.match(doc.source, /^github \(shipped copy of \d{4}-\d{2}-\d{2}\)$/);
    assert.deepEqual(doc.doc, readShippedRoot('github').doc);
    assert.ok(
      warnings.some((w) =>
        w.includes('could not update the GitHub Sigstore instance trusted root'),
      ),
    );
  });

  it('metadata signed by another key than the trusted TUF root is refused', async () => {
    repo.publish(githubBytes);
    const other = new TufRepo();
    other.publish(githubBytes);
    const { logger, warnings } = recordingLogger();
    const doc = await loadTrustDocument(
      {
        kind: 'github',
        online: true,
        mirror: url,
        tufRoot: other.root,
        cacheDir: mkdtempSync(join(tmpdir(), 'vouch-tuf-')),
      },
      { logger, now: new Date() },
    );
    assert.match(doc.source, /shipped copy/);
    assert.equal(warnings.length >= 1, true);
  });

  it('an unreachable mirror falls back to the shipped copy with a warning', async () => {
    // A loopback port nobody listens on: bind one, note it, close it.
    const probe = createNetServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    for (const kind of ['github', 'public-good'] as const) {
      const { logger, warnings } = recordingLogger();
      const doc = await loadTrustDocument(
        {
          kind,
          online: true,
          mirror: `http://127.0.0.1:${port}`,
          tufRoot: repo.root,
          cacheDir: mkdtempSync(join(tmpdir(), 'vouch-tuf-')),
        },
        { logger, now: new Date(Date.parse(readShippedRoot(kind).fetchedAt) + DAY) },
      );
      assert.match(doc.source, new RegExp(`^${kind} \\(shipped copy`));
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0]!, new RegExp(`127\\.0\\.0\\.1:${port}.*using the shipped copy`));
    }
  });
});

describe("a real bundle of GitHub's Sigstore instance", () => {
  const bundlePath = join(ROOT, 'test/fixtures/github-instance/github_release_bundle.json');
  const digest = 'sha256:e15b593c6ab8d7725a3cc82226ef816cac6bf9c70eed383bd459295cc65f5ec3';

  it("verifies with GitHub's shipped root (RFC 3161 timestamp, no transparency log)", () => {
    const bundle = parseBundle(JSON.parse(readFileSync(bundlePath, 'utf8')), bundlePath);
    const evidence = verifyBundle(bundle, { digests: { sha256: digest.slice(7) } }, bundlePath, {
      trust: loadTrust(readShippedRoot('github').doc, 'github'),
      keyPolicy: { type: 'certificate' },
      now: new Date(),
    });
    assert.ok(evidence);
    // The same bundle with its DSSE payload changed by one statement byte fails.
    const doc = JSON.parse(readFileSync(bundlePath, 'utf8')) as {
      dsseEnvelope: { payload: string };
    };
    const payload = Buffer.from(doc.dsseEnvelope.payload, 'base64');
    payload[payload.length - 3]! ^= 1;
    doc.dsseEnvelope.payload = payload.toString('base64');
    assert.throws(
      () =>
        verifyBundle(
          parseBundle(doc, bundlePath),
          { digests: { sha256: digest.slice(7) } },
          bundlePath,
          {
            trust: loadTrust(readShippedRoot('github').doc, 'github'),
            keyPolicy: { type: 'certificate' },
            now: new Date(),
          },
        ),
      (e: { code?: string }) => e.code === 'VERIFY_SIGNATURE_INVALID',
    );
  });

  it('is refused with the public-good root, and by verify without --trusted-root github', async () => {
    const bundle = parseBundle(JSON.parse(readFileSync(bundlePath, 'utf8')), bundlePath);
    assert.throws(
      () =>
        verifyBundle(bundle, { digests: { sha256: digest.slice(7) } }, bundlePath, {
          trust: loadTrust(readShippedRoot('public-good').doc, 'public-good'),
          keyPolicy: { type: 'certificate' },
          now: new Date(),
        }),
      (e: { code?: string }) => e.code === 'VERIFY_TLOG_MISSING',
    );
    const request = {
      artifacts: [digest],
      bundles: [bundlePath],
      identity: { identity: 'https://dotcom.releases.github.com', issuer: 'https://github.com' },
    };
    const refused = await verifyArtifacts(request, { cwd: ROOT, logger: silentLogger });
    assert.equal(refused.passed, false);
  });

  it('verify --trusted-root github checks the signature, chain and timestamp', async () => {
    const result = await verifyArtifacts(
      {
        artifacts: [digest],
        bundles: [bundlePath],
        trust: { kind: 'github' },
        identity: { identity: 'https://dotcom.releases.github.com', issuer: 'https://github.com' },
      },
      { cwd: ROOT, logger: silentLogger },
    );
    const report = result.artifacts[0]!;
    // The certificate carries no OIDC issuer extension (GitHub's release signer), so an issuer
    // policy cannot match it: the failure is the identity policy, after every crypto check.
    assert.equal(report.error?.code, 'VERIFY_ISSUER_MISMATCH', JSON.stringify(report));
  });
});
