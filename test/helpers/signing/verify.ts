/** Independent verification of bundles: @sigstore/verify with a public key or a trust root, and openssl. */
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Verifies a key-based message or DSSE bundle with @sigstore/verify given the public key PEM. */
export async function verifyWithPublicKey(
  bundleJson: unknown,
  publicKeyPem: string,
  artifact?: Buffer,
): Promise<void> {
  const { bundleFromJSON } = await import('@sigstore/bundle');
  const { toSignedEntity, toTrustMaterial, Verifier } = await import('@sigstore/verify');
  const { TrustedRoot, PublicKeyDetails } = await import('@sigstore/protobuf-specs');
  const bundle = bundleFromJSON(bundleJson);
  const key = createPublicKey(publicKeyPem);
  const details =
    key.asymmetricKeyType === 'rsa'
      ? PublicKeyDetails.PKIX_RSA_PKCS1V15_2048_SHA256
      : key.asymmetricKeyDetails?.namedCurve === 'secp384r1'
        ? PublicKeyDetails.PKIX_ECDSA_P384_SHA_384
        : key.asymmetricKeyType === 'ed25519'
          ? PublicKeyDetails.PKIX_ED25519
          : PublicKeyDetails.PKIX_ECDSA_P256_SHA_256;
  const hint =
    bundle.verificationMaterial.content.$case === 'publicKey'
      ? bundle.verificationMaterial.content.publicKey.hint
      : '';
  const root = TrustedRoot.fromJSON({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  });
  const material = toTrustMaterial(root, {
    [hint]: {
      rawBytes: key.export({ type: 'spki', format: 'der' }),
      keyDetails: details,
      validFor: { start: new Date(0) },
    },
  });
  const verifier = new Verifier(material, {
    tlogThreshold: 0,
    ctlogThreshold: 0,
    timestampThreshold: 0,
  });
  verifier.verify(toSignedEntity(bundle, artifact));
}

/** `openssl dgst -sha256 -verify` (ECDSA, RSA) or `pkeyutl -rawin` (Ed25519) over the file. */
export function verifyWithOpenssl(
  file: string,
  signatureB64: string,
  publicKeyPem: string,
): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-openssl-'));
  const sig = join(dir, 'sig.bin');
  const pub = join(dir, 'key.pub');
  writeFileSync(sig, Buffer.from(signatureB64, 'base64'));
  writeFileSync(pub, publicKeyPem);
  const ed = createPublicKey(publicKeyPem).asymmetricKeyType === 'ed25519';
  const args = ed
    ? ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', file, '-sigfile', sig]
    : ['dgst', '-sha256', '-verify', pub, '-signature', sig, file];
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}
