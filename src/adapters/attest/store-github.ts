/**
 * The GitHub attestations API: `POST /repos/{owner}/{repo}/attestations` with `{bundle}`. The only
 * GitHub write of the attest pipeline. Retries on 5xx and rate limits; a 403 that is not a rate
 * limit means the token lacks `attestations: write`.
 */
import { VouchError } from '../../errors.ts';
import { fetchWithRetry, type RetryOptions } from './http.ts';
import type { AttestationStore, SignedAttestation } from './types.ts';

export interface GitHubTarget {
  /** `https://api.github.com` or `https://HOST/api/v3`. */
  readonly apiUrl: string;
  /** `https://github.com`. */
  readonly serverUrl: string;
  /** `owner/repo`. */
  readonly repository: string;
  readonly token: string;
  /** Release tag for the release store (`v1.2.3`). */
  readonly releaseTag?: string;
}

/** Reads the target from the Actions environment (GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_REF). */
export function githubTargetFromEnv(
  env: NodeJS.ProcessEnv,
  token: string,
  releaseTag?: string,
): GitHubTarget {
  const ref = env['GITHUB_REF'] ?? '';
  const tag =
    releaseTag || (ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined);
  return {
    apiUrl: (env['GITHUB_API_URL'] || 'https://api.github.com').replace(/\/+$/, ''),
    serverUrl: (env['GITHUB_SERVER_URL'] || 'https://github.com').replace(/\/+$/, ''),
    repository: env['GITHUB_REPOSITORY'] ?? '',
    token,
    ...(tag ? { releaseTag: tag } : {}),
  };
}

export function checkGitHubTarget(target: GitHubTarget, store: string): void {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(target.repository)) {
    throw new VouchError(
      'STORE_INVALID',
      `--store ${store} needs the repository (GITHUB_REPOSITORY=owner/repo)`,
    );
  }
  if (!target.token) {
    throw new VouchError(
      'STORE_INVALID',
      `--store ${store} needs a GitHub token (GITHUB_TOKEN or the github-token input)`,
    );
  }
}

export function githubHeaders(token: string): Record<string, string> {
  return {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${token}`,
    'x-github-api-version': '2022-11-28',
    'user-agent': 'vouch',
  };
}

async function errorText(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const message = (JSON.parse(text) as { message?: string }).message;
    if (message) return message;
  } catch {
    // not JSON
  }
  return text.slice(0, 200) || response.statusText;
}

export function githubAttestationsStore(
  target: GitHubTarget,
  retry: RetryOptions = {},
): AttestationStore {
  return {
    name: 'github',
    async store(attestation: SignedAttestation) {
      checkGitHubTarget(target, 'github');
      const url = `${target.apiUrl}/repos/${target.repository}/attestations`;
      const response = await fetchWithRetry(
        url,
        {
          method: 'POST',
          headers: { ...githubHeaders(target.token), 'content-type': 'application/json' },
          body: JSON.stringify({ bundle: attestation.bundle }),
        },
        retry,
      ).catch((error: unknown) => {
        throw new VouchError(
          'STORE_FAILED',
          `GitHub attestations API unreachable: ${(error as Error).message}`,
          { cause: error },
        );
      });
      if (response.status === 403 || response.status === 401) {
        throw new VouchError(
          'ATTESTATIONS_PERMISSION_DENIED',
          `the GitHub attestations API refused the write (${response.status}: ${await errorText(response)}); the token needs \`attestations: write\``,
        );
      }
      if (!response.ok) {
        throw new VouchError(
          'STORE_FAILED',
          `the GitHub attestations API answered ${response.status}: ${await errorText(response)}`,
        );
      }
      const body = (await response.json().catch(() => ({}))) as { id?: number | string };
      if (body.id === undefined) {
        throw new VouchError(
          'STORE_FAILED',
          'the GitHub attestations API returned no attestation id',
        );
      }
      const id = String(body.id);
      return { id, location: `${target.serverUrl}/${target.repository}/attestations/${id}` };
    },
  };
}
