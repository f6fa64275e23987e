/**
 * Fulcio certificate claims: the OIDC issuer and the GitHub Actions facts Fulcio copies from the
 * token into certificate extensions (OID arc 1.3.6.1.4.1.57264.1). The adapter hands over the raw
 * extension values by OID; this module decodes them.
 */

/** OIDs of the Fulcio extensions vouch reads. */
export const FULCIO_OIDS = {
  issuerV1: '1.3.6.1.4.1.57264.1.1',
  githubWorkflowTrigger: '1.3.6.1.4.1.57264.1.2',
  githubWorkflowSha: '1.3.6.1.4.1.57264.1.3',
  githubWorkflowName: '1.3.6.1.4.1.57264.1.4',
  githubWorkflowRepository: '1.3.6.1.4.1.57264.1.5',
  githubWorkflowRef: '1.3.6.1.4.1.57264.1.6',
  issuer: '1.3.6.1.4.1.57264.1.8',
  buildSignerUri: '1.3.6.1.4.1.57264.1.9',
  buildSignerDigest: '1.3.6.1.4.1.57264.1.10',
  runnerEnvironment: '1.3.6.1.4.1.57264.1.11',
  sourceRepositoryUri: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRepositoryRef: '1.3.6.1.4.1.57264.1.14',
  sourceRepositoryIdentifier: '1.3.6.1.4.1.57264.1.15',
  sourceRepositoryOwnerUri: '1.3.6.1.4.1.57264.1.16',
  sourceRepositoryOwnerIdentifier: '1.3.6.1.4.1.57264.1.17',
  buildConfigUri: '1.3.6.1.4.1.57264.1.18',
  buildConfigDigest: '1.3.6.1.4.1.57264.1.19',
  buildTrigger: '1.3.6.1.4.1.57264.1.20',
  runInvocationUri: '1.3.6.1.4.1.57264.1.21',
  sourceRepositoryVisibility: '1.3.6.1.4.1.57264.1.22',
} as const;

export type ClaimName = Exclude<
  keyof typeof FULCIO_OIDS,
  | 'issuerV1'
  | 'githubWorkflowTrigger'
  | 'githubWorkflowSha'
  | 'githubWorkflowName'
  | 'githubWorkflowRepository'
  | 'githubWorkflowRef'
>;

/** Decoded claims of a Fulcio certificate. Absent extensions are absent keys. */
export type CertificateClaims = Partial<Record<ClaimName, string>>;

const V1_FALLBACK: Partial<Record<ClaimName, keyof typeof FULCIO_OIDS>> = {
  issuer: 'issuerV1',
  buildTrigger: 'githubWorkflowTrigger',
  sourceRepositoryDigest: 'githubWorkflowSha',
  sourceRepositoryRef: 'githubWorkflowRef',
};

/**
 * Reads a DER UTF8String (tag 0x0c), the encoding of the v2 extensions (OID .8 and later).
 * Returns undefined when the bytes are not one.
 */
export function decodeDerUtf8String(bytes: Uint8Array): string | undefined {
  if (bytes.length < 2 || bytes[0] !== 0x0c) return undefined;
  let length = bytes[1]!;
  let offset = 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 3 || bytes.length < 2 + n) return undefined;
    length = 0;
    for (let i = 0; i < n; i++) length = (length << 8) | bytes[2 + i]!;
    offset = 2 + n;
  }
  if (offset + length !== bytes.length) return undefined;
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(offset));
}

/**
 * Decodes the Fulcio claims from raw extension values (the extnValue octets, by OID). v1
 * extensions (.1–.6) hold raw strings; v2 (.8 on) hold DER UTF8Strings. A v2 value wins over v1.
 */
export function decodeFulcioClaims(
  extensionValue: (oid: string) => Uint8Array | undefined,
): CertificateClaims {
  const claims: CertificateClaims = {};
  for (const [name, oid] of Object.entries(FULCIO_OIDS) as Array<
    [keyof typeof FULCIO_OIDS, string]
  >) {
    if (name in V1_FALLBACK || name.startsWith('githubWorkflow') || name === 'issuerV1') continue;
    const raw = extensionValue(oid);
    const value = raw ? decodeDerUtf8String(raw) : undefined;
    if (value !== undefined) claims[name as ClaimName] = value;
  }
  for (const [name, v1] of Object.entries(V1_FALLBACK) as Array<
    [ClaimName, keyof typeof FULCIO_OIDS]
  >) {
    const raw = extensionValue(FULCIO_OIDS[name]);
    const v2 = raw ? decodeDerUtf8String(raw) : undefined;
    if (v2 !== undefined) {
      claims[name] = v2;
      continue;
    }
    const old = extensionValue(FULCIO_OIDS[v1]);
    if (old && old.length > 0) {
      try {
        claims[name] = new TextDecoder('utf-8', { fatal: true }).decode(old);
      } catch {
        // not text: leave the claim absent
      }
    }
  }
  return claims;
}
