/**
 * Where trust material comes from: a trusted_root.json file, or a shipped Sigstore instance root
 * (the public-good instance, or GitHub's own instance used for private repositories and GitHub's
 * release attestations). A shipped root is updated through its TUF repository when online
 * (falling back to the shipped copy, with a warning about its age), or used as shipped (offline,
 * the default).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../core/logger.ts';
import { parseJsonSafe } from '../../core/safe-parse.ts';
import { VouchError } from '../../errors.ts';
import { cjsExports } from '../module-interop.ts';
import shippedMeta from './trust/fetched.json' with { type: 'json' };
import githubRoot from './trust/github.trusted_root.json' with { type: 'json' };
import githubTufRoot from './trust/github.tuf-root.json' with { type: 'json' };
import publicGoodRoot from './trust/public-good.trusted_root.json' with { type: 'json' };

/** The Sigstore instances whose trusted root ships with vouch. */
export const SHIPPED_INSTANCES = ['public-good', 'github'] as const;
export type ShippedInstance = (typeof SHIPPED_INSTANCES)[number];

// Imported, not read from disk: bundles carry them (a bundle has no trust/ folder beside it).
const SHIPPED_ROOTS: Record<ShippedInstance, unknown> = {
  'public-good': publicGoodRoot,
  github: githubRoot,
};

interface TufRepository {
  readonly label: string;
  readonly mirror: string;
  /** The TUF root.json to start from; `undefined`: the one @sigstore/tuf embeds. */
  readonly root: unknown;
}

const TUF_REPOSITORIES: Record<ShippedInstance, TufRepository> = {
  'public-good': {
    label: 'Sigstore public-good',
    mirror: 'https://tuf-repo-cdn.sigstore.dev',
    root: undefined,
  },
  github: {
    label: 'GitHub Sigstore instance',
    mirror: 'https://tuf-repo.github.com',
    root: githubTufRoot,
  },
};

/** A shipped root older than this earns a warning. */
export const STALE_AFTER_DAYS = 90;

export type TrustSource =
  | { readonly kind: 'file'; readonly path: string }
  | {
      readonly kind: ShippedInstance;
      readonly online?: boolean;
      readonly cacheDir?: string;
      /** Another mirror of the instance's TUF repository (tests: a loopback server). */
      readonly mirror?: string;
      /** The TUF root.json to trust first for `mirror` (default: the instance's own). */
      readonly tufRoot?: unknown;
    };

export interface TrustDocument {
  readonly doc: unknown;
  /** Human description: the path, `NAME (TUF)` or `NAME (shipped copy of DATE)`. */
  readonly source: string;
  readonly fetchedAt?: string;
}

/**
 * Reads a `--trusted-root` value: `public-good` or `github` (a shipped instance root, updated
 * through TUF when `online`), or the path of a trusted_root.json (`./github` for a file so named).
 */
export function trustSourceOf(value: string | undefined, online: boolean): TrustSource {
  if (value === undefined || value === '') return { kind: 'public-good', online };
  if ((SHIPPED_INSTANCES as readonly string[]).includes(value)) {
    return { kind: value as ShippedInstance, online };
  }
  return { kind: 'file', path: value };
}

export function readShippedRoot(name: ShippedInstance): { doc: unknown; fetchedAt: string } {
  const meta = shippedMeta as Record<string, { fetchedAt: string }>;
  return { doc: structuredClone(SHIPPED_ROOTS[name]), fetchedAt: meta[name]!.fetchedAt };
}

/** Loads the trusted root document for a run (once). */
export async function loadTrustDocument(
  source: TrustSource,
  deps: { readonly logger: Logger; readonly now: Date },
): Promise<TrustDocument> {
  if (source.kind === 'file') return readTrustFile(source.path);
  const repo = TUF_REPOSITORIES[source.kind];
  if (source.online) {
    try {
      return {
        doc: await fetchThroughTuf(source, repo),
        source: `${source.kind} (TUF)`,
        fetchedAt: deps.now.toISOString(),
      };
    } catch (error) {
      deps.logger.warn(
        `could not update the ${repo.label} trusted root through TUF from ${source.mirror ?? repo.mirror} (${(error as Error).message}); using the shipped copy`,
      );
    }
  }
  const shipped = readShippedRoot(source.kind);
  const ageDays = Math.floor((deps.now.getTime() - Date.parse(shipped.fetchedAt)) / 86_400_000);
  if (ageDays > STALE_AFTER_DAYS) {
    deps.logger.warn(
      `the shipped ${repo.label} trusted root is ${ageDays} days old (fetched ${shipped.fetchedAt.slice(0, 10)}); keys rotated since then are unknown to it. Pass --trusted-root FILE or run online.`,
    );
  }
  return {
    doc: shipped.doc,
    source: `${source.kind} (shipped copy of ${shipped.fetchedAt.slice(0, 10)})`,
    fetchedAt: shipped.fetchedAt,
  };
}

function readTrustFile(path: string): TrustDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new VouchError('FILE_UNREADABLE', `cannot read trusted root ${path}`, { cause: error });
  }
  let doc: unknown;
  try {
    doc = parseJsonSafe(text, path, { maxBytes: 4 * 1024 * 1024 });
  } catch (error) {
    throw new VouchError('VERIFY_TRUST_ROOT_INVALID', (error as Error).message, { cause: error });
  }
  return { doc, source: path };
}

async function fetchThroughTuf(
  source: Exclude<TrustSource, { kind: 'file' }>,
  repo: TufRepository,
): Promise<unknown> {
  const tuf = cjsExports(await import('@sigstore/tuf'));
  const mirrorURL = source.mirror ?? repo.mirror;
  const firstRoot = source.mirror !== undefined ? source.tufRoot : repo.root;
  let rootPath: string | undefined;
  if (firstRoot !== undefined) {
    // @sigstore/tuf seeds its cache from a file; the root ships inside the bundle.
    const dir = join(source.cacheDir ?? tmpdir(), 'vouch-tuf-roots');
    mkdirSync(dir, { recursive: true });
    rootPath = join(dir, `${encodeURIComponent(mirrorURL)}.root.json`);
    writeFileSync(rootPath, JSON.stringify(firstRoot));
  } else if (source.mirror !== undefined) {
    throw new Error(`no TUF root.json to start from for ${mirrorURL}`);
  }
  const root = await tuf.getTrustedRoot({
    mirrorURL,
    ...(rootPath ? { rootPath } : {}),
    ...(source.cacheDir ? { cachePath: source.cacheDir } : {}),
    retry: 1,
    timeout: 10_000,
  });
  const { TrustedRoot } = cjsExports(await import('@sigstore/protobuf-specs'));
  return TrustedRoot.toJSON(root);
}
