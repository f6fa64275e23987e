/**
 * Bundles for verify tests: keyless ones from the in-process Fulcio/Rekor/TSA of @sigstore/mock
 * (whole-second clock), and key-signed ones made with @sigstore/sign's builders and a generated key.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeIdentityToken, type MockSigstore } from './signing/mock-sigstore.ts';

export const ISSUER = 'https://token.actions.githubusercontent.com';
export const SAN = 'https://github.com/octo/app/.github/workflows/release.yml@refs/tags/v1.2.3';

/** GitHub token claims that the mock Fulcio turns into certificate extensions. */
export function githubClaims(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    job_workflow_ref: 'octo/app/.github/workflows/release.yml@refs/tags/v1.2.3',
    job_workflow_sha: 'a'.repeat(40),
    workflow_ref: 'octo/app/.github/workflows/release.yml@refs/tags/v1.2.3',
    workflow_sha: 'a'.repeat(40),
    repository: 'octo/app',
    repository_id: '1',
    repository_owner: 'octo',
    repository_owner_id: '2',
    ref: 'refs/tags/v1.2.3',
    sha: 'b'.repeat(40),
    event_name: 'push',
    runner_environment: 'github-hosted',
    run_id: '42',
    run_attempt: '1',
    ...over,
  };
}

export interface KeylessOptions {
  readonly claims?: Record<string, unknown>;
  readonly tsa?: boolean;
  readonly rekor?: boolean;
}

async function keylessParts(sigstore: MockSigstore, o: KeylessOptions) {
  const { FulcioSigner, RekorWitness, TSAWitness } = await import('@sigstore/sign');
  const token = makeIdentityToken({ sub: SAN, ...(o.claims ?? githubClaims()) });
  const signer = new FulcioSigner({
    fulcioBaseURL: sigstore.fulcioUrl,
    identityProvider: { getToken: async () => token },
  });
  const witnesses = [
    ...(o.rekor === false
      ? []
      : [new RekorWitness({ rekorBaseURL: sigstore.rekorUrl, entryType: 'intoto' })]),
    ...(o.tsa === false ? [] : [new TSAWitness({ tsaBaseURL: sigstore.url })]),
  ];
  return { signer, witnesses };
}

/** A keyless message-signature bundle (v0.3) over `data`. */
export async function keylessMessageBundle(
  sigstore: MockSigstore,
  data: Buffer,
  o: KeylessOptions = {},
): Promise<Record<string, unknown>> {
  const { MessageSignatureBundleBuilder, RekorWitness, TSAWitness } =
    await import('@sigstore/sign');
  const { bundleToJSON } = await import('@sigstore/bundle');
  const { signer } = await keylessParts(sigstore, o);
  const witnesses = [
    ...(o.rekor === false ? [] : [new RekorWitness({ rekorBaseURL: sigstore.rekorUrl })]),
    ...(o.tsa === false ? [] : [new TSAWitness({ tsaBaseURL: sigstore.url })]),
  ];
  const b = await new MessageSignatureBundleBuilder({ signer, witnesses }).create({ data });
  return bundleToJSON(b) as unknown as Record<string, unknown>;
}

/** A keyless DSSE bundle (v0.3) over an in-toto statement. */
export async function keylessDsseBundle(
  sigstore: MockSigstore,
  statement: unknown,
  o: KeylessOptions & { payloadType?: string } = {},
): Promise<Record<string, unknown>> {
  const { DSSEBundleBuilder } = await import('@sigstore/sign');
  const { bundleToJSON } = await import('@sigstore/bundle');
  const { signer, witnesses } = await keylessParts(sigstore, o);
  const b = await new DSSEBundleBuilder({ signer, witnesses }).create({
    data: Buffer.from(JSON.stringify(statement)),
    type: o.payloadType ?? 'application/vnd.in-toto+json',
  });
  return bundleToJSON(b) as unknown as Record<string, unknown>;
}

export interface TestKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly pem: string;
  readonly hint: string;
}

export function generateTestKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return {
    privateKey,
    publicKey,
    pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    hint: createHash('sha256').update(der).digest('base64'),
  };
}

