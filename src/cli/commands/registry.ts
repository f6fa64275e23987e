import type { CommandSpec } from '../command.ts';

export interface CommandEntry {
  readonly summary: string;
  /** Loaded only when the command runs or its help is asked for: heavy stacks stay unloaded. */
  readonly load: () => Promise<{ default: CommandSpec }>;
}

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  sbom: {
    summary: 'Generate a CycloneDX or SPDX SBOM from lockfiles (npm, pnpm, yarn, Cargo)',
    load: () => import('./sbom.ts'),
  },
  sign: {
    summary: 'Sign release files into Sigstore bundles (keyless, KMS, PKCS#11 or a key file)',
    load: () => import('./sign.ts'),
  },
  attest: {
    summary: 'Attest subjects with an SBOM or custom predicate (in-toto, DSSE, Sigstore bundle)',
    load: () => import('./attest.ts'),
  },
  provenance: {
    summary: 'Make signed SLSA v1 provenance for subjects',
    load: () => import('./provenance.ts'),
  },
  verify: {
    summary: 'Verify bundles and attestations against trust material and an identity policy',
    load: () => import('./verify.ts'),
  },
  policy: {
    summary:
      'Check an SBOM against license, vulnerability and ban rules, minus approved exceptions',
    load: () => import('./policy.ts'),
  },
  exceptions: {
    summary: 'Validate, add and list policy exceptions',
    load: () => import('./exceptions.ts'),
  },
  gate: {
    summary: 'Decide whether a release may ship, and write the evidence bundle',
    load: () => import('./gate.ts'),
  },
  keys: {
    summary: 'Generate keys, print public keys, and emit trusted-keys entries',
    load: () => import('./keys.ts'),
  },
  'verify-bundle': {
    summary: 'Sigstore conformance protocol: verify one bundle (exit 0 only when verified)',
    load: () => import('./verify-bundle.ts'),
  },
  'sign-bundle': {
    summary: 'Sigstore conformance protocol: sign one file into a bundle',
    load: () => import('./sign-bundle.ts'),
  },
};
