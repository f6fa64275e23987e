/**
 * ECDSA verification over a digest the caller already has (digest-only verification of a
 * message signature: node:crypto can only verify ECDSA over the message itself). Plain BigInt
 * arithmetic on the NIST curves in Jacobian coordinates; used once per bundle, not in hot loops.
 */
import type { KeyObject } from 'node:crypto';
import { VouchError } from '../../errors.ts';

interface Curve {
  readonly p: bigint;
  readonly n: bigint;
  readonly b: bigint;
  readonly gx: bigint;
  readonly gy: bigint;
  readonly bits: number;
}

const CURVES: Readonly<Record<string, Curve>> = {
  'P-256': {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
    bits: 256,
  },
  'P-384': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
    bits: 384,
  },
};

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function inv(a: bigint, m: bigint): bigint {
  let [old, r] = [mod(a, m), m];
  let [s, t] = [1n, 0n];
  while (r !== 0n) {
    const q = old / r;
    [old, r] = [r, old - q * r];
    [s, t] = [t, s - q * t];
  }
  return mod(s, m);
}

type Jac = readonly [bigint, bigint, bigint];

function double(P: Jac, p: bigint): Jac {
  const [x, y, z] = P;
  if (y === 0n || z === 0n) return [0n, 1n, 0n];
  const ysq = mod(y * y, p);
  const s = mod(4n * x * ysq, p);
  const z2 = mod(z * z, p);
  const m = mod(3n * (x - z2) * (x + z2), p); // a = -3
  const nx = mod(m * m - 2n * s, p);
  const ny = mod(m * (s - nx) - 8n * ysq * ysq, p);
  const nz = mod(2n * y * z, p);
  return [nx, ny, nz];
}

function add(P: Jac, Q: Jac, p: bigint): Jac {
  if (P[2] === 0n) return Q;
  if (Q[2] === 0n) return P;
  const z1s = mod(P[2] * P[2], p);
  const z2s = mod(Q[2] * Q[2], p);
  const u1 = mod(P[0] * z2s, p);
  const u2 = mod(Q[0] * z1s, p);
  const s1 = mod(P[1] * z2s * Q[2], p);
  const s2 = mod(Q[1] * z1s * P[2], p);
  if (u1 === u2) return s1 === s2 ? double(P, p) : [0n, 1n, 0n];
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const h2 = mod(h * h, p);
  const h3 = mod(h * h2, p);
  const nx = mod(r * r - h3 - 2n * u1 * h2, p);
  const ny = mod(r * (u1 * h2 - nx) - s1 * h3, p);
  const nz = mod(h * P[2] * Q[2], p);
  return [nx, ny, nz];
}

function mul(k: bigint, P: Jac, p: bigint): Jac {
  let R: Jac = [0n, 1n, 0n];
  for (let i = BigInt(k.toString(2).length - 1); i >= 0n; i--) {
    R = double(R, p);
    if ((k >> i) & 1n) R = add(R, P, p);
  }
  return R;
}

function b64uToBig(s: string): bigint {
  return BigInt(`0x${Buffer.from(s, 'base64url').toString('hex') || '0'}`);
}

/** Reads a DER ECDSA-Sig-Value (SEQUENCE of two INTEGERs). */
function parseDerSignature(sig: Uint8Array): [bigint, bigint] | undefined {
  let i = 0;
  const readLen = (): number | undefined => {
    const first = sig[i++];
    if (first === undefined) return undefined;
    if (first < 0x80) return first;
    const n = first & 0x7f;
    if (n === 0 || n > 2) return undefined;
    let len = 0;
    for (let k = 0; k < n; k++) len = (len << 8) | (sig[i++] ?? 0);
    return len;
  };
  if (sig[i++] !== 0x30) return undefined;
  const total = readLen();
  if (total === undefined || i + total !== sig.length) return undefined;
  const ints: bigint[] = [];
  for (let k = 0; k < 2; k++) {
    if (sig[i++] !== 0x02) return undefined;
    const len = readLen();
    if (len === undefined || len === 0 || i + len > sig.length) return undefined;
    ints.push(BigInt(`0x${Buffer.from(sig.subarray(i, i + len)).toString('hex')}`));
    i += len;
  }
  if (i !== sig.length) return undefined;
  return [ints[0]!, ints[1]!];
}

/** Verifies a DER ECDSA signature over `digest` with a P-256 or P-384 public key. */
export function verifyEcdsaPrehashed(
  key: KeyObject,
  digest: Uint8Array,
  signature: Uint8Array,
): boolean {
  const jwk = key.export({ format: 'jwk' });
  const curve = jwk.kty === 'EC' && jwk.crv ? CURVES[jwk.crv] : undefined;
  if (!curve || !jwk.x || !jwk.y) {
    throw new VouchError(
      'VERIFY_UNSUPPORTED',
      `digest-only verification supports ECDSA P-256 and P-384 keys, not ${jwk.kty}${jwk.crv ? ` ${jwk.crv}` : ''}`,
    );
  }
  const rs = parseDerSignature(signature);
  if (!rs) return false;
  const [r, s] = rs;
  const { n, p } = curve;
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
  let e = BigInt(`0x${Buffer.from(digest).toString('hex') || '0'}`);
  const dbits = digest.length * 8;
  if (dbits > curve.bits) e >>= BigInt(dbits - curve.bits);
  const w = inv(s, n);
  const u1 = mod(e * w, n);
  const u2 = mod(r * w, n);
  const Q: Jac = [b64uToBig(jwk.x), b64uToBig(jwk.y), 1n];
  const G: Jac = [curve.gx, curve.gy, 1n];
  const R = add(mul(u1, G, p), mul(u2, Q, p), p);
  if (R[2] === 0n) return false;
  const zinv = inv(R[2], p);
  const x = mod(R[0] * zinv * zinv, p);
  return mod(x, n) === r;
}
