/**
 * SLSA Verification Summary Attestation v1: a pure builder, one statement per artifact. The gate
 * signs and stores it.
 */
import { TOOL_NAME, VERSION } from '../../version.ts';

export const VSA_PREDICATE_TYPE = 'https://slsa.dev/verification_summary/v1';

export interface VsaInput {
  /** Name of the artifact (file name or digest). */
  readonly name: string;
  /** Algorithm → hex of the artifact. */
  readonly digest: Readonly<Record<string, string>>;
  /** Where the artifact lives (`resourceUri`), e.g. a download URL or `file:NAME`. */
  readonly resourceUri: string;
  readonly passed: boolean;
  readonly timeVerified: Date;
  /** Id of the verifier (default `https://github.com/vouch/vouch/verify`). */
  readonly verifierId?: string;
  /** The policy the run applied, with its digest when it came from a file. */
  readonly policy: { readonly uri: string; readonly digest?: Readonly<Record<string, string>> };
  /** The bundles verified, by digest. */
  readonly inputAttestations: ReadonlyArray<{
    readonly uri?: string;
    readonly digest: Readonly<Record<string, string>>;
  }>;
  /** e.g. `SLSA_BUILD_LEVEL_3`, `FAILED`; default from `passed` and whether provenance was checked. */
  readonly verifiedLevels?: readonly string[];
}

export interface VsaStatement {
  readonly _type: 'https://in-toto.io/Statement/v1';
  readonly subject: ReadonlyArray<{ name: string; digest: Record<string, string> }>;
  readonly predicateType: typeof VSA_PREDICATE_TYPE;
  readonly predicate: {
    readonly verifier: { id: string; version: Record<string, string> };
    readonly timeVerified: string;
    readonly resourceUri: string;
    readonly policy: { uri: string; digest?: Record<string, string> };
    readonly inputAttestations: Array<{ uri?: string; digest: Record<string, string> }>;
    readonly verificationResult: 'PASSED' | 'FAILED';
    readonly verifiedLevels: string[];
    readonly slsaVersion: '1.0';
  };
}

export function buildVsa(input: VsaInput): VsaStatement {
  const levels = input.verifiedLevels ?? (input.passed ? ['SLSA_BUILD_LEVEL_1'] : ['FAILED']);
  const time = new Date(Math.floor(input.timeVerified.getTime() / 1000) * 1000);
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: input.name, digest: { ...input.digest } }],
    predicateType: VSA_PREDICATE_TYPE,
    predicate: {
      verifier: {
        id: input.verifierId ?? 'https://github.com/vouch/vouch/verify',
        version: { [TOOL_NAME]: VERSION },
      },
      timeVerified: time.toISOString().replace('.000Z', 'Z'),
      resourceUri: input.resourceUri,
      policy: {
        uri: input.policy.uri,
        ...(input.policy.digest ? { digest: { ...input.policy.digest } } : {}),
      },
      inputAttestations: input.inputAttestations.map((a) => ({
        ...(a.uri ? { uri: a.uri } : {}),
        digest: { ...a.digest },
      })),
      verificationResult: input.passed ? 'PASSED' : 'FAILED',
      verifiedLevels: [...levels],
      slsaVersion: '1.0',
    },
  };
}
