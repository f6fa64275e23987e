/**
 * The careful verification path: one bundle against one artifact, on @sigstore/verify, with the
 * checks it lacks added around it (trusted-root windows with a start, no root in the chain, one
 * DSSE signature, digest-only message signatures, the artifact hashed by vouch, errors as codes).
 * Loaded lazily (dynamic import) by the CLI and the actions.
 */
import { createHash, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import { bundleFromJSON } from '@sigstore/bundle';
import { RFC3161Timestamp, X509Certificate } from '@sigstore/core';
import { HashAlgorithm, TrustedRoot } from '@sigstore/protobuf-specs';
import {
  toSignedEntity,
  toTrustMaterial,
  Verifier,
  type SignedEntity,
  type TrustMaterial,
} from '@sigstore/verify';
import { VouchError, type ErrorCode } from '../../errors.ts';
import { decodeFulcioClaims, type CertificateClaims } from '../../core/verify/claims.ts';
import { verifyEcdsaPrehashed } from '../../core/verify/ecdsa-prehash.ts';
import {
  checkKeyWindow as checkWindow,
  keyHint,
  type TrustedKey,
} from '../../core/verify/trusted-keys.ts';
import type { ArtifactDigests } from '../../core/verify/attestation.ts';

/** What was verified, for reports and for the policy checks that follow. */
export interface BundleEvidence {
  readonly mediaType: string;
  readonly content: 'messageSignature' | 'dsseEnvelope';
  readonly signer:
    | {
        readonly type: 'certificate';
        readonly identity: string | undefined;
        readonly claims: CertificateClaims;
        readonly notBefore: string;
        readonly notAfter: string;
      }
    | { readonly type: 'key'; readonly hint: string };
  readonly tlog: ReadonlyArray<{
    readonly logIndex: string;
    readonly logId: string;
    readonly kind: string;
    readonly integratedTime?: string;
  }>;
  /** Verified times: log integration (with a verified promise) and TSA times. */
  readonly timestamps: ReadonlyArray<{ readonly source: 'tlog' | 'tsa'; readonly time: string }>;
  /** The envelope, for attestation checks (DSSE bundles only). */
  readonly envelope?: {
    readonly payloadType: string;
    readonly payload: Buffer;
    readonly signatures: readonly unknown[];
  };
}

/** The artifact: vouch's own digests, and the bytes when it is a file small enough to hold. */
export interface ArtifactInput {
  readonly digests: ArtifactDigests & { readonly sha384?: string };
  readonly bytes?: Buffer;
}

export type KeyPolicy =
  | { readonly type: 'key'; readonly keys: readonly TrustedKey[]; readonly windows: boolean }
  | { readonly type: 'certificate' };

const SIGSTORE_CODES: Readonly<Record<string, ErrorCode>> = {
  CERTIFICATE_ERROR: 'VERIFY_CERTIFICATE_INVALID',
  PUBLIC_KEY_ERROR: 'VERIFY_KEY_NOT_TRUSTED',
  SIGNATURE_ERROR: 'VERIFY_SIGNATURE_INVALID',
  TLOG_BODY_ERROR: 'VERIFY_TLOG_INVALID',
  TLOG_ERROR: 'VERIFY_TLOG_INVALID',
  TLOG_INCLUSION_PROMISE_ERROR: 'VERIFY_TLOG_INVALID',
  TLOG_INCLUSION_PROOF_ERROR: 'VERIFY_INCLUSION_PROOF_INVALID',
  TLOG_MISSING_INCLUSION_ERROR: 'VERIFY_INCLUSION_PROOF_INVALID',
  TIMESTAMP_ERROR: 'VERIFY_TIMESTAMP_INVALID',
  NOT_IMPLEMENTED_ERROR: 'VERIFY_UNSUPPORTED',
  UNTRUSTED_SIGNER_ERROR: 'VERIFY_IDENTITY_MISMATCH',
};

/** Turns anything the Sigstore libraries throw into a coded VouchError. */
export function wrapSigstoreError(error: unknown, what: string): VouchError {
  if (error instanceof VouchError) return error;
  const e = error as { name?: string; code?: string; message?: string };
  const message = e?.message ?? String(error);
  if (e?.name === 'ValidationError') {
    return new VouchError('VERIFY_BUNDLE_INVALID', `${what}: ${message}`, { cause: error });
  }
  const mapped = e?.code ? SIGSTORE_CODES[e.code] : undefined;
  if (mapped) {
    return new VouchError(mapped, `${what}: ${message}${e.code === 'TIMESTAMP_ERROR' ? '' : ''}`, {
      cause: error,
    });
  }
  // Anything else (a TypeError inside a library on a crafted bundle) is still a refusal of this
  // bundle, never a crash.
  return new VouchError(
    'VERIFY_BUNDLE_INVALID',
    `${what}: the bundle could not be processed (${message})`,
    {
      cause: error,
    },
  );
}

const WINDOW_GROUPS = [
  'tlogs',
  'ctlogs',
  'certificateAuthorities',
  'timestampAuthorities',
] as const;

/** Parses a trusted_root.json document, refusing windows without a start (THREATS 16). */
export function parseTrustedRoot(doc: unknown, source: string): TrustedRoot {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new VouchError('VERIFY_TRUST_ROOT_INVALID', `${source} is not a trusted root object`);
  }
  const root = doc as Record<string, unknown>;
  const mediaType = root['mediaType'];
  if (
    typeof mediaType !== 'string' ||
    !mediaType.startsWith('application/vnd.dev.sigstore.trustedroot')
  ) {
    throw new VouchError(
      'VERIFY_TRUST_ROOT_INVALID',
      `${source}: unknown trusted root media type ${JSON.stringify(mediaType)}`,
    );
  }
  for (const group of WINDOW_GROUPS) {
    const list = root[group] ?? [];
    if (!Array.isArray(list)) {
      throw new VouchError('VERIFY_TRUST_ROOT_INVALID', `${source}: ${group} is not a list`);
    }
    list.forEach((item: unknown, i: number) => {
      const entry = item as Record<string, unknown> | null;
      const validFor =
        group === 'tlogs' || group === 'ctlogs'
          ? (entry?.['publicKey'] as Record<string, unknown> | undefined)?.['validFor']
          : entry?.['validFor'];
      const start = (validFor as Record<string, unknown> | undefined)?.['start'];
      if (typeof start !== 'string' || Number.isNaN(Date.parse(start))) {
        throw new VouchError(
          'VERIFY_TRUST_ROOT_INVALID',
          `${source}: ${group}[${i}] has a validity window without a start`,
        );
      }
    });
  }
  try {
    return TrustedRoot.fromJSON(doc);
  } catch (error) {
    throw new VouchError('VERIFY_TRUST_ROOT_INVALID', `${source}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** An ASN.1 node of @sigstore/core (the fields its encoder reads). */
interface Asn1Node {
  readonly tag: { toDER(): number };
  readonly value: Uint8Array;
  readonly subs: Asn1Node[];
  toDER(): Buffer;
}

/** DER length octets, byte for byte those of @sigstore/core's encodeLength. */
function derLength(len: number): Buffer {
  if (len < 128) return Buffer.from([len]);
  const bytes: number[] = [];
  for (let v = len; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/**
 * The same bytes as ASN1Obj.prototype.toDER (tag, length, then the subs' encodings or the value),
 * written once into one buffer. @sigstore/core's encoder grows a fresh 1 KiB zero-filled stream
 * for every node at every level, which is most of the time sigstore-js spends on a keyless bundle.
 * Each call returns a new buffer, as the original does (callers write into it).
 */
function fastToDER(this: Asn1Node): Buffer {
  let value: Uint8Array;
  if (this.subs.length > 0) {
    const parts = this.subs.map((sub) => sub.toDER());
    value = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  } else {
    value = this.value;
  }
  const len = derLength(value.length);
  const out = Buffer.allocUnsafe(1 + len.length + value.length);
  out[0] = this.tag.toDER() & 0xff;
  out.set(len, 1);
  out.set(value, 1 + len.length);
  return out;
}

/** Gives every node of a parsed tree the faster encoder (own property; the prototype is untouched). */
export function accelerateTree(root: unknown): void {
  const stack = [root as Asn1Node];
  while (stack.length > 0) {
    const node = stack.pop()!;
    (node as { toDER: () => Buffer }).toDER = fastToDER;
    for (const sub of node.subs) stack.push(sub);
  }
}

/** A certificate whose encodings (and clones', for SCT checks) use the faster encoder. */
function accelerateCertificate(cert: X509Certificate): X509Certificate {
  accelerateTree(cert.root);
  (cert as { clone: () => X509Certificate }).clone = function (this: X509Certificate) {
    return accelerateCertificate(X509Certificate.parse(Buffer.from(this.root.toDER())));
  };
  return cert;
}

/**
 * The fast path: the same Verifier, the same checks in the same order, on the same objects; only
 * the ASN.1 re-encoding of vouch's own parsed certificates and timestamps is done by fastToDER,
 * which yields identical bytes. Nothing is cached between bundles, so no verdict can carry over
 * from one bundle to another (a test runs every conformance case through both paths).
 */
function accelerateEntity(entity: SignedEntity): void {
  if (entity.key.$case === 'certificate') accelerateCertificate(entity.key.certificate);
  for (const t of entity.timestamps) {
    if (t.$case === 'timestamp-authority') accelerateTree((t.timestamp as RFC3161Timestamp).root);
  }
}

function accelerateMaterial(material: TrustMaterial): TrustMaterial {
  for (const ca of material.certificateAuthorities) ca.certChain.forEach(accelerateCertificate);
  for (const ca of material.timestampAuthorities) ca.certChain.forEach(accelerateCertificate);
  return material;
}

/** Trust material built once per run (and per key policy). */
export interface LoadedTrust {
  readonly root: TrustedRoot;
  readonly source: string;
  /** `fast`: a copy of the material whose certificates use the faster (identical) encoder. */
  material(keys?: readonly TrustedKey[], fast?: boolean): TrustMaterial;
}

export function loadTrust(doc: unknown, source: string): LoadedTrust {
  const root = parseTrustedRoot(doc, source);
  let base: TrustMaterial | undefined;
  let fastBase: TrustMaterial | undefined;
  const cache = new WeakMap<readonly TrustedKey[], TrustMaterial>();
  const build = (): TrustMaterial => {
    try {
      return toTrustMaterial(root, () => {
        throw new VouchError(
          'VERIFY_POLICY_MISSING',
          'a key-signed bundle needs --key or --trusted-keys',
        );
      });
    } catch (error) {
      throw new VouchError('VERIFY_TRUST_ROOT_INVALID', `${source}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };
  return {
    root,
    source,
    material(keys, fast) {
      if (!keys && fast) return (fastBase ??= accelerateMaterial(build()));
      base ??= build();
      if (!keys) return base;
      let m = cache.get(keys);
      if (!m) {
        m = {
          ...base,
          publicKey: (hint: string) => {
            const key =
              keys.find((k) => k.hint === hint) ?? (keys.length === 1 ? keys[0] : undefined);
            if (!key) {
              throw new VouchError(
                'VERIFY_KEY_NOT_TRUSTED',
                `no trusted key has the bundle's key hint "${hint}"`,
              );
            }
            return { publicKey: key.publicKey, validFor: () => true };
          },
        };
        cache.set(keys, m);
      }
      return m;
    },
  };
}

const MEDIA_TYPES = new Set([
  'application/vnd.dev.sigstore.bundle+json;version=0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
  'application/vnd.dev.sigstore.bundle.v0.3+json',
]);

/** Parses a bundle object (Sigstore v0.1–v0.3). */
export function parseBundle(doc: unknown, source: string): Bundle {
  const mediaType = (doc as { mediaType?: unknown } | null)?.mediaType;
  if (typeof mediaType !== 'string' || !MEDIA_TYPES.has(mediaType)) {
    throw new VouchError(
      'VERIFY_BUNDLE_INVALID',
      `${source}: unknown bundle media type ${JSON.stringify(mediaType)}`,
    );
  }
  const sigs = (doc as { dsseEnvelope?: { signatures?: unknown } }).dsseEnvelope?.signatures;
  if (Array.isArray(sigs) && sigs.length !== 1) {
    throw new VouchError(
      'VERIFY_DSSE_INVALID',
      `${source}: the DSSE envelope has ${sigs.length} signatures; exactly one is accepted`,
    );
  }
  try {
    return bundleFromJSON(doc);
  } catch (error) {
    throw wrapSigstoreError(error, source);
  }
}

function hashAlgorithmName(alg: HashAlgorithm): 'sha256' | 'sha384' | 'sha512' | undefined {
  switch (alg) {
    case HashAlgorithm.SHA2_256:
    case HashAlgorithm.HASH_ALGORITHM_UNSPECIFIED:
      return 'sha256';
    case HashAlgorithm.SHA2_384:
      return 'sha384';
    case HashAlgorithm.SHA2_512:
      return 'sha512';
    default:
      return undefined;
  }
}

/** Checks done before any cryptography: structure sigstore-js does not refuse (or crashes on). */
function precheck(bundle: Bundle, source: string): void {
  const vm = bundle.verificationMaterial;
  if (vm.content.$case === 'x509CertificateChain') {
    const certs = vm.content.x509CertificateChain.certificates;
    if (certs.length === 0) {
      throw new VouchError('VERIFY_BUNDLE_INVALID', `${source}: the certificate chain is empty`);
    }
    for (const [i, c] of certs.entries()) {
      let cert: X509Certificate;
      try {
        cert = X509Certificate.parse(Buffer.from(c.rawBytes));
      } catch (error) {
        throw new VouchError(
          'VERIFY_BUNDLE_INVALID',
          `${source}: certificate ${i} does not parse`,
          { cause: error },
        );
      }
      if (i > 0 && Buffer.compare(cert.subject, cert.issuer) === 0) {
        throw new VouchError(
          'VERIFY_CERTIFICATE_INVALID',
          `${source}: the certificate chain includes a root certificate; roots come only from the trusted root`,
        );
      }
    }
  }
  for (const [i, entry] of vm.tlogEntries.entries()) {
    if (!entry.logId?.keyId?.length || !entry.kindVersion?.kind || !entry.kindVersion?.version) {
      throw new VouchError(
        'VERIFY_BUNDLE_INVALID',
        `${source}: tlog entry ${i} lacks its log id or kind/version`,
      );
    }
  }
  if (bundle.content.$case === 'dsseEnvelope') {
    const n = bundle.content.dsseEnvelope.signatures.length;
    if (n !== 1) {
      throw new VouchError(
        'VERIFY_DSSE_INVALID',
        `${source}: the DSSE envelope has ${n} signatures; exactly one is accepted`,
      );
    }
  }
}

/** Signature content for message signatures, bound to vouch's own digest of the artifact. */
function messageContent(bundle: Bundle, artifact: ArtifactInput, source: string) {
  if (bundle.content.$case !== 'messageSignature') throw new Error('unreachable');
  const ms = bundle.content.messageSignature;
  const alg = ms.messageDigest ? hashAlgorithmName(ms.messageDigest.algorithm) : 'sha256';
  if (!alg) {
    throw new VouchError('VERIFY_UNSUPPORTED', `${source}: unsupported message digest algorithm`);
  }
  let hex = alg === 'sha384' ? artifact.digests.sha384 : artifact.digests[alg];
  if (hex === undefined && artifact.bytes)
    hex = createHash(alg).update(artifact.bytes).digest('hex');
  if (hex === undefined) {
    throw new VouchError(
      'VERIFY_ARTIFACT_MISMATCH',
      `${source}: the bundle signs a ${alg} digest and only another digest of the artifact was given`,
    );
  }
  const digest = Buffer.from(hex, 'hex');
  if (
    ms.messageDigest &&
    ms.messageDigest.digest.length > 0 &&
    !digest.equals(Buffer.from(ms.messageDigest.digest))
  ) {
    throw new VouchError(
      'VERIFY_ARTIFACT_MISMATCH',
      `${source}: the artifact's ${alg} digest is not the one the bundle signed`,
    );
  }
  const signature = Buffer.from(ms.signature);
  return {
    signature,
    compareSignature: (s: Buffer) => signature.equals(s),
    compareDigest: (d: Buffer) => digest.equals(d),
    compareSignedDigest: (d: Buffer) => digest.equals(d),
    verifySignature(key: KeyObject): boolean {
      if (key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448') {
        // A message signature is verified over its digest algorithm (SHA-256 here), and EdDSA
        // takes no digest: @sigstore/verify rejects every such bundle and Rekor's hashedrekord
        // refuses Ed25519, so accepting one here would vouch for what no other client accepts.
        throw new VouchError(
          'VERIFY_UNSUPPORTED',
          `${source}: a message signature made with an ${key.asymmetricKeyType === 'ed25519' ? 'Ed25519' : 'Ed448'} key cannot be verified by Sigstore clients; vouch refuses it too`,
        );
      }
      if (artifact.bytes) {
        try {
          return cryptoVerify(alg, artifact.bytes, key, signature);
        } catch {
          return false;
        }
      }
      if (key.asymmetricKeyType !== 'ec') {
        throw new VouchError(
          'VERIFY_UNSUPPORTED',
          `${source}: digest-only verification needs an ECDSA key; give the artifact file instead`,
        );
      }
      return verifyEcdsaPrehashed(key, digest, signature);
    },
  };
}

/** Verified times of an entity that passed verification. */
function verifiedTimes(entity: SignedEntity): Array<{ source: 'tlog' | 'tsa'; time: string }> {
  const out: Array<{ source: 'tlog' | 'tsa'; time: string }> = [];
  for (const t of entity.timestamps) {
    if (t.$case === 'transparency-log') {
      if (
        t.tlogEntry.inclusionPromise &&
        t.tlogEntry.integratedTime &&
        t.tlogEntry.integratedTime !== '0'
      ) {
        out.push({
          source: 'tlog',
          time: new Date(Number(t.tlogEntry.integratedTime) * 1000).toISOString(),
        });
      }
    } else {
      out.push({
        source: 'tsa',
        time: (t.timestamp as RFC3161Timestamp).signingTime.toISOString(),
      });
    }
  }
  return out;
}

export interface VerifyBundleOptions {
  readonly trust: LoadedTrust;
  readonly keyPolicy: KeyPolicy;
  /** Time used for key windows when a key bundle has no verified time. */
  readonly now: Date;
  /** Require transparency-log evidence (keyless: always). */
  readonly requireTlog?: boolean;
  /** Called when a key bundle has no verified time and `now` is used instead. */
  readonly onNoWitness?: (source: string) => void;
  /** Faster (byte-identical) ASN.1 encoding for certificates and timestamps; same checks. */
  readonly fast?: boolean;
}

/** Cryptographic verification of one bundle against one artifact. */
export function verifyBundle(
  bundle: Bundle,
  artifact: ArtifactInput,
  source: string,
  options: VerifyBundleOptions,
): BundleEvidence {
  precheck(bundle, source);
  const vm = bundle.verificationMaterial;
  const keyed = vm.content.$case === 'publicKey';
  if (keyed && options.keyPolicy.type !== 'key') {
    throw new VouchError(
      'VERIFY_POLICY_MISSING',
      `${source} is signed with a key; verify it with --key or --trusted-keys, not an identity policy`,
    );
  }
  if (!keyed && options.keyPolicy.type !== 'certificate') {
    throw new VouchError(
      'VERIFY_POLICY_MISSING',
      `${source} is signed with a certificate (keyless); verify it with an identity policy, not a key`,
    );
  }
  // A trusted root without transparency logs (GitHub's own instance) cannot check a log entry:
  // its keyless bundles stand on an RFC 3161 timestamp from one of its timestamp authorities.
  const logless = !keyed && options.trust.root.tlogs.length === 0 && !options.requireTlog;
  if ((options.requireTlog || !keyed) && !logless && vm.tlogEntries.length === 0) {
    throw new VouchError('VERIFY_TLOG_MISSING', `${source} has no transparency-log entry`);
  }
  let entity: SignedEntity;
  try {
    entity = toSignedEntity(bundle, artifact.bytes);
    if (options.fast) accelerateEntity(entity);
  } catch (error) {
    throw wrapSigstoreError(error, source);
  }
  if (bundle.content.$case === 'messageSignature') {
    entity = { ...entity, signature: messageContent(bundle, artifact, source) };
  }
  const keys = options.keyPolicy.type === 'key' ? options.keyPolicy.keys : undefined;
  let key: TrustedKey | undefined;
  let entries: TrustedKey[] = [];
  if (keys && vm.content.$case === 'publicKey') {
    const hint = vm.content.publicKey.hint;
    const has = (k: TrustedKey) => k.hint === hint || (k.hints ?? []).includes(hint);
    entries = hint ? keys.filter(has) : [];
    if (entries.length === 0 && keys.length === 1) entries = [...keys];
    if (entries.length === 0 && keys.length > 1) {
      // No hint match: the bundle may carry no hint; find the key by its signature.
      const signedBy = keys.find((k) => entity.signature.verifySignature(k.publicKey));
      if (signedBy) entries = keys.filter((k) => k.publicKeyPem === signedBy.publicKeyPem);
    }
    key = entries[0];
    if (!key) {
      throw new VouchError(
        'VERIFY_KEY_NOT_TRUSTED',
        `${source}: no trusted key has the bundle's key hint "${hint}"`,
      );
    }
  }
  const material = options.trust.material(key ? [key] : undefined, options.fast);
  const hasWitness = entity.timestamps.length > 0;
  const verifier = new Verifier(material, {
    tlogThreshold:
      (keyed && !options.requireTlog) || logless ? Math.min(1, vm.tlogEntries.length) : 1,
    // Certificate transparency is checked against the root's CT logs; GitHub's root has none.
    ctlogThreshold: keyed || options.trust.root.ctlogs.length === 0 ? 0 : 1,
    timestampThreshold: keyed && !hasWitness ? 0 : 1,
  });
  let signer;
  try {
    signer = verifier.verify(entity);
  } catch (error) {
    throw wrapSigstoreError(error, source);
  }
  const timestamps = verifiedTimes(entity);
  if (key && options.keyPolicy.type === 'key' && options.keyPolicy.windows) {
    const times = timestamps.map((t) => new Date(t.time));
    if (times.length === 0) options.onNoWitness?.(source);
    const at = times.length > 0 ? times : [options.now];
    // One key may be listed with several windows (rotation back and forth): any may cover it.
    let first: unknown;
    const covered = entries.some((entry) => {
      try {
        checkWindow(entry, at);
        return true;
      } catch (error) {
        first ??= error;
        return false;
      }
    });
    if (!covered) throw first;
  }
  const tlog = vm.tlogEntries.map((e) => ({
    logIndex: e.logIndex,
    logId: Buffer.from(e.logId!.keyId).toString('base64'),
    kind: `${e.kindVersion!.kind}/${e.kindVersion!.version}`,
    ...(e.integratedTime && e.integratedTime !== '0'
      ? { integratedTime: new Date(Number(e.integratedTime) * 1000).toISOString() }
      : {}),
  }));
  const base = {
    mediaType: bundle.mediaType,
    content: bundle.content.$case,
    tlog,
    timestamps,
    ...(bundle.content.$case === 'dsseEnvelope'
      ? {
          envelope: {
            payloadType: bundle.content.dsseEnvelope.payloadType,
            payload: Buffer.from(bundle.content.dsseEnvelope.payload),
            signatures: bundle.content.dsseEnvelope.signatures,
          },
        }
      : {}),
  };
  if (entity.key.$case === 'certificate') {
    const cert = entity.key.certificate;
    return {
      ...base,
      signer: {
        type: 'certificate',
        identity: signer.identity?.subjectAlternativeName ?? cert.subjectAltName,
        claims: decodeFulcioClaims((oid) => cert.extension(oid)?.value),
        notBefore: cert.notBefore.toISOString(),
        notAfter: cert.notAfter.toISOString(),
      },
    };
  }
  return { ...base, signer: { type: 'key', hint: key ? key.hint : keyHint(signer.key) } };
}
