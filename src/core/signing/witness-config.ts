/**
 * Which Sigstore services witness a signature: a Fulcio CA (keyless), Rekor (v1 or v2) and an
 * RFC 3161 TSA. Read from a Sigstore signing config (v0.2) or chosen the way GitHub's attest
 * action chooses (public repository: public-good Sigstore; private or internal: GitHub's).
 */
import { VouchError } from '../../errors.ts';
import { parseJsonSafe } from '../safe-parse.ts';

export interface WitnessConfig {
  /** Rekor transparency log; absent: no log entry. */
  readonly rekor?: {
    readonly url: string;
    readonly majorApiVersion: 1 | 2;
    /** Rekor v1 entry kind for DSSE envelopes (default `dsse`; `intoto` for older logs). */
    readonly dsseEntryType?: 'dsse' | 'intoto';
  };
  /** RFC 3161 timestamp authority; absent: no timestamp. */
  readonly tsa?: { readonly url: string };
  /** Network retries (throttling, 5xx) and per-request timeout in ms. */
  readonly retry?: number;
  readonly timeout?: number;
}

/** No witnesses: offline key-based signing. The bundle says so (no tlog entries, no timestamps). */
export const OFFLINE_WITNESSES: WitnessConfig = {};

export interface SigstoreInstance {
  readonly name: 'public-good' | 'github' | 'custom';
  readonly fulcioUrl?: string;
  readonly witnesses: WitnessConfig;
}

export const PUBLIC_GOOD_INSTANCE: SigstoreInstance = {
  name: 'public-good',
  fulcioUrl: 'https://fulcio.sigstore.dev',
  witnesses: { rekor: { url: 'https://rekor.sigstore.dev', majorApiVersion: 1 } },
};

export const GITHUB_INSTANCE: SigstoreInstance = {
  name: 'github',
  fulcioUrl: 'https://fulcio.githubapp.com',
  witnesses: { tsa: { url: 'https://timestamp.githubapp.com/api/v1/timestamp' } },
};

/**
 * GitHub's attest action: public repositories sign with public-good Sigstore; private and
 * internal ones (and an unknown visibility) with GitHub's instance (no public transparency log).
 */
export function selectSigstoreInstance(repositoryVisibility: string | undefined): SigstoreInstance {
  return repositoryVisibility === 'public' ? PUBLIC_GOOD_INSTANCE : GITHUB_INSTANCE;
}

interface ServiceEntry {
  url: string;
  majorApiVersion: number;
  start?: string;
  end?: string;
}

function services(value: unknown, field: string): ServiceEntry[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw configError(`${field} is not a list`);
  return value.map((s: unknown, i) => {
    const o = s as Record<string, unknown>;
    if (typeof o !== 'object' || o === null || typeof o['url'] !== 'string') {
      throw configError(`${field}[${i}] has no url`);
    }
    const validFor = (o['validFor'] ?? {}) as Record<string, unknown>;
    return {
      url: o['url'],
      majorApiVersion: typeof o['majorApiVersion'] === 'number' ? o['majorApiVersion'] : 1,
      ...(typeof validFor['start'] === 'string' ? { start: validFor['start'] } : {}),
      ...(typeof validFor['end'] === 'string' ? { end: validFor['end'] } : {}),
    };
  });
}

function configError(message: string): VouchError {
  return new VouchError('SIGN_SIGNING_CONFIG_INVALID', `signing config: ${message}`);
}

function pick(list: ServiceEntry[], now: Date, versions: number[]): ServiceEntry | undefined {
  const live = list.filter(
    (s) =>
      versions.includes(s.majorApiVersion) &&
      (s.start === undefined || Date.parse(s.start) <= now.getTime()) &&
      (s.end === undefined || now.getTime() <= Date.parse(s.end)),
  );
  // Prefer the newest API version we support, then the latest start.
  live.sort(
    (a, b) =>
      b.majorApiVersion - a.majorApiVersion ||
      Date.parse(b.start ?? '1970-01-01T00:00:00Z') - Date.parse(a.start ?? '1970-01-01T00:00:00Z'),
  );
  return live[0];
}

/** Parses a Sigstore signing_config.json (v0.2) into the services to use at `now`. */
export function parseSigningConfig(text: string, source: string, now: Date): SigstoreInstance {
  const doc = parseJsonSafe(text, source, { maxBytes: 1024 * 1024 }) as Record<string, unknown>;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw configError('not an object');
  const mediaType = doc['mediaType'];
  if (
    typeof mediaType !== 'string' ||
    !mediaType.startsWith('application/vnd.dev.sigstore.signingconfig.')
  ) {
    throw configError(`unknown mediaType ${String(mediaType)}`);
  }
  const ca = pick(services(doc['caUrls'], 'caUrls'), now, [1]);
  const rekor = pick(services(doc['rekorTlogUrls'], 'rekorTlogUrls'), now, [1, 2]);
  const tsa = pick(services(doc['tsaUrls'], 'tsaUrls'), now, [1]);
  return {
    name: 'custom',
    ...(ca ? { fulcioUrl: ca.url } : {}),
    witnesses: {
      ...(rekor
        ? { rekor: { url: rekor.url, majorApiVersion: rekor.majorApiVersion as 1 | 2 } }
        : {}),
      ...(tsa ? { tsa: { url: tsa.url } } : {}),
    },
  };
}

/** One line saying which witnesses a bundle got, for logs and reports. */
export function describeWitnesses(w: WitnessConfig): string {
  const parts: string[] = [];
  if (w.rekor) parts.push(`Rekor v${w.rekor.majorApiVersion} at ${w.rekor.url}`);
  if (w.tsa) parts.push(`timestamp from ${w.tsa.url}`);
  return parts.length === 0 ? 'offline: no transparency log entry, no timestamp' : parts.join(', ');
}
