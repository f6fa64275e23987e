/**
 * The read side of the attestation stores: bundles fetched by digest from the GitHub attestations
 * API (repository or organization), from OCI referrers of an image, and from the assets of a
 * GitHub release. Each reader returns LoadedBundle[] as the file reader does, under the same size
 * cap, and fails closed with a coded error: nothing found, refused, rate limited, or unreachable.
 * What `vouch attest --store github|oci|release` writes, these read back.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../core/logger.ts';
import { parseJsonSafe } from '../../core/safe-parse.ts';
import { parseOciReference, type OciReference } from '../../core/subjects/subjects.ts';
import { VouchError } from '../../errors.ts';
import { fetchWithRetry, isRateLimited, type RetryOptions } from '../attest/http.ts';
import { githubHeaders } from '../attest/store-github.ts';
import {
  OCI_INDEX,
  OCI_MANIFEST,
  RegistryClient,
  referrersTag,
  type Descriptor,
  type RegistryOptions,
} from '../attest/store-oci.ts';
import { DEFAULT_MAX_BUNDLE_BYTES, parseBundleText, type LoadedBundle } from './load-bundles.ts';
import { decompressSnappy } from './snappy.ts';

/** Where bundles are fetched from. */
export type BundleSource =
  /** `GET /repos/{owner}/{repo}/attestations/sha256:{hex}` for each artifact digest. */
  | { readonly kind: 'github'; readonly repository: string }
  /** `GET /orgs/{org}/attestations/sha256:{hex}` for each artifact digest. */
  | { readonly kind: 'github-org'; readonly org: string }
  /** Referrers of `REGISTRY/REPO@sha256:HEX` that are Sigstore bundles. */
  | { readonly kind: 'oci'; readonly image: string }
  /** Assets of the release `tag` of `owner/repo` named *.sigstore.json, *.sigstore, *.intoto.jsonl. */
  | { readonly kind: 'release'; readonly repository: string; readonly tag: string };

export interface FetchBundlesOptions {
  /** Artifact digests `sha256:<64 hex>` looked up in the GitHub attestations API. */
  readonly digests?: readonly string[];
  /** REST API root (default https://api.github.com). */
  readonly apiUrl?: string;
  /** GitHub token; optional (public repositories are read without one). */
  readonly token?: string;
  /** Registry hosts, credentials and retries for OCI sources. */
  readonly registry?: RegistryOptions;
  /** Retries for the GitHub API (5xx, 429 and rate-limited 403). */
  readonly retry?: RetryOptions;
  /** Cap for one bundle and for one response (bytes; default 32 MiB). */
  readonly maxBundleBytes?: number;
  /** Most pages followed per digest (default 10, at 100 attestations a page). */
  readonly maxPages?: number;
  /** Most bundles one source may yield (default 1,000). */
  readonly maxBundles?: number;
  readonly logger?: Logger;
}

const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;
const REPOSITORY = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;
const ORG = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
/** Sigstore bundle media types: v0.3 as we write it, v0.1/v0.2 with the version parameter. */
const BUNDLE_MEDIA_TYPE =
  /^application\/vnd\.dev\.sigstore\.bundle(?:\.v0\.[1-3])?\+json(?:;\s*version=0\.[1-3])?$/;
/** Release asset names that hold bundles. */
const BUNDLE_ASSET = /\.(?:sigstore\.json|sigstore|intoto\.jsonl)$/;
const DEFAULT_API_URL = 'https://api.github.com';

function invalid(message: string): VouchError {
  return new VouchError('VERIFY_BUNDLE_SOURCE_INVALID', message);
}

/** `--from-github OWNER/REPO`. */
/** The bundle sources a run names, each list as its flag or input gives them. */
export interface BundleSourceLists {
  readonly github?: readonly string[];
  readonly githubOrg?: readonly string[];
  readonly oci?: readonly string[];
  readonly release?: readonly string[];
}

/** Parses every source a run names (CLI flags or action inputs), in a fixed order. */
export function parseBundleSources(lists: BundleSourceLists): BundleSource[] {
  return [
    ...(lists.github ?? []).map(parseGitHubSource),
    ...(lists.githubOrg ?? []).map(parseGitHubOrgSource),
    ...(lists.oci ?? []).map(parseOciSource),
    ...(lists.release ?? []).map(parseReleaseSource),
  ];
}

