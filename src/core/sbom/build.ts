/** Lockfile result + options → the SBOM model that both writers serialise. */
import { TOOL_NAME, VERSION } from '../../version.ts';
import { compareComponents } from './cyclonedx.ts';
import type { LockfileResult } from './lockfiles/common.ts';
import type { ComponentScope, Sbom, SbomComponent } from './model.ts';

export type OmitScope = 'dev' | 'optional';

export interface BuildOptions {
  /** Scopes to leave out (`--omit dev`, `--omit optional`). */
  readonly omit?: readonly OmitScope[];
  /** Release files, already hashed (type `file`). */
  readonly files?: readonly SbomComponent[];
  /** ISO 8601 creation time (from SOURCE_DATE_EPOCH when reproducible). */
  readonly timestamp?: string;
  /** Licenses found elsewhere (installed package.json files), by ref; used when the lockfile has none. */
  readonly licenses?: ReadonlyMap<string, string>;
}

/** `SOURCE_DATE_EPOCH` (seconds) → ISO 8601 without milliseconds; undefined when not a number. */
export function timestampFromEpoch(epoch: string | undefined): string | undefined {
  if (epoch === undefined || !/^\d{1,12}$/.test(epoch.trim())) return undefined;
  return new Date(Number(epoch.trim()) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Builds the model: omits scopes, fills licenses, adds files, sorts, prunes the graph. */
export function buildSbom(lock: LockfileResult, options: BuildOptions = {}): Sbom {
  const omit = new Set<ComponentScope>(options.omit ?? []);
  const licenses = options.licenses;
  const kept: SbomComponent[] = [];
  for (const c of lock.components) {
    if (omit.has(c.scope)) continue;
    const license = c.license ?? licenses?.get(c.ref);
    kept.push(license && !c.license ? { ...c, license } : c);
  }
  const files = [...(options.files ?? [])];
  const components = [...kept, ...files].sort(compareComponents);
  const known = new Set([lock.root.ref, ...components.map((c) => c.ref)]);
  const dependencies = new Map<string, string[]>();
  for (const [from, to] of lock.dependencies) {
    if (!known.has(from)) continue;
    const targets = to.filter((t) => known.has(t));
    if (targets.length > 0) dependencies.set(from, targets);
  }
  return {
    sourceFormat: 'lockfile',
    root: lock.root,
    components,
    dependencies,
    tools: [{ name: TOOL_NAME, version: VERSION }],
    ...(options.timestamp ? { timestamp: options.timestamp } : {}),
  };
}
