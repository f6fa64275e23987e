/**
 * Signing speed: node bench/sign.ts [--runs N] [--size-mib M]
 *
 * 1. Hashing a 1 GiB file (bench/.work/sign-1g.bin, page-cached first) with vouch's streaming
 *    hasher (8 MiB reads) against `openssl dgst -sha256`, run alternately side by side; Node's
 *    default 64 KiB stream is shown for reference. Target: vouch ≥ 0.9 × openssl's throughput.
 * 2. Signing 1,000 small files with a P-256 file key: the time spent beyond hashing (bundle
 *    building and ECDSA signing) must stay under 1 s; the end-to-end `signFiles` time (reading,
 *    hashing, signing, writing bundle and public key files) is shown too.
 * Prints a Markdown section.
 */
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { hashFile } from '../src/adapters/fs/hash-file.ts';
import { signMessageBundle } from '../src/adapters/sigstore/bundler.ts';
import { signFiles } from '../src/adapters/sigstore/sign-files.ts';
import { createKeySigner } from '../src/core/signing/key-signer.ts';
import { silentLogger } from '../src/core/logger.ts';

const ROOT = join(import.meta.dirname, '..');
const WORK = join(ROOT, 'bench', '.work');
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('--runs', 5);
const SIZE_MIB = arg('--size-mib', 1024);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function timeMs(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function makeBigFile(path: string, mib: number): void {
  if (existsSync(path) && statSync(path).size === mib * 2 ** 20) return;
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(2 ** 20);
  for (let i = 0; i < mib; i++) {
    // Varied content (not all zeros) so nothing can shortcut it.
    chunk.writeUInt32LE(i, 0);
    for (let j = 4; j < chunk.length; j += 4096) chunk[j] = (i * 31 + j) & 0xff;
    writeSync(fd, chunk);
  }
  closeSync(fd);
}

function streamHash(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

async function hashing(): Promise<string[]> {
  mkdirSync(WORK, { recursive: true });
  const big = join(WORK, 'sign-1g.bin');
  makeBigFile(big, SIZE_MIB);
  // Page-cache it: one full read before timing.
  spawnSync('cat', [big], { stdio: ['ignore', 'ignore', 'ignore'] });
  const ours: number[] = [];
  const openssl: number[] = [];
  const nodeDefault: number[] = [];
  let expected = '';
  for (let i = 0; i < RUNS; i++) {
    ours.push(
      await timeMs(async () => {
        expected = (await hashFile(big)).toString('hex');
      }),
    );
    openssl.push(
      await timeMs(() => {
        const r = spawnSync('openssl', ['dgst', '-sha256', '-r', big], { encoding: 'utf8' });
        if (!r.stdout.startsWith(expected)) throw new Error('openssl digest differs');
      }),
    );
    nodeDefault.push(await timeMs(() => streamHash(big)));
  }
  const mib = SIZE_MIB;
  const row = (name: string, ms: number, ref: number): string =>
    `| ${name} | ${ms.toFixed(0)} | ${((mib / ms) * 1000).toFixed(0)} | ${(ref / ms).toFixed(2)}× |`;
  const ratio = median(openssl) / median(ours);
  return [
    `### Hashing a ${mib === 1024 ? '1 GiB' : `${mib} MiB`} file (page-cached), median of ${RUNS} alternated runs`,
    '',
    '| hasher | median ms | MiB/s | throughput vs openssl |',
    '|---|---|---|---|',
    row('`openssl dgst -sha256` (whole process)', median(openssl), median(openssl)),
    row('vouch `hashFile` (8 MiB reads)', median(ours), median(openssl)),
    row('Node `createReadStream` (64 KiB default)', median(nodeDefault), median(openssl)),
    '',
    `Target ≥ 0.9 × openssl: **${ratio.toFixed(2)}×**, ${ratio >= 0.9 ? 'met' : 'not met'}.`,
    '',
  ];
}

async function signing(): Promise<string[]> {
  const dir = join(WORK, 'sign-small');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const f = join(dir, `file-${String(i).padStart(4, '0')}.txt`);
    writeFileSync(f, `release file ${i}\n`.repeat(64));
    files.push(f);
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyPath = join(WORK, 'bench-signing.key');
  writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const signer = createKeySigner(privateKey);
  const data = files.map((f) => readFileSync(f));
  await signMessageBundle(signer, data[0]!, {}); // warm-up (loads @sigstore/*)
  const hashOnly: number[] = [];
  const signed: number[] = [];
  const endToEnd: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    hashOnly.push(await timeMs(() => data.forEach((d) => createHash('sha256').update(d).digest())));
    signed.push(
      await timeMs(async () => {
        for (const d of data) await signMessageBundle(signer, d, {});
      }),
    );
    endToEnd.push(
      await timeMs(() =>
        signFiles(
          { files, key: keyPath, offline: true },
          { env: {}, logger: silentLogger, cwd: dir },
        ),
      ),
    );
  }
  const beyond = median(signed) - median(hashOnly);
  return [
    `### Signing 1,000 small files (1 KiB each) with a P-256 file key, median of ${RUNS} runs`,
    '',
    '| work | median ms |',
    '|---|---|',
    `| SHA-256 of the 1,000 files (in memory) | ${median(hashOnly).toFixed(1)} |`,
    `| \`signMessageBundle\` × 1,000 (hash + ECDSA + bundle) | ${median(signed).toFixed(1)} |`,
    `| **signing work beyond hashing** | **${beyond.toFixed(1)}** |`,
    `| \`signFiles\` end to end (read, hash, sign, write 1,000 bundles + keys) | ${median(endToEnd).toFixed(1)} |`,
    '',
    `Target < 1 s beyond hashing: ${beyond < 1000 ? 'met' : 'not met'}.`,
    '',
  ];
}

const lines = [
  '## Signing',
  '',
  'Written by `node bench/sign.ts`.',
  '',
  ...(await hashing()),
  ...(await signing()),
];
console.log(lines.join('\n'));