export function parseGitHubSource(value: string): BundleSource {
  const repository = value.trim();
  if (!REPOSITORY.test(repository)) {
    throw invalid(`"${value}" is not a repository of the form OWNER/REPO`);
  }
  return { kind: 'github', repository };
}

/** `--from-github-org ORG`. */
export function parseGitHubOrgSource(value: string): BundleSource {
  const org = value.trim();
  if (!ORG.test(org)) throw invalid(`"${value}" is not a GitHub organization name`);
  return { kind: 'github-org', org };
}

/** `--from-oci REGISTRY/REPO@sha256:HEX` (a tag can move, so a digest is required). */
export function parseOciSource(value: string): BundleSource {
  const image = value.trim();
  const parsed = parseOciReference(image);
  if (!parsed) {
    throw invalid(`"${value}" is not an image reference of the form REGISTRY/REPO@sha256:HEX`);
  }
  if (!parsed.ref) {
    throw invalid(
      `"${value}" names the image without a digest; give it as REGISTRY/REPO@sha256:HEX`,
    );
  }
  return { kind: 'oci', image };
}

/** `--from-release OWNER/REPO@TAG`. */
export function parseReleaseSource(value: string): BundleSource {
  const text = value.trim();
  const at = text.indexOf('@');
  const repository = at > 0 ? text.slice(0, at) : '';
  const tag = at > 0 ? text.slice(at + 1) : '';
  // A tag name as git allows it, minus anything that would change the URL path.
  if (!REPOSITORY.test(repository) || !/^[^\s/\\?#@~^:*[\]][^\s\\?#~^:*[\]]*$/.test(tag)) {
    throw invalid(`"${value}" is not a release of the form OWNER/REPO@TAG`);
  }
  return { kind: 'release', repository, tag };
}

/** A human name for a source, for messages and reports. */
export function describeSource(source: BundleSource): string {
  switch (source.kind) {
    case 'github':
      return `GitHub attestations of ${source.repository}`;
    case 'github-org':
      return `GitHub attestations of organization ${source.org}`;
    case 'oci':
      return `OCI referrers of ${source.image}`;
    case 'release':
      return `assets of release ${source.tag} of ${source.repository}`;
  }
}

/** Reads a response body, refusing it as soon as it passes the cap. */
async function readCapped(response: Response, max: number, source: string): Promise<Buffer> {
  const length = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(length) && length > max) {
    await response.body?.cancel().catch(() => {});
    throw new VouchError(
      'FILE_TOO_LARGE',
      `${source} (${length} bytes) is larger than the ${max}-byte bundle limit`,
    );
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch (error) {
      throw new VouchError(
        'VERIFY_FETCH_FAILED',
        `${source}: the response was cut short (${(error as Error).message})`,
        { cause: error },
      );
    }
    if (chunk.done) break;
    total += chunk.value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw new VouchError(
        'FILE_TOO_LARGE',
        `${source} is larger than the ${max}-byte bundle limit`,
      );
    }
    chunks.push(Buffer.from(chunk.value));
  }
  return Buffer.concat(chunks);
}

async function messageOf(response: Response): Promise<string> {
  // An error body is read up to 64 KiB, no further.
  const body = await readCapped(response, 64 * 1024, 'error body').catch(() => Buffer.alloc(0));
  const text = body.toString('utf8');
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string' && message) return message.slice(0, 300);
  } catch {
    // not JSON
  }
  return text.trim().slice(0, 300) || response.statusText;
}

/** Turns a failed GitHub answer into a coded error (404 is the caller's to handle first). */
async function githubFailure(response: Response, what: string): Promise<VouchError> {
  const message = await messageOf(response);
  if (isRateLimited(response)) {
    const reset = response.headers.get('x-ratelimit-reset');
    const when =
      reset && /^\d+$/.test(reset)
        ? ` (resets at ${new Date(Number(reset) * 1000).toISOString()})`
        : '';
    return new VouchError(
      'VERIFY_FETCH_RATE_LIMITED',
      `${what}: GitHub answered ${response.status} ${message}${when}`,
    );
  }
  if (response.status === 401 || response.status === 403) {
    return new VouchError(
      'VERIFY_FETCH_DENIED',
      `${what}: GitHub refused the read (${response.status}: ${message})`,
    );
  }
  return new VouchError(
    'VERIFY_FETCH_FAILED',
    `${what}: GitHub answered ${response.status} ${message}`,
  );
}

