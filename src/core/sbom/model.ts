/**
 * The one internal SBOM model. Lockfile readers produce it, the CycloneDX and SPDX writers
 * serialise it, and the readers of existing CycloneDX 1.4–1.6 / SPDX 2.2–2.3 files (ours or
 * another tool's) produce it too, so policy and gate take any SBOM.
 */

export type Ecosystem = 'npm' | 'cargo' | 'generic';

/** CycloneDX scope vocabulary; `dev` marks development-only dependencies (excluded from scope checks by default). */
export type ComponentScope = 'required' | 'optional' | 'dev';

export type HashAlgorithm =
  'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512' | 'SHA3-256' | 'SHA3-512' | 'BLAKE2b-256';

export interface ComponentHash {
  readonly alg: HashAlgorithm;
  /** Lower-case hex. */
  readonly content: string;
}

export interface ExternalReference {
  readonly type: 'distribution' | 'vcs' | 'website' | 'other';
  readonly url: string;
}

export interface SbomComponent {
  /** Unique within the SBOM (CycloneDX bom-ref, SPDX SPDXID source). Stable across runs. */
  readonly ref: string;
  readonly type: 'application' | 'library' | 'file' | 'framework' | 'container' | 'other';
  readonly name: string;
  /** npm scope (`@babel`) or other namespace, without the name. */
  readonly group?: string;
  readonly version?: string;
  /** Package URL, canonical form (packageurl-js). Absent for files without one. */
  readonly purl?: string;
  readonly ecosystem: Ecosystem;
  readonly scope: ComponentScope;
  readonly hashes: readonly ComponentHash[];
  /**
   * Declared license as an SPDX expression (`MIT`, `MIT OR Apache-2.0`, `LicenseRef-foo`), or
   * undefined when unknown.
   */
  readonly license?: string;
  readonly externalReferences: readonly ExternalReference[];
  /** Free-form facts worth keeping (e.g. `npm:bundled`, `cargo:source`). Sorted keys when written. */
  readonly properties?: Readonly<Record<string, string>>;
}

export interface SbomTool {
  readonly name: string;
  readonly version?: string;
  readonly vendor?: string;
}

export interface Sbom {
  /** The format this model was read from or will be written as. */
  readonly sourceFormat?: 'cyclonedx' | 'spdx' | 'lockfile';
  readonly specVersion?: string;
  /** The root project (CycloneDX metadata.component, SPDX DESCRIBES target). */
  readonly root?: SbomComponent;
  readonly components: readonly SbomComponent[];
  /** ref → refs it depends on. Every ref named here exists in root or components. */
  readonly dependencies: ReadonlyMap<string, readonly string[]>;
  readonly tools: readonly SbomTool[];
  /** ISO 8601 creation time, if known. */
  readonly timestamp?: string;
  readonly serialNumber?: string;
}
