/**
 * PKCS#11 HSM signing through pkcs11js (a native addon, loaded at run time from node_modules;
 * see docs/sign.md). The key never leaves the token: vouch hashes on the host and asks the token
 * for CKM_ECDSA (P-256/P-384) or CKM_RSA_PKCS over a DigestInfo.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { createRequire } from 'node:module';
import type { Logger } from '../../core/logger.ts';
import { rawEcdsaToDer } from '../../core/signing/ecdsa-der.ts';
import { computeKeyHint, toSpkiPem } from '../../core/signing/key-signer.ts';
import type { Pkcs11Uri } from '../../core/signing/pkcs11-uri.ts';
import type { Signature, Signer } from '../../core/signing/signer.ts';
import { VouchError } from '../../errors.ts';

export interface Pkcs11SignerOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** PIN given directly (a secret input); otherwise VOUCH_PKCS11_PIN, then the URI's pin-source. */
  readonly pin?: string;
}

export interface Pkcs11Signer extends Signer {
  readonly publicKeyPem: string;
  readonly hint: string;
  readonly keyType: 'ec' | 'rsa';
  close(): Promise<void>;
}

type Pkcs11Module = typeof import('pkcs11js');

const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');
const CURVES: Record<string, { crv: string; size: number }> = {
  '06082a8648ce3d030107': { crv: 'P-256', size: 32 },
  '06052b81040022': { crv: 'P-384', size: 48 },
};

function loadBinding(): Pkcs11Module {
  try {
    const require = createRequire(import.meta.url);
    return require('pkcs11js') as Pkcs11Module;
  } catch (error) {
    throw new VouchError('SIGN_PKCS11_FAILED', 'the pkcs11js native module is not installed', {
      cause: error,
      hint: 'Install pkcs11js next to vouch (npm install pkcs11js); docs/sign.md explains how the action loads it.',
    });
  }
}

function pkcs11Error(what: string, error: unknown): VouchError {
  const message = (error as Error).message ?? String(error);
  return new VouchError('SIGN_PKCS11_FAILED', `${what}: ${message}`, { cause: error });
}

