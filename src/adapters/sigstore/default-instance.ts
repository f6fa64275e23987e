/**
 * The Sigstore instance a run signs with when no signing config or explicit services are given,
 * for every mode (keyless and key-based, files and attestations). In GitHub Actions it is chosen
 * as GitHub's attest action chooses, by the repository's visibility in the event payload: public
 * repositories log to public-good Sigstore; private and internal ones, and a visibility the event
 * does not state, use GitHub's instance, which has no public transparency log, so nothing about a
 * private repository reaches a public log unless the user asks for it. Outside GitHub Actions
 * there is no repository to go by: the CLI signs with public-good Sigstore, as cosign does, so
 * what it signs verifies against the default trusted root (`--offline` keeps it off any log).
 */
import {
  PUBLIC_GOOD_INSTANCE,
  selectSigstoreInstance,
  type SigstoreInstance,
} from '../../core/signing/witness-config.ts';
import { readRepositoryVisibility } from '../build-context/read-build-context.ts';

export async function defaultSigstoreInstance(env: NodeJS.ProcessEnv): Promise<SigstoreInstance> {
  if (env['GITHUB_ACTIONS'] !== 'true') return PUBLIC_GOOD_INSTANCE;
  return selectSigstoreInstance(await readRepositoryVisibility(env));
}
