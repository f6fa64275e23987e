/** The GitHub Actions OIDC token (the `id-token: write` permission), for keyless signing. */
import type { Logger } from '../../core/logger.ts';
import { VouchError } from '../../errors.ts';

export interface GithubOidcOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly audience?: string;
  readonly fetch?: typeof fetch;
}

/** Fetches an ID token for `audience` (default `sigstore`); the token is masked before returning. */
export async function fetchGithubOidcToken(options: GithubOidcOptions): Promise<string> {
  const url = options.env['ACTIONS_ID_TOKEN_REQUEST_URL'];
  const bearer = options.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
  if (!url || !bearer) {
    throw new VouchError(
      'SIGN_OIDC_PERMISSION_MISSING',
      'no GitHub Actions OIDC token is available: the job lacks the `id-token: write` permission (ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN are unset)',
    );
  }
  options.logger.secret(bearer);
  const target = new URL(url);
  target.searchParams.set('audience', options.audience ?? 'sigstore');
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(target, {
      headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' },
    });
  } catch (error) {
    throw new VouchError(
      'SIGN_OIDC_FAILED',
      `cannot reach the OIDC token endpoint: ${(error as Error).message}`,
    );
  }
  if (!response.ok) {
    throw new VouchError(
      'SIGN_OIDC_FAILED',
      `the OIDC token endpoint answered HTTP ${response.status}`,
      {
        ...(response.status === 401 || response.status === 403
          ? { hint: 'Add `permissions: id-token: write` to the job.' }
          : {}),
      },
    );
  }
  const body = (await response.json().catch(() => ({}))) as { value?: unknown };
  if (typeof body.value !== 'string' || body.value.split('.').length !== 3) {
    throw new VouchError('SIGN_OIDC_FAILED', 'the OIDC token endpoint returned no token');
  }
  options.logger.secret(body.value);
  return body.value;
}