async function resolvePin(uri: Pkcs11Uri, options: Pkcs11SignerOptions): Promise<string> {
  let pin = options.pin || options.env['VOUCH_PKCS11_PIN'] || '';
  if (!pin && uri.pinSource) {
    try {
      pin = (await fsp.readFile(uri.pinSource, 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      throw new VouchError('SIGN_PKCS11_PIN_MISSING', `cannot read pin-source ${uri.pinSource}`, {
        cause: error,
      });
    }
  }
  if (!pin) throw new VouchError('SIGN_PKCS11_PIN_MISSING', 'no PIN for the PKCS#11 token');
  options.logger.secret(pin);
  return pin;
}

/** Opens a session on the token the URI names, logs in, and finds the key pair. */
export async function openPkcs11Signer(
  uri: Pkcs11Uri,
  options: Pkcs11SignerOptions,
): Promise<Pkcs11Signer> {
  const pin = await resolvePin(uri, options);
  try {
    await fsp.access(uri.modulePath);
  } catch (error) {
    throw new VouchError('SIGN_PKCS11_FAILED', `PKCS#11 module ${uri.modulePath} does not exist`, {
      cause: error,
    });
  }
  const p11 = loadBinding();
  const lib = new p11.PKCS11();
  let session: Buffer | undefined;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    try {
      if (session) {
        try {
          lib.C_Logout(session);
        } catch {
          /* not logged in */
        }
        lib.C_CloseSession(session);
      }
      lib.C_Finalize();
    } catch {
      /* closing is best effort */
    }
    try {
      lib.close();
    } catch {
      /* already closed */
    }
  };
  try {
    try {
      lib.load(uri.modulePath);
      lib.C_Initialize();
    } catch (error) {
      throw pkcs11Error(`cannot load PKCS#11 module ${uri.modulePath}`, error);
    }
    const slots = lib.C_GetSlotList(true);
    const slot = slots.find((s, index) => {
      const info = lib.C_GetTokenInfo(s);
      if (uri.token !== undefined && info.label.trim() !== uri.token) return false;
      if (uri.serial !== undefined && info.serialNumber.trim() !== uri.serial) return false;
      if (
        uri.slotId !== undefined &&
        s.readUIntLE(0, Math.min(s.length, 6)) !== uri.slotId &&
        index !== uri.slotId
      ) {
        return false;
      }
      return true;
    });
    if (!slot)
      throw new VouchError(
        'SIGN_PKCS11_FAILED',
        `no token matches ${uri.token !== undefined ? `token=${uri.token}` : uri.serial !== undefined ? `serial=${uri.serial}` : `slot-id=${uri.slotId}`}`,
      );
    session = lib.C_OpenSession(slot, p11.CKF_SERIAL_SESSION | p11.CKF_RW_SESSION);
    try {
      lib.C_Login(session, p11.CKU_USER, pin);
    } catch (error) {
      const msg = (error as Error).message ?? '';
      if (!/CKR_USER_ALREADY_LOGGED_IN/.test(msg))
        throw pkcs11Error('login to the token failed', error);
    }
    const find = (cls: number): Buffer[] => {
      const template: Array<{ type: number; value: number | Buffer | string }> = [
        { type: p11.CKA_CLASS, value: cls },
      ];
      if (uri.object !== undefined) template.push({ type: p11.CKA_LABEL, value: uri.object });
      if (uri.id !== undefined) template.push({ type: p11.CKA_ID, value: uri.id });
      lib.C_FindObjectsInit(session!, template);
      const found = lib.C_FindObjects(session!, 2);
      lib.C_FindObjectsFinal(session!);
      return found;
    };
    const privates = find(p11.CKO_PRIVATE_KEY);
    if (privates.length === 0)
      throw new VouchError('SIGN_PKCS11_FAILED', 'no private key on the token matches the URI');
    if (privates.length > 1)
      throw new VouchError(
        'SIGN_PKCS11_FAILED',
        'more than one private key matches the URI; add id= or object=',
      );
    const privateKey = privates[0]!;
    const publics = find(p11.CKO_PUBLIC_KEY);
    const [keyTypeAttr] = lib.C_GetAttributeValue(session, privateKey, [
      { type: p11.CKA_KEY_TYPE },
    ]);
    const keyTypeBuf = keyTypeAttr!.value as Buffer;
    const keyTypeNum =
      keyTypeBuf.length >= 8 ? Number(keyTypeBuf.readBigUInt64LE(0)) : keyTypeBuf.readUInt32LE(0);
    let publicKeyPem: string;
    let keyType: 'ec' | 'rsa';
    let curveSize = 0;
    if (keyTypeNum === p11.CKK_EC) {
      keyType = 'ec';
      if (publics.length !== 1)
        throw new VouchError(
          'SIGN_PKCS11_FAILED',
          'the token has no single public key matching the URI',
        );
      const [params, point] = lib.C_GetAttributeValue(session, publics[0]!, [
        { type: p11.CKA_EC_PARAMS },
        { type: p11.CKA_EC_POINT },
      ]);
      const curve = CURVES[(params!.value as Buffer).toString('hex')];
      if (!curve)
        throw new VouchError(
          'SIGN_KEY_INVALID',
          'the token key is on a curve vouch does not sign with (P-256, P-384)',
        );
      curveSize = curve.size;
      let pt = point!.value as Buffer;
      if (pt[0] === 0x04 && pt.length !== 1 + 2 * curve.size)
        pt = pt.subarray(pt[1]! & 0x80 ? 2 + (pt[1]! & 0x7f) : 2);
      publicKeyPem = toSpkiPem(
        createPublicKey({
          key: {
            kty: 'EC',
            crv: curve.crv,
            x: pt.subarray(1, 1 + curve.size).toString('base64url'),
            y: pt.subarray(1 + curve.size).toString('base64url'),
          },
          format: 'jwk',
        }),
      );
    } else if (keyTypeNum === p11.CKK_RSA) {
      keyType = 'rsa';
      const [n, e] = lib.C_GetAttributeValue(session, privateKey, [
        { type: p11.CKA_MODULUS },
        { type: p11.CKA_PUBLIC_EXPONENT },
      ]);
      publicKeyPem = toSpkiPem(
        createPublicKey({
          key: {
            kty: 'RSA',
            n: (n!.value as Buffer).toString('base64url'),
            e: (e!.value as Buffer).toString('base64url'),
          },
          format: 'jwk',
        }),
      );
    } else {
      throw new VouchError('SIGN_KEY_INVALID', 'the token key is neither EC nor RSA');
    }
    const hint = computeKeyHint(publicKeyPem);
    const material = { $case: 'publicKey', publicKey: publicKeyPem, hint } as const;
    let queue: Promise<unknown> = Promise.resolve();
    const signDigest = async (digest: Buffer): Promise<Signature> => {
      // One session signs one thing at a time.
      const run = queue.then(() => {
        if (closed) throw new VouchError('INTERNAL', 'the PKCS#11 session is closed');
        try {
          if (keyType === 'ec') {
            lib.C_SignInit(session!, { mechanism: p11.CKM_ECDSA }, privateKey);
            const raw = lib.C_Sign(session!, digest, Buffer.alloc(2 * curveSize));
            return rawEcdsaToDer(raw);
          }
          lib.C_SignInit(session!, { mechanism: p11.CKM_RSA_PKCS }, privateKey);
          return lib.C_Sign(
            session!,
            Buffer.concat([SHA256_DIGEST_INFO, digest]),
            Buffer.alloc(1024),
          );
        } catch (error) {
          throw pkcs11Error('the token refused to sign', error);
        }
      });
      queue = run.catch(() => {});
      return { signature: Buffer.from(await run), key: material };
    };
    return {
      publicKeyPem,
      hint,
      keyType,
      close,
      signDigest,
      sign: (data: Buffer) => signDigest(createHash('sha256').update(data).digest()),
    };
  } catch (error) {
    await close();
    if (error instanceof VouchError) throw error;
    throw pkcs11Error('PKCS#11 failure', error);
  }
}
