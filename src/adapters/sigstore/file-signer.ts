/** PEM private keys on disk (ECDSA P-256/P-384, Ed25519, RSA), optionally passphrase-encrypted. */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { createKeySigner, toSpkiPem, type LocalKeySigner } from '../../core/signing/key-signer.ts';
import { VouchError } from '../../errors.ts';

const MAX_KEY_BYTES = 64 * 1024;

/** True when the PEM text is an encrypted private key (PKCS#8 or legacy OpenSSL headers). */
export function isEncryptedPem(pem: string): boolean {
  return /-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem) || /Proc-Type:\s*4,ENCRYPTED/.test(pem);
}

async function readKeyText(path: string): Promise<string> {
  let stat;
  try {
    stat = await fsp.stat(path);
  } catch (error) {
    throw new VouchError(
      'FILE_UNREADABLE',
      `cannot read key file ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (stat.size > MAX_KEY_BYTES)
    throw new VouchError('FILE_TOO_LARGE', `${path} is too large to be a key`);
  return fsp.readFile(path, 'utf8');
}

/** Parses PEM private key text; `passphrase` is needed when it is encrypted. */
export function parsePrivateKeyPem(pem: string, source: string, passphrase?: string): KeyObject {
  if (/-----BEGIN (RSA )?PUBLIC KEY-----/.test(pem) && !/PRIVATE KEY-----/.test(pem)) {
    throw new VouchError(
      'SIGN_KEY_INVALID',
      `${source} holds a public key; signing needs the private key`,
    );
  }
  const encrypted = isEncryptedPem(pem);
  if (encrypted && !passphrase) {
    throw new VouchError(
      'SIGN_PASSPHRASE_MISSING',
      `${source} is encrypted and no passphrase was given`,
    );
  }
  try {
    return createPrivateKey(
      encrypted
        ? { key: pem, format: 'pem', passphrase: passphrase ?? '' }
        : { key: pem, format: 'pem' },
    );
  } catch (error) {
    if (encrypted) {
      throw new VouchError('SIGN_PASSPHRASE_WRONG', `the passphrase does not decrypt ${source}`, {
        cause: error,
      });
    }
    throw new VouchError('SIGN_KEY_INVALID', `${source} is not a PEM private key`, {
      cause: error,
    });
  }
}

/** Loads a signer from a PEM private key file. */
export async function loadFileSigner(path: string, passphrase?: string): Promise<LocalKeySigner> {
  const pem = await readKeyText(path);
  return createKeySigner(parsePrivateKeyPem(pem, path, passphrase));
}

/**
 * The public key (SPKI PEM) of a key file: a public key file as is, or derived from a private
 * key (which may need its passphrase).
 */
export async function readPublicKeyFromFile(path: string, passphrase?: string): Promise<string> {
  const pem = await readKeyText(path);
  if (/-----BEGIN (RSA )?PUBLIC KEY-----/.test(pem) && !/PRIVATE KEY-----/.test(pem)) {
    try {
      return toSpkiPem(createPublicKey(pem));
    } catch (error) {
      throw new VouchError('SIGN_KEY_INVALID', `${path} is not a PEM public key`, { cause: error });
    }
  }
  return toSpkiPem(createPublicKey(parsePrivateKeyPem(pem, path, passphrase)));
}
