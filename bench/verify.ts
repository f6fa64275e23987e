/**
 * Verification speed: node bench/verify.ts [--bundles N] [--batch N]
 *
 * 1. Keyless bundles (Fulcio certificate, Rekor entry with inclusion proof, RFC 3161 timestamp)
 *    made against in-process @sigstore/mock services, verified in a warm loop, alternating round
 *    by round: @sigstore/verify's Verifier (bundleFromJSON, toSignedEntity, verify with the
 *    identity policy) against vouch's verifier (parse, the same checks plus its own, identity
 *    policy), fast path and careful path. Target: vouch ≥ 3× the Verifier's throughput.
 * 2. 1,000 key-signed bundles for 1,000 files verified in one `verifyArtifacts` batch, timed
 *    after start-up (modules loaded, trust material read). Target: under 1 s.
 * Prints a Markdown section.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { loadTrust, parseBundle, verifyBundle } from '../src/adapters/verify/engine.ts';
import { verifyArtifacts } from '../src/adapters/verify/verify-artifacts.ts';
import { checkIdentityPolicy, type IdentityPolicy } from '../src/core/verify/identity-policy.ts';
import { silentLogger } from '../src/core/logger.ts';
import { startMockSigstore } from '../test/helpers/signing/mock-sigstore.ts';
import { ISSUER, SAN, keylessMessageBundle } from '../test/helpers/verify-bundles.ts';

const ROOT = join(import.meta.dirname, '..');
const WORK = join(ROOT, 'bench', '.work', 'verify');
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const BUNDLES = arg('--bundles', 200);
const BATCH = arg('--batch', 1000);
const ROUNDS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

interface Item {
  readonly data: Buffer;
  readonly digest: string;
  readonly json: Record<string, unknown>;
}

async function keylessSection(): Promise<string> {
  const sigstore = await startMockSigstore();
  const items: Item[] = [];
  try {
    for (let i = 0; i < BUNDLES; i++) {
      const data = Buffer.from(`release file ${i}\n`);
      items.push({ data, digest: sha256(data), json: await keylessMessageBundle(sigstore, data) });
    }
  } finally {
    await sigstore.close();
  }
  const policy: IdentityPolicy = { identity: SAN, issuer: ISSUER };
  const jsVerifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(sigstore.trustedRoot)));
  const trust = loadTrust(sigstore.trustedRoot, 'mock trusted root');
  const now = new Date();

  const contenders: Record<string, (it: Item) => void> = {
    '`@sigstore/verify` Verifier': (it) => {
      jsVerifier.verify(toSignedEntity(bundleFromJSON(it.json), it.data), {
        subjectAlternativeName: SAN,
        extensions: { issuer: ISSUER },
      });
    },
    'vouch (default, fast path)': (it) => {
      const evidence = verifyBundle(
        parseBundle(it.json, 'bundle'),
        { digests: { sha256: it.digest }, bytes: it.data },
        'bundle',
        { trust, keyPolicy: { type: 'certificate' }, now, fast: true },
      );
      if (evidence.signer.type !== 'certificate') throw new Error('expected a certificate');
      checkIdentityPolicy(policy, evidence.signer);
    },
    'vouch (careful path, plain @sigstore/core encoding)': (it) => {
      const evidence = verifyBundle(
        parseBundle(it.json, 'bundle'),
        { digests: { sha256: it.digest }, bytes: it.data },
        'bundle',
        { trust, keyPolicy: { type: 'certificate' }, now },
      );
      if (evidence.signer.type !== 'certificate') throw new Error('expected a certificate');
      checkIdentityPolicy(policy, evidence.signer);
    },
  };
  const names = Object.keys(contenders);
  // Warm-up: every contender once over every bundle (JIT, lazily built trust material).
  for (const name of names) for (const it of items) contenders[name]!(it);
  const perBundle: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      const fn = contenders[name]!;
      const t0 = process.hrtime.bigint();
      for (const it of items) fn(it);
      perBundle[name]!.push(Number(process.hrtime.bigint() - t0) / 1e6 / items.length);
    }
  }
  const base = median(perBundle[names[0]!]!);
  const rows = names.map((name) => {
    const ms = median(perBundle[name]!);
    const ratio = base / ms;
    const target = name.startsWith('vouch (default')
      ? ` | ≥ 3× | ${ratio >= 3 ? 'yes' : 'no'}`
      : ' | — | — ';
    return `| ${name} | ${ms.toFixed(2)} | ${(1000 / ms).toFixed(0)} | ${ratio.toFixed(2)}×${target} |`;
  });
  return [
    `### Keyless bundles in a warm loop (${BUNDLES} bundles, median of ${ROUNDS} alternated rounds)`,
    '',
    'Each bundle: a Fulcio certificate with SCT, a Rekor entry with inclusion proof and checkpoint, an RFC 3161 timestamp (in-process `@sigstore/mock`); each verification includes the identity policy (exact SAN and issuer).',
    '',
    '| verifier | ms per bundle | bundles/s | throughput vs `@sigstore/verify` | target | met |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

async function batchSection(): Promise<string> {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const hint = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
  writeFileSync(join(WORK, 'release.pub'), pem);
  const { MessageSignatureBundleBuilder } = await import('@sigstore/sign');
  const { bundleToJSON } = await import('@sigstore/bundle');
  const builder = new MessageSignatureBundleBuilder({
    signer: {
      sign: async (data: Buffer) => ({
        signature: sign('sha256', data, privateKey),
        key: { $case: 'publicKey' as const, publicKey: pem, hint },
      }),
    },
    witnesses: [],
  });
  const artifacts: string[] = [];
  for (let i = 0; i < BATCH; i++) {
    const name = `file-${String(i).padStart(4, '0')}.bin`;
    const data = Buffer.from(`release file ${i}\n`.repeat(64));
    writeFileSync(join(WORK, name), data);
    const bundle = bundleToJSON(await builder.create({ data }));
    writeFileSync(join(WORK, `${name}.sigstore.json`), JSON.stringify(bundle));
    artifacts.push(name);
  }
  const deps = { cwd: WORK, logger: silentLogger };
  // Start-up: one small run loads every module and the trust material.
  await verifyArtifacts(
    { artifacts: artifacts.slice(0, 1), bundles: [], key: 'release.pub' },
    deps,
  );
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = process.hrtime.bigint();
    const result = await verifyArtifacts({ artifacts, bundles: [], key: 'release.pub' }, deps);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (!result.passed || result.artifacts.length !== BATCH) throw new Error('batch did not pass');
  }
  rmSync(WORK, { recursive: true, force: true });
  const ms = median(times);
  return [
    `### ${BATCH} key-signed bundles in one batch (median of ${ROUNDS} runs after start-up)`,
    '',
    'Each run reads every file and its `FILE.sigstore.json` beside it, hashes the file, verifies the signature against the key and writes a report per file in memory.',
    '',
    '| what | ms | per bundle ms | target | met |',
    '|---|---|---|---|---|',
    `| \`verifyArtifacts\`, ${BATCH} files and bundles | ${ms.toFixed(0)} | ${(ms / BATCH).toFixed(3)} | < 1000 ms | ${ms < 1000 ? 'yes' : 'no'} |`,
  ].join('\n');
}

const keyless = await keylessSection();
const batch = await batchSection();
console.log(['## verify', '', keyless, '', batch, ''].join('\n'));
