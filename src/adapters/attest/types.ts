/**
 * Shapes shared by the attestation pipeline and its stores.
 */
import type { Statement } from '../../core/provenance/statement.ts';
import type { OciReference, Subject } from '../../core/subjects/subjects.ts';

/** A Sigstore bundle as JSON (v0.3 written). */
export type BundleJson = Record<string, unknown> & { readonly mediaType: string };

export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** Signs a DSSE payload and returns a Sigstore bundle. One verb: chosen at the edge. */
export interface StatementSigner {
  signDsse(payload: Buffer, payloadType: string): Promise<BundleJson>;
}

/** One signed statement on its way to the stores. */
export interface SignedAttestation {
  readonly statement: Statement;
  readonly bundle: BundleJson;
  /** Serialised bundle, exactly as written to every store. */
  readonly bundleText: string;
  /** Where the bundle was written locally. */
  readonly bundlePath: string;
  /** OCI images among this statement's subjects. */
  readonly images: readonly OciReference[];
}

/** Where one attestation went. */
export interface StoreOutcome {
  /** `file`, `github`, `release`, `oci`. */
  readonly store: string;
  /** Subjects of the attestation, for the summary. */
  readonly subjects: readonly Subject[];
  readonly ok: boolean;
  /** Path, URL or registry reference of the stored copy. */
  readonly location?: string;
  /** GitHub attestation id. */
  readonly id?: string;
  /** Set when ok is false. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** A place attestations are kept. One verb. */
export interface AttestationStore {
  readonly name: string;
  /** Returns the location (and id) of the stored copy; throws a VouchError when refused. */
  store(attestation: SignedAttestation): Promise<{ location: string; id?: string }>;
}
