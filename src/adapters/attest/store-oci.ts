/**
 * OCI registry store: the bundle is pushed as an artifact manifest (artifactType
 * application/vnd.dev.sigstore.bundle.v0.3+json) whose `subject` is the image, by digest. On a
 * registry without the referrers API (no `OCI-Subject` header on the push), the referrers tag
 * scheme is used as cosign and GitHub do: an image index tagged `sha256-<hex>` lists the
 * attestation manifests of that image.
 */
import { createHash } from 'node:crypto';
import type { OciReference } from '../../core/subjects/subjects.ts';
import { parseOciReference } from '../../core/subjects/subjects.ts';
import { VouchError } from '../../errors.ts';
import { fetchWithRetry, type RetryOptions } from './http.ts';
import { BUNDLE_V03_MEDIA_TYPE, type AttestationStore, type SignedAttestation } from './types.ts';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
const EMPTY_JSON = Buffer.from('{}');
const MANIFEST_ACCEPT = [
  OCI_MANIFEST,
  OCI_INDEX,
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

export interface RegistryOptions {
  /** Hosts reached over plain HTTP. Loopback hosts (localhost, 127.0.0.1, [::1]) always are. */
  readonly insecureHosts?: readonly string[];
  /** Credentials per registry host; used for Basic auth or to obtain a Bearer token. */
  readonly credentials?: (host: string) => RegistryCredentials | undefined;
  readonly retry?: RetryOptions;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Record<string, string>;
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '127.0.0.1' || name === '[::1]';
}

/** A minimal OCI distribution client: token auth, blobs, manifests. */
export class RegistryClient {
  readonly host: string;
  readonly repository: string;
  private readonly base: string;
  private readonly options: RegistryOptions;
  private authorization: string | undefined;

  constructor(host: string, repository: string, options: RegistryOptions = {}) {
    this.host = host;
    this.repository = repository;
    this.options = options;
    const plain = isLoopback(host) || (options.insecureHosts ?? []).includes(host);
    this.base = `${plain ? 'http' : 'https'}://${host}/v2/${repository}`;
  }

  private async authenticate(challenge: string | null): Promise<boolean> {
    const creds = this.options.credentials?.(this.host);
    if (!challenge) return false;
    if (/^basic/i.test(challenge)) {
      if (!creds) return false;
      this.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
      return true;
    }
    if (!/^bearer/i.test(challenge)) return false;
    const params = Object.fromEntries(
      [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]),
    );
    if (!params['realm']) return false;
    const url = new URL(params['realm']);
    if (params['service']) url.searchParams.set('service', params['service']);
    url.searchParams.set('scope', `repository:${this.repository}:pull,push`);
    const headers: Record<string, string> = {};
    if (creds)
      headers['authorization'] =
        `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    const response = await fetchWithRetry(url, { headers }, this.options.retry);
    if (!response.ok) return false;
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) return false;
    this.authorization = `Bearer ${token}`;
    return true;
  }

  async request(
    path: string,
    init: RequestInit & { headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.base}${path}`;
    const send = (): Promise<Response> =>
      fetchWithRetry(
        url,
        {
          ...init,
          headers: {
            ...(init.headers ?? {}),
            ...(this.authorization ? { authorization: this.authorization } : {}),
          },
        },
        this.options.retry,
      );
    let response = await send().catch((error: unknown) => {
      throw new VouchError(
        'STORE_FAILED',
        `registry ${this.host} unreachable: ${(error as Error).message}`,
        { cause: error },
      );
    });
    if (
      response.status === 401 &&
      (await this.authenticate(response.headers.get('www-authenticate')))
    ) {
      await response.body?.cancel().catch(() => {});
      response = await send();
    }
    return response;
  }

  private async fail(response: Response, what: string): Promise<never> {
    const text = (await response.text().catch(() => '')).slice(0, 300);
    const auth = response.status === 401 || response.status === 403;
    throw new VouchError(
      'STORE_FAILED',
      `registry ${this.host} refused ${what} for ${this.repository} (${response.status}${text ? `: ${text.trim()}` : ''})`,
      auth
        ? {
            hint: 'Log in to the registry with push rights (for ghcr.io: `packages: write` and the workflow token).',
          }
        : {},
    );
  }

  /** Media type and size of a manifest, by digest or tag; undefined when absent. */
  async headManifest(reference: string): Promise<Descriptor | undefined> {
    const response = await this.request(`/manifests/${reference}`, {
      method: 'HEAD',
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (response.status === 404) return undefined;
    if (!response.ok) return this.fail(response, `reading manifest ${reference}`);
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const size = Number(response.headers.get('content-length') ?? NaN);
    const digest = response.headers.get('docker-content-digest') ?? reference;
    if (!mediaType || !Number.isFinite(size)) {
      const get = await this.getManifest(reference);
      return get && { mediaType: get.mediaType, digest: sha256(get.body), size: get.body.length };
    }
    return { mediaType, digest, size };
  }

  async getManifest(reference: string): Promise<{ mediaType: string; body: Buffer } | undefined> {
    const response = await this.request(`/manifests/${reference}`, {
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (response.status === 404) return undefined;
    if (!response.ok) return this.fail(response, `reading manifest ${reference}`);
    const body = Buffer.from(await response.arrayBuffer());
    return { mediaType: (response.headers.get('content-type') ?? '').split(';')[0]!.trim(), body };
  }

  async pushBlob(data: Buffer): Promise<string> {
    const digest = sha256(data);
    const head = await this.request(`/blobs/${digest}`, { method: 'HEAD' });
    if (head.ok) return digest;
    const start = await this.request('/blobs/uploads/', {
      method: 'POST',
      headers: { 'content-length': '0' },
    });
    if (start.status !== 202) return this.fail(start, 'starting a blob upload');
    const location = start.headers.get('location');
    if (!location)
      throw new VouchError('STORE_FAILED', `registry ${this.host} gave no upload location`);
    const url = new URL(location, `${this.base.split('/v2/')[0]}/`);
    url.searchParams.set('digest', digest);
    const put = await this.request(url.toString(), {
      method: 'PUT',
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(data.length),
      },
      body: data,
    });
    if (put.status !== 201) return this.fail(put, `the blob upload of ${digest}`);
    return digest;
  }

  /** Pushes a manifest; returns its digest and whether the registry processed its subject (referrers API). */
  async putManifest(
    reference: string,
    mediaType: string,
    body: Buffer,
  ): Promise<{ digest: string; subjectHandled: boolean }> {
    const response = await this.request(`/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'content-type': mediaType },
      body,
    });
    if (response.status !== 201 && response.status !== 200)
      return this.fail(response, `the manifest push (${reference})`);
    return { digest: sha256(body), subjectHandled: response.headers.has('oci-subject') };
  }
}

/** The referrers tag of an image digest: `sha256:abc…` → `sha256-abc…`. */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-');
}

/** Builds the artifact manifest attaching a bundle to an image. */
export function buildBundleManifest(
  subject: Descriptor,
  bundle: Descriptor,
  predicateType: string,
): Buffer {
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: BUNDLE_V03_MEDIA_TYPE,
    config: { mediaType: OCI_EMPTY, digest: sha256(EMPTY_JSON), size: EMPTY_JSON.length },
    layers: [{ mediaType: bundle.mediaType, digest: bundle.digest, size: bundle.size }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: {
      'dev.sigstore.bundle.content': 'dsse-envelope',
      'dev.sigstore.bundle.predicateType': predicateType,
    },
  };
  return Buffer.from(JSON.stringify(manifest));
}

/** Attaches one bundle to one image by digest. Returns `HOST/REPO@sha256:…` of the attestation manifest. */
export async function attachBundle(
  image: OciReference,
  bundleText: string,
  predicateType: string,
  options: RegistryOptions = {},
): Promise<string> {
  const client = new RegistryClient(image.registry, image.repository, options);
  const subject = await client.headManifest(image.digest);
  if (!subject) {
    throw new VouchError(
      'STORE_FAILED',
      `image ${image.registry}/${image.repository}@${image.digest} is not in the registry`,
    );
  }
  if (subject.digest !== image.digest) {
    throw new VouchError(
      'STORE_FAILED',
      `registry ${image.registry} answered digest ${subject.digest} for ${image.digest}`,
    );
  }
  const bundleBytes = Buffer.from(bundleText, 'utf8');
  await client.pushBlob(EMPTY_JSON);
  const bundleDigest = await client.pushBlob(bundleBytes);
  const manifest = buildBundleManifest(
    subject,
    { mediaType: BUNDLE_V03_MEDIA_TYPE, digest: bundleDigest, size: bundleBytes.length },
    predicateType,
  );
  const manifestDigest = sha256(manifest);
  const pushed = await client.putManifest(manifestDigest, OCI_MANIFEST, manifest);
  if (!pushed.subjectHandled) {
    // Referrers tag scheme: an index tagged sha256-<hex> listing the referrers of the image.
    const tag = referrersTag(image.digest);
    const current = await client.getManifest(tag);
    let index: { schemaVersion: number; mediaType: string; manifests: Descriptor[] } = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [],
    };
    if (current) {
      try {
        const parsed = JSON.parse(current.body.toString('utf8')) as typeof index;
        if (parsed.mediaType === OCI_INDEX && Array.isArray(parsed.manifests)) index = parsed;
      } catch {
        // not an index: replaced by one
      }
    }
    if (!index.manifests.some((m) => m.digest === manifestDigest)) {
      index.manifests.push({
        mediaType: OCI_MANIFEST,
        digest: manifestDigest,
        size: manifest.length,
        artifactType: BUNDLE_V03_MEDIA_TYPE,
        annotations: {
          'dev.sigstore.bundle.content': 'dsse-envelope',
          'dev.sigstore.bundle.predicateType': predicateType,
        },
      });
      await client.putManifest(tag, OCI_INDEX, Buffer.from(JSON.stringify(index)));
    }
  }
  return `${image.registry}/${image.repository}@${manifestDigest}`;
}

/**
 * The OCI store. With a target (`--store oci:REF`), the bundle is attached to that image, which
 * must be one of the statement's subjects; without one, to every OCI image among the subjects.
 */
export function ociStore(
  target: string | undefined,
  options: RegistryOptions = {},
): AttestationStore {
  let targetRef: OciReference | undefined;
  if (target) {
    const parsed = parseOciReference(target);
    if (!parsed)
      throw new VouchError(
        'STORE_INVALID',
        `--store oci:${target}: not an image reference (REGISTRY/REPO@sha256:HEX)`,
      );
    if (!parsed.ref) {
      throw new VouchError(
        'SUBJECT_MUTABLE_REF',
        `--store oci:${target} names the image by tag only; give it by digest`,
      );
    }
    targetRef = parsed.ref;
  }
  return {
    name: 'oci',
    async store(attestation: SignedAttestation) {
      let images: readonly OciReference[] = attestation.images;
      if (targetRef) {
        const hex = targetRef.digest.slice(7);
        if (!attestation.statement.subject.some((s) => s.digest['sha256'] === hex)) {
          throw new VouchError(
            'STORE_INVALID',
            `--store oci:${target}: that image digest is not a subject of the attestation`,
            { hint: 'Give the image as a subject too (REGISTRY/REPO@sha256:HEX).' },
          );
        }
        images = [targetRef];
      }
      if (images.length === 0) {
        throw new VouchError(
          'STORE_INVALID',
          '--store oci: no OCI image among the subjects; give one as REGISTRY/REPO@sha256:HEX',
        );
      }
      const locations: string[] = [];
      for (const image of images) {
        locations.push(
          await attachBundle(
            image,
            attestation.bundleText,
            attestation.statement.predicateType,
            options,
          ),
        );
      }
      return { location: locations.join(' ') };
    },
  };
}

/**
 * Registry credentials from the environment: VOUCH_REGISTRY_USERNAME / VOUCH_REGISTRY_PASSWORD
 * for any registry, and for ghcr.io the workflow token (GITHUB_ACTOR) when none are set.
 */
export function registryOptionsFromEnv(env: NodeJS.ProcessEnv, token?: string): RegistryOptions {
  const username = env['VOUCH_REGISTRY_USERNAME'];
  const password = env['VOUCH_REGISTRY_PASSWORD'];
  const insecure = (env['VOUCH_INSECURE_REGISTRIES'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    insecureHosts: insecure,
    credentials: (host) => {
      if (username && password) return { username, password };
      if (host === 'ghcr.io' && token)
        return { username: env['GITHUB_ACTOR'] || 'token', password: token };
      return undefined;
    },
  };
}
