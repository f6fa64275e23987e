/**
 * The Sigstore instance a run signs with when no signing config or explicit services are given,
 * for every mode (keyless and key-based, files and attestations): chosen as GitHub's attest
 * action chooses, by the repository's visibility in the event payload. Public repositories log to
 * public-good Sigstore; private and internal ones, and an unknown visibility (a run outside
 * GitHub Actions included), use GitHub's instance, which has no public transparency log, so
 * nothing about a private repository reaches a public log unless the user asks for it.
 */
import {
  selectSigstoreInstance,
  type SigstoreInstance,
} from '../../core/signing/witness-config.ts';
import { readRepositoryVisibility } from '../build-context/read-build-context.ts';

export async function defaultSigstoreInstance(env: NodeJS.ProcessEnv): Promise<SigstoreInstance> {
  return selectSigstoreInstance(await readRepositoryVisibility(env));
}
