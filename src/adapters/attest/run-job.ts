/**
 * The attest and provenance actions' shared job: open the signer, attest, set the outputs, write
 * the job summary, then fail (with what succeeded named) if a store failed. The action entries
 * map their inputs onto AttestJob and call runAttestJob; nothing here reads action inputs.
 */
import type { Logger } from '../../core/logger.ts';
import { VouchError } from '../../errors.ts';
import { confineWorkspacePath } from '../fs/workspace-glob.ts';
import {
  assertStored,
  createAttestation,
  createProvenance,
  type AttestResult,
  type PredicateSource,
} from './attest.ts';
import { renderSummary } from './report.ts';
import { openStatementSigner } from './signing.ts';
import { githubTargetFromEnv } from './store-github.ts';
import { registryOptionsFromEnv } from './store-oci.ts';

export interface AttestJob {
  readonly kind: 'attest' | 'provenance';
  readonly files: readonly string[];
  readonly subjects: readonly string[];
  readonly checksums: readonly string[];
  /** attest only. */
  readonly predicate?: PredicateSource;
  /** attest only: the predicate file came from the `sbom` input (names it in refusals). */
  readonly sbomInput?: boolean;
  readonly key: string;
  readonly passphrase?: string;
  readonly pkcs11Pin?: string;
  readonly signingConfig?: string;
  readonly stores: readonly string[];
  readonly perSubject: boolean;
  readonly output?: string;
  readonly githubToken?: string;
  readonly releaseTag?: string;
  readonly allowUntrustedTriggers: boolean;
}

export interface JobIo {
  readonly logger: Logger;
  readonly env: NodeJS.ProcessEnv;
  readonly workspace: string;
  setOutput(name: string, value: string | number | boolean): void;
}

/**
 * The job with every path an input names (output, sbom, predicate, checksums, signing-config)
 * confined to the workspace and made absolute: `..`, absolute paths and escaping symlinks are
 * refused before anything is read, signed or written. (The CLI takes any path its operator names.)
 */
export async function confineJobPaths(job: AttestJob, workspace: string): Promise<AttestJob> {
  const confine = (path: string, input: string): Promise<string> =>
    confineWorkspacePath(workspace, path, input);
  const predicate = job.predicate;
  return {
    ...job,
    checksums: await Promise.all(job.checksums.map((c) => confine(c, 'checksums'))),
    ...(job.output ? { output: await confine(job.output, 'output') } : {}),
    ...(job.signingConfig
      ? { signingConfig: await confine(job.signingConfig, 'signing-config') }
      : {}),
    ...(predicate && predicate.kind !== 'value'
      ? {
          predicate: {
            ...predicate,
            path: await confine(
              predicate.path,
              predicate.kind === 'sbom' || job.sbomInput ? 'sbom' : 'predicate',
            ),
          },
        }
      : {}),
  };
}

export async function runAttestJob(input: AttestJob, io: JobIo): Promise<AttestResult> {
  const specs = [...input.files, ...input.subjects];
  if (specs.length === 0 && input.checksums.length === 0) {
    throw new VouchError('SUBJECT_NONE', 'no subjects: set `files`, `subjects` or `checksums`');
  }
  const job = await confineJobPaths(input, io.workspace);
  const token = job.githubToken || io.env['GITHUB_TOKEN'] || '';
  if (token) io.logger.secret(token);
  const opened = await openStatementSigner({
    key: job.key || 'keyless',
    env: io.env,
    logger: io.logger,
    cwd: io.workspace,
    allowUntrustedTriggers: job.allowUntrustedTriggers,
    ...(job.passphrase ? { passphrase: job.passphrase } : {}),
    ...(job.pkcs11Pin ? { pkcs11Pin: job.pkcs11Pin } : {}),
    ...(job.signingConfig ? { signingConfig: job.signingConfig } : {}),
  });
  let result: AttestResult;
  try {
    const common = {
      workspace: io.workspace,
      subjects: specs,
      checksums: job.checksums,
      perSubject: job.perSubject,
      stores: job.stores,
      ...(job.output ? { output: job.output } : {}),
    };
    const deps = {
      signer: opened.signer,
      logger: io.logger,
      env: io.env,
      ...(opened.claims ? { claims: opened.claims } : {}),
      github: githubTargetFromEnv(io.env, token, job.releaseTag),
      registry: registryOptionsFromEnv(io.env, token),
    };
    if (job.kind === 'attest') {
      if (!job.predicate)
        throw new VouchError('INPUT_MISSING', 'set `sbom`, or `predicate` with `predicate-type`');
      result = await createAttestation({ ...common, predicate: job.predicate }, deps);
    } else {
      result = await createProvenance(common, deps);
    }
  } finally {
    await opened.close();
  }
  const ids = result.attestations.flatMap((a) => (a.attestationId ? [a.attestationId] : []));
  const urls = result.attestations.flatMap((a) => (a.attestationUrl ? [a.attestationUrl] : []));
  io.setOutput('bundle-path', result.attestations.map((a) => a.bundlePath).join('\n'));
  io.setOutput('attestation-id', ids.join('\n'));
  io.setOutput('attestation-url', urls.join('\n'));
  io.setOutput('subject-count', result.subjects.length);
  await io.logger.summary(
    renderSummary(result, job.kind === 'provenance' ? 'SLSA provenance' : 'Attestation'),
  );
  assertStored(result);
  return result;
}
