/**
 * Assets of an existing GitHub release: the bundle is uploaded as `<name>.sigstore.json`. An asset
 * of the same name is replaced only when its content differs (so a rerun is idempotent).
 */
import { basename } from 'node:path';
import { VouchError } from '../../errors.ts';
import { fetchWithRetry, type RetryOptions } from './http.ts';
import { checkGitHubTarget, githubHeaders, type GitHubTarget } from './store-github.ts';
import type { AttestationStore, SignedAttestation } from './types.ts';

interface Release {
  id: number;
  upload_url: string;
  html_url?: string;
  assets?: { id: number; name: string; size: number; url: string; browser_download_url: string }[];
}

export function releaseAssetsStore(
  target: GitHubTarget,
  retry: RetryOptions = {},
): AttestationStore {
  let release: Promise<Release> | undefined;
  const headers = githubHeaders(target.token);
  const loadRelease = async (): Promise<Release> => {
    checkGitHubTarget(target, 'release');
    if (!target.releaseTag) {
      throw new VouchError(
        'STORE_INVALID',
        '--store release needs a release tag (a tag push, or the release-tag input / --release-tag)',
      );
    }
    const url = `${target.apiUrl}/repos/${target.repository}/releases/tags/${encodeURIComponent(target.releaseTag)}`;
    const response = await fetchWithRetry(url, { headers }, retry);
    if (response.status === 404) {
      throw new VouchError(
        'RELEASE_NOT_FOUND',
        `no GitHub release for tag ${target.releaseTag} in ${target.repository}`,
      );
    }
    if (response.status === 403 || response.status === 401) {
      throw new VouchError(
        'STORE_FAILED',
        `GitHub refused to read the release (${response.status}); the token needs \`contents: write\``,
      );
    }
    if (!response.ok)
      throw new VouchError(
        'STORE_FAILED',
        `GitHub answered ${response.status} for release ${target.releaseTag}`,
      );
    return (await response.json()) as Release;
  };
  return {
    name: 'release',
    async store(attestation: SignedAttestation) {
      release ??= loadRelease();
      const rel = await release;
      const name = basename(attestation.bundlePath);
      const existing = rel.assets?.find((a) => a.name === name);
      if (existing) {
        const size = Buffer.byteLength(attestation.bundleText);
        if (existing.size === size) {
          const current = await fetchWithRetry(
            existing.url,
            { headers: { ...headers, accept: 'application/octet-stream' } },
            retry,
          );
          if (current.ok && (await current.text()) === attestation.bundleText) {
            return { location: existing.browser_download_url };
          }
        }
        const del = await fetchWithRetry(existing.url, { method: 'DELETE', headers }, retry);
        if (!del.ok && del.status !== 404) {
          throw new VouchError(
            'STORE_FAILED',
            `cannot replace release asset ${name} (${del.status}); the token needs \`contents: write\``,
          );
        }
      }
      const upload = new URL(rel.upload_url.replace(/\{[^}]*\}$/, ''));
      upload.searchParams.set('name', name);
      const response = await fetchWithRetry(
        upload,
        {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: attestation.bundleText,
        },
        retry,
      );
      if (response.status === 403 || response.status === 401) {
        throw new VouchError(
          'STORE_FAILED',
          `GitHub refused the release asset upload (${response.status}); the token needs \`contents: write\``,
        );
      }
      if (!response.ok)
        throw new VouchError('STORE_FAILED', `release asset upload answered ${response.status}`);
      const asset = (await response.json().catch(() => ({}))) as {
        browser_download_url?: string;
        id?: number;
      };
      return {
        location: asset.browser_download_url ?? `${rel.html_url ?? ''}#${name}`,
        ...(asset.id ? { id: String(asset.id) } : {}),
      };
    },
  };
}