interface GitHubContext {
  readonly apiUrl: string;
  readonly headers: Record<string, string>;
  readonly retry: RetryOptions;
  readonly max: number;
  readonly maxPages: number;
}

function githubContext(options: FetchBundlesOptions): GitHubContext {
  const { authorization: _none, ...anonymous } = githubHeaders('');
  return {
    apiUrl: (options.apiUrl || DEFAULT_API_URL).replace(/\/+$/, ''),
    headers: options.token ? githubHeaders(options.token) : anonymous,
    retry: {
      onRetry: (attempt: number, status: number | string, delayMs: number) =>
        options.logger?.warn(
          `GitHub answered ${status}; retrying in ${Math.ceil(delayMs / 1000)} s (${attempt})`,
        ),
      ...(options.retry ?? {}),
    },
    max: options.maxBundleBytes ?? DEFAULT_MAX_BUNDLE_BYTES,
    maxPages: options.maxPages ?? 10,
  };
}

async function githubGet(
  url: string,
  ctx: GitHubContext,
  what: string,
  accept?: string,
): Promise<Response> {
  return fetchWithRetry(
    url,
    { headers: accept ? { ...ctx.headers, accept } : ctx.headers },
    ctx.retry,
  ).catch((error: unknown) => {
    throw new VouchError(
      'VERIFY_FETCH_FAILED',
      `${what}: GitHub unreachable (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  });
}

/** The `rel="next"` URL of a Link header, if any. */
export function nextLink(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /^\s*<([^>]+)>(.*)$/.exec(part);
    const rel = m && /;\s*rel="?([^";]*)"?/i.exec(m[2]!);
    if (rel && rel[1]!.toLowerCase().split(/\s+/).includes('next')) return m[1];
  }
  return undefined;
}

/**
 * A bundle kept in GitHub's bundle storage (`bundle_url`): a Snappy block of the bundle JSON,
 * fetched without the GitHub token (the URL carries its own grant) and decompressed under the cap.
 */
async function fetchBundleUrl(
  bundleUrl: string,
  source: string,
  ctx: GitHubContext,
): Promise<LoadedBundle[]> {
  let target: URL;
  try {
    target = new URL(bundleUrl);
  } catch {
    throw new VouchError(
      'VERIFY_FETCH_FAILED',
      `${source}: bundle_url "${bundleUrl}" is not a URL`,
    );
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname);
  if (target.protocol !== 'https:' && !loopback && target.origin !== new URL(ctx.apiUrl).origin) {
    throw new VouchError(
      'VERIFY_FETCH_FAILED',
      `${source}: bundle_url ${target.origin} is neither HTTPS, loopback nor the API's own origin`,
    );
  }
  const response = await fetchWithRetry(
    target,
    { headers: { 'user-agent': ctx.headers['user-agent'] ?? 'vouch' } },
    ctx.retry,
  ).catch((error: unknown) => {
    throw new VouchError(
      'VERIFY_FETCH_FAILED',
      `${source}: bundle storage unreachable (${(error as Error).message})`,
      { cause: error },
    );
  });
  if (response.status === 404) {
    await response.body?.cancel().catch(() => {});
    throw new VouchError('VERIFY_FETCH_FAILED', `${source}: bundle_url answered 404 (expired?)`);
  }
  if (!response.ok) throw await githubFailure(response, `${source}: bundle_url`);
  const compressed = await readCapped(response, ctx.max, source);
  const text = decompressSnappy(compressed, ctx.max, source).toString('utf8');
  return parseBundleText(text, source, ctx.max);
}

/**
 * Attestations of one digest from a listing endpoint, following Link pages on the same origin.
 * Returns [] when GitHub knows no attestation for the digest (404 or an empty list).
 */
async function listAttestations(
  path: string,
  digest: string,
  ctx: GitHubContext,
): Promise<LoadedBundle[]> {
  if (!SHA256_DIGEST.test(digest)) {
    throw new VouchError(
      'VERIFY_ARTIFACT_INVALID',
      `the GitHub attestations API is looked up by sha256 digest; "${digest}" is not one`,
    );
  }
  const origin = new URL(ctx.apiUrl).origin;
  let url: string | undefined = `${ctx.apiUrl}${path}/attestations/${digest}?per_page=100`;
  const out: LoadedBundle[] = [];
  for (let page = 1; url; page++) {
    if (page > ctx.maxPages) {
      throw new VouchError(
        'VERIFY_FETCH_FAILED',
        `${path}/attestations/${digest}: more than ${ctx.maxPages} pages of attestations`,
      );
    }
    const what = `GET ${path}/attestations/${digest}${page > 1 ? ` (page ${page})` : ''}`;
    const response = await githubGet(url, ctx, what);
    if (response.status === 404) {
      await response.body?.cancel().catch(() => {});
      if (page === 1) return [];
      throw new VouchError('VERIFY_FETCH_FAILED', `${what}: a later page answered 404`);
    }
    if (!response.ok) throw await githubFailure(response, what);
    const text = (await readCapped(response, ctx.max, url)).toString('utf8');
    let doc: unknown;
    try {
      doc = parseJsonSafe(text, url, { maxBytes: ctx.max, maxDepth: 34 });
    } catch (error) {
      if (
        error instanceof VouchError &&
        (error.code === 'FILE_TOO_LARGE' || error.code === 'UNSAFE_KEY')
      )
        throw error;
      throw new VouchError('VERIFY_FETCH_FAILED', `${what}: the answer is not JSON`, {
        cause: error,
      });
    }
    const list = (doc as { attestations?: unknown } | null)?.attestations;
    if (!doc || typeof doc !== 'object' || !Array.isArray(list)) {
      throw new VouchError('VERIFY_FETCH_FAILED', `${what}: the answer has no attestations list`);
    }
    const source = page === 1 ? `${ctx.apiUrl}${path}/attestations/${digest}` : url;
    for (const [i, entry] of (list as unknown[]).entries()) {
      const e = entry as { bundle?: unknown; bundle_url?: unknown; predicateType?: unknown } | null;
      const hint =
        e && typeof e === 'object' && typeof e.predicateType === 'string'
          ? { predicateTypeHint: e.predicateType }
          : {};
      const at = `${source}#attestations[${i}]`;
      if (e && typeof e === 'object' && e.bundle && typeof e.bundle === 'object') {
        const bundleText = JSON.stringify(e.bundle);
        if (Buffer.byteLength(bundleText) > ctx.max) {
          throw new VouchError(
            'FILE_TOO_LARGE',
            `${at} is larger than the ${ctx.max}-byte bundle limit`,
          );
        }
        out.push({
          source: at,
          json: e.bundle,
          sha256: createHash('sha256').update(bundleText).digest('hex'),
          ...hint,
        });
      } else if (e && typeof e === 'object' && typeof e.bundle_url === 'string') {
        out.push(...(await fetchBundleUrl(e.bundle_url, at, ctx)).map((b) => ({ ...b, ...hint })));
      } else {
        throw new VouchError(
          'VERIFY_BUNDLE_INVALID',
          `${at} has neither a bundle nor a bundle_url`,
        );
      }
    }
    const next = nextLink(response.headers.get('link'));
    if (next !== undefined && new URL(next, url).origin !== origin) {
      throw new VouchError(
        'VERIFY_FETCH_FAILED',
        `${what}: the next page is on another host (${new URL(next, url).origin}); not followed`,
      );
    }
    url = next === undefined ? undefined : new URL(next, url).toString();
  }
  return out;
}

/** Bundles for one digest from `GET /repos/{owner}/{repo}/attestations/{digest}`. */
export async function fetchGitHubAttestations(
  repository: string,
  digest: string,
  options: FetchBundlesOptions = {},
): Promise<LoadedBundle[]> {
  parseGitHubSource(repository);
  return listAttestations(`/repos/${repository}`, digest, githubContext(options));
}

/** Bundles for one digest from `GET /orgs/{org}/attestations/{digest}`. */
export async function fetchGitHubOrgAttestations(
  org: string,
  digest: string,
  options: FetchBundlesOptions = {},
): Promise<LoadedBundle[]> {
  parseGitHubOrgSource(org);
  return listAttestations(`/orgs/${org}`, digest, githubContext(options));
}

interface ReleaseAsset {
  readonly id?: unknown;
  readonly name?: unknown;
  readonly size?: unknown;
  readonly url?: unknown;
}

/** Bundles among the assets of a release: *.sigstore.json, *.sigstore, *.intoto.jsonl (one per line). */
export async function fetchReleaseBundles(
  repository: string,
  tag: string,
  options: FetchBundlesOptions = {},
): Promise<LoadedBundle[]> {
  parseReleaseSource(`${repository}@${tag}`);
  const ctx = githubContext(options);
  const what = `release ${tag} of ${repository}`;
  const url = `${ctx.apiUrl}/repos/${repository}/releases/tags/${encodeURIComponent(tag)}`;
  const response = await githubGet(url, ctx, what);
  if (response.status === 404) {
    await response.body?.cancel().catch(() => {});
    throw new VouchError('RELEASE_NOT_FOUND', `no GitHub release for tag ${tag} in ${repository}`);
  }
  if (!response.ok) throw await githubFailure(response, what);
  let release: { assets?: unknown };
  try {
    release = parseJsonSafe((await readCapped(response, ctx.max, url)).toString('utf8'), url, {
      maxBytes: ctx.max,
    }) as { assets?: unknown };
  } catch (error) {
    if (error instanceof VouchError && error.code !== 'JSON_INVALID') throw error;
    throw new VouchError('VERIFY_FETCH_FAILED', `${what}: the answer is not JSON`, {
      cause: error,
    });
  }
  if (!release || typeof release !== 'object' || !Array.isArray(release.assets)) {
    throw new VouchError('VERIFY_FETCH_FAILED', `${what}: the answer has no assets list`);
  }
  const origin = new URL(ctx.apiUrl).origin;
  const out: LoadedBundle[] = [];
  for (const asset of release.assets as ReleaseAsset[]) {
    if (!asset || typeof asset.name !== 'string' || !BUNDLE_ASSET.test(asset.name)) continue;
    if (typeof asset.url !== 'string' || new URL(asset.url, url).origin !== origin) {
      throw new VouchError(
        'VERIFY_FETCH_FAILED',
        `${what}: asset ${asset.name} has no API URL on ${origin}`,
      );
    }
    if (typeof asset.size === 'number' && asset.size > ctx.max) {
      throw new VouchError(
        'FILE_TOO_LARGE',
        `release asset ${asset.name} (${asset.size} bytes) is larger than the ${ctx.max}-byte bundle limit`,
      );
    }
    const assetUrl = new URL(asset.url, url).toString();
    const download = await githubGet(
      assetUrl,
      ctx,
      `release asset ${asset.name}`,
      'application/octet-stream',
    );
    if (!download.ok) throw await githubFailure(download, `release asset ${asset.name}`);
    const text = (await readCapped(download, ctx.max, assetUrl)).toString('utf8');
    const source = `${repository}@${tag}/${asset.name}`;
    if (asset.name.endsWith('.intoto.jsonl')) {
      text.split('\n').forEach((line, i) => {
        if (line.trim() !== '') out.push(...parseBundleText(line, `${source}:${i + 1}`, ctx.max));
      });
    } else out.push(...parseBundleText(text, source, ctx.max));
  }
  return out;
}

function isBundleMediaType(value: unknown): boolean {
  return typeof value === 'string' && BUNDLE_MEDIA_TYPE.test(value);
}

const sha256 = (data: Buffer): string =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`;

interface OciReader {
  readonly client: RegistryClient;
  readonly image: OciReference;
  readonly max: number;
}

async function ociGet(
  reader: OciReader,
  path: string,
  accept: string,
  what: string,
): Promise<Response> {
  try {
    return await reader.client.request(path, { headers: { accept } });
  } catch (error) {
    throw new VouchError(
      'VERIFY_FETCH_FAILED',
      `${what}: registry ${reader.image.registry} unreachable (${(error as Error).message})`,
      { cause: error },
    );
  }
}

async function ociFailure(
  reader: OciReader,
  response: Response,
  what: string,
): Promise<VouchError> {
  const text = (await readCapped(response, 64 * 1024, 'error body').catch(() => Buffer.alloc(0)))
    .toString('utf8')
    .slice(0, 300)
    .trim();
  const detail = `${what}: registry ${reader.image.registry} answered ${response.status}${text ? ` (${text})` : ''}`;
  if (response.status === 401 || response.status === 403)
    return new VouchError('VERIFY_FETCH_DENIED', detail, {
      hint: 'Give registry credentials (VOUCH_REGISTRY_USERNAME / VOUCH_REGISTRY_PASSWORD; for ghcr.io the GitHub token).',
    });
  return new VouchError('VERIFY_FETCH_FAILED', detail);
}

/** Reads a content-addressed object and holds it to its digest (and announced size). */
async function ociContent(
  reader: OciReader,
  kind: 'manifests' | 'blobs',
  descriptor: { digest: string; size?: number },
  accept: string,
): Promise<Buffer> {
  const what = `${reader.image.repository}@${descriptor.digest}`;
  if (!SHA256_DIGEST.test(descriptor.digest)) {
    throw new VouchError('VERIFY_FETCH_FAILED', `${what}: not a sha256 digest`);
  }
  if (typeof descriptor.size === 'number' && descriptor.size > reader.max) {
    throw new VouchError(
      'FILE_TOO_LARGE',
      `${what} (${descriptor.size} bytes) is larger than the ${reader.max}-byte bundle limit`,
    );
  }
  const response = await ociGet(reader, `/${kind}/${descriptor.digest}`, accept, what);
  if (!response.ok) throw await ociFailure(reader, response, `reading ${what}`);
  const body = await readCapped(response, reader.max, what);
  if (sha256(body) !== descriptor.digest) {
    throw new VouchError(
      'VERIFY_FETCH_FAILED',
      `${what}: the registry served content of digest ${sha256(body)}`,
    );
  }
  if (typeof descriptor.size === 'number' && body.length !== descriptor.size) {
    throw new VouchError(
      'VERIFY_FETCH_FAILED',
      `${what}: ${body.length} bytes served, ${descriptor.size} announced`,
    );
  }
  return body;
}

function parseIndex(body: Buffer, what: string): Descriptor[] {
  let index: { manifests?: unknown };
  try {
    index = parseJsonSafe(body.toString('utf8'), what, { maxDepth: 16 }) as { manifests?: unknown };
  } catch (error) {
    throw new VouchError('VERIFY_FETCH_FAILED', `${what}: not an image index`, { cause: error });
  }
  if (!index || typeof index !== 'object' || !Array.isArray(index.manifests)) {
    throw new VouchError('VERIFY_FETCH_FAILED', `${what}: not an image index`);
  }
  return (index.manifests as unknown[]).filter(
    (m): m is Descriptor =>
      !!m && typeof m === 'object' && typeof (m as Descriptor).digest === 'string',
  );
}

/**
 * The referrers of the image: the Referrers API, and the referrers tag scheme (`sha256-<hex>`,
 * written by our store on registries without that API, as cosign and GitHub do).
 */
async function listReferrers(reader: OciReader): Promise<Descriptor[]> {
  const found = new Map<string, Descriptor>();
  const api = await ociGet(reader, `/referrers/${reader.image.digest}`, OCI_INDEX, 'referrers');
  if (api.ok && (api.headers.get('content-type') ?? '').startsWith(OCI_INDEX)) {
    const body = await readCapped(api, reader.max, `referrers of ${reader.image.digest}`);
    for (const d of parseIndex(body, `referrers of ${reader.image.digest}`)) found.set(d.digest, d);
  } else if (api.status === 401 || api.status === 403) {
    throw await ociFailure(reader, api, `listing referrers of ${reader.image.digest}`);
  } else if (api.ok || api.status === 404 || api.status === 400 || api.status === 405) {
    // No Referrers API here (a 404, or some other answer than an index): the tag scheme holds them.
    await api.body?.cancel().catch(() => {});
  } else throw await ociFailure(reader, api, `listing referrers of ${reader.image.digest}`);
  const tag = referrersTag(reader.image.digest);
  const tagged = await ociGet(reader, `/manifests/${tag}`, OCI_INDEX, `tag ${tag}`);
  if (tagged.ok) {
    const body = await readCapped(tagged, reader.max, `${reader.image.repository}:${tag}`);
    for (const d of parseIndex(body, `${reader.image.repository}:${tag}`))
      if (!found.has(d.digest)) found.set(d.digest, d);
  } else if (tagged.status === 404) await tagged.body?.cancel().catch(() => {});
  else throw await ociFailure(reader, tagged, `reading ${reader.image.repository}:${tag}`);
  return [...found.values()];
}

/** Bundles attached to an image as referrers with a Sigstore bundle artifact type. */
export async function fetchOciBundles(
  image: string,
  options: FetchBundlesOptions = {},
): Promise<LoadedBundle[]> {
  parseOciSource(image);
  const ref = parseOciReference(image)!.ref!;
  const reader: OciReader = {
    client: new RegistryClient(ref.registry, ref.repository, options.registry ?? {}),
    image: ref,
    max: options.maxBundleBytes ?? DEFAULT_MAX_BUNDLE_BYTES,
  };
  const out: LoadedBundle[] = [];
  for (const descriptor of await listReferrers(reader)) {
    if (!isBundleMediaType(descriptor.artifactType)) continue;
    const body = await ociContent(reader, 'manifests', descriptor, OCI_MANIFEST);
    const where = `${ref.registry}/${ref.repository}@${descriptor.digest}`;
    let manifest: {
      artifactType?: unknown;
      subject?: { digest?: unknown };
      layers?: unknown;
    };
    try {
      manifest = parseJsonSafe(body.toString('utf8'), where, { maxDepth: 16 }) as typeof manifest;
    } catch (error) {
      throw new VouchError('VERIFY_FETCH_FAILED', `${where}: not a manifest`, { cause: error });
    }
    if (manifest?.subject?.digest !== ref.digest) {
      // Listed under this image but attached to another one: not a referrer of it.
      options.logger?.warn(
        `${where} is listed as a referrer of ${ref.digest} but names another subject; skipped`,
      );
      continue;
    }
    if (!isBundleMediaType(manifest.artifactType) || !Array.isArray(manifest.layers)) continue;
    for (const layer of manifest.layers as Descriptor[]) {
      if (!layer || !isBundleMediaType(layer.mediaType) || typeof layer.digest !== 'string')
        continue;
      const blob = await ociContent(reader, 'blobs', layer, '*/*');
      out.push(...parseBundleText(blob.toString('utf8'), where, reader.max));
    }
  }
  return out;
}

/**
 * Fetches the bundles of every source. GitHub API sources are asked for each artifact digest
 * given; a source that yields no bundle at all is a refusal naming it (and the digests).
 */
export async function fetchBundles(
  sources: readonly BundleSource[],
  options: FetchBundlesOptions = {},
): Promise<LoadedBundle[]> {
  const out: LoadedBundle[] = [];
  const maxBundles = options.maxBundles ?? 1000;
  for (const source of sources) {
    let found: LoadedBundle[] = [];
    const digests = options.digests ?? [];
    switch (source.kind) {
      case 'github':
      case 'github-org': {
        const sha256Digests = digests.filter((d) => d.startsWith('sha256:'));
        if (sha256Digests.length === 0) {
          throw new VouchError(
            'VERIFY_ARTIFACT_INVALID',
            `${describeSource(source)} are looked up by sha256 digest, and no artifact has one`,
          );
        }
        const missing: string[] = [];
        for (const digest of sha256Digests) {
          const got =
            source.kind === 'github'
              ? await fetchGitHubAttestations(source.repository, digest, options)
              : await fetchGitHubOrgAttestations(source.org, digest, options);
          if (got.length === 0) missing.push(digest);
          found.push(...got);
          if (found.length > maxBundles) break;
        }
        if (found.length === 0) {
          throw new VouchError(
            'VERIFY_NO_ATTESTATIONS',
            `${describeSource(source)}: none for ${missing.join(', ')}`,
          );
        }
        for (const digest of missing)
          options.logger?.warn(`${describeSource(source)}: none for ${digest}`);
        break;
      }
      case 'oci':
        found = await fetchOciBundles(source.image, options);
        if (found.length === 0) {
          throw new VouchError(
            'VERIFY_NO_ATTESTATIONS',
            `${describeSource(source)}: no referrer is a Sigstore bundle`,
          );
        }
        break;
      case 'release':
        found = await fetchReleaseBundles(source.repository, source.tag, options);
        if (found.length === 0) {
          throw new VouchError(
            'VERIFY_NO_ATTESTATIONS',
            `${describeSource(source)}: no asset named *.sigstore.json, *.sigstore or *.intoto.jsonl`,
          );
        }
        break;
    }
    if (found.length > maxBundles) {
      throw new VouchError(
        'VERIFY_FETCH_FAILED',
        `${describeSource(source)}: more than ${maxBundles} bundles; refused`,
      );
    }
    options.logger?.info(`${describeSource(source)}: ${found.length} bundle(s)`);
    out.push(...found);
  }
  return out;
}