function keySigner(key: TestKey) {
  return {
    sign: async (data: Buffer) => ({
      signature: sign('sha256', data, key.privateKey),
      key: { $case: 'publicKey' as const, publicKey: key.pem, hint: key.hint },
    }),
  };
}

/** A key-signed message bundle, optionally logged in the mock Rekor. */
export async function keyMessageBundle(
  key: TestKey,
  data: Buffer,
  sigstore?: MockSigstore,
): Promise<Record<string, unknown>> {
  const { MessageSignatureBundleBuilder, RekorWitness } = await import('@sigstore/sign');
  const { bundleToJSON } = await import('@sigstore/bundle');
  const witnesses = sigstore ? [new RekorWitness({ rekorBaseURL: sigstore.rekorUrl })] : [];
  const b = await new MessageSignatureBundleBuilder({ signer: keySigner(key), witnesses }).create({
    data,
  });
  return bundleToJSON(b) as unknown as Record<string, unknown>;
}

/** A key-signed DSSE bundle over a statement, optionally logged in the mock Rekor. */
export async function keyDsseBundle(
  key: TestKey,
  statement: unknown,
  sigstore?: MockSigstore,
  payloadType = 'application/vnd.in-toto+json',
): Promise<Record<string, unknown>> {
  const { DSSEBundleBuilder, RekorWitness } = await import('@sigstore/sign');
  const { bundleToJSON } = await import('@sigstore/bundle');
  const witnesses = sigstore
    ? [new RekorWitness({ rekorBaseURL: sigstore.rekorUrl, entryType: 'intoto' })]
    : [];
  const b = await new DSSEBundleBuilder({ signer: keySigner(key), witnesses }).create({
    data: Buffer.from(typeof statement === 'string' ? statement : JSON.stringify(statement)),
    type: payloadType,
  });
  return bundleToJSON(b) as unknown as Record<string, unknown>;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** An in-toto Statement v1 over one artifact. */
export function statementFor(
  name: string,
  data: Buffer,
  predicateType: string,
  predicate: unknown,
): Record<string, unknown> {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name, digest: { sha256: sha256Hex(data) } }],
    predicateType,
    predicate,
  };
}

/** SLSA v1 provenance as GitHub's attest action writes it. */
export function githubProvenance(
  over: {
    builderId?: string;
    repository?: string;
    ref?: string;
    path?: string;
    event?: string;
    commit?: string;
    invocationId?: string;
  } = {},
): Record<string, unknown> {
  const repository = over.repository ?? 'https://github.com/octo/app';
  const ref = over.ref ?? 'refs/tags/v1.2.3';
  return {
    buildDefinition: {
      buildType: 'https://actions.github.io/buildtypes/workflow/v1',
      externalParameters: {
        workflow: { ref, repository, path: over.path ?? '.github/workflows/release.yml' },
      },
      internalParameters: {
        github: {
          event_name: over.event ?? 'push',
          repository_id: '1',
          repository_owner_id: '2',
          runner_environment: 'github-hosted',
        },
      },
      resolvedDependencies: [
        { uri: `git+${repository}@${ref}`, digest: { gitCommit: over.commit ?? 'b'.repeat(40) } },
      ],
    },
    runDetails: {
      builder: {
        id:
          over.builderId ??
          'https://github.com/octo/app/.github/workflows/release.yml@refs/tags/v1.2.3',
      },
      metadata: {
        invocationId: over.invocationId ?? 'https://github.com/octo/app/actions/runs/42/attempts/1',
      },
    },
  };
}

/**
 * Writes DIR/trusted_root.json: a trusted root with no logs, CAs or TSAs, for key-signed bundles
 * verified against a key or trusted-keys file (no Sigstore service is trusted).
 */
export function writeEmptyTrustedRoot(dir: string): void {
  writeFileSync(
    join(dir, 'trusted_root.json'),
    JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [],
      ctlogs: [],
      certificateAuthorities: [],
      timestampAuthorities: [],
    }),
  );
}
