import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RawAdvisory } from '../../src/core/osv/database.ts';
import type { Sbom, SbomComponent } from '../../src/core/sbom/model.ts';
import { SHARED } from './cli.ts';

export const OSV_DIR = join(SHARED, 'advisories', 'osv');

/** The real OSV records of one ecosystem folder (`npm`, `crates.io`), decoded. */
export function loadRealAdvisories(folder: 'npm' | 'crates.io'): RawAdvisory[] {
  const dir = join(OSV_DIR, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({
      source: join(folder, f),
      value: JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown,
    }));
}

export interface IndexRow {
  readonly section: 'npm' | 'crates.io';
  readonly id: string;
  readonly pkg: string;
  readonly version: string;
  readonly lockfile: string;
  readonly verdict: 'affected' | 'not affected' | 'not matched';
}

/** Every "name@version (lockfile) → verdict" of INDEX.md. */
export function readIndexRows(): IndexRow[] {
  const text = readFileSync(join(OSV_DIR, 'INDEX.md'), 'utf8');
  const rows: IndexRow[] = [];
  let section: 'npm' | 'crates.io' | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('## npm')) section = 'npm';
    else if (line.startsWith('## crates.io')) section = 'crates.io';
    if (!section || !line.startsWith('| GHSA-')) continue;
    const cells = line.split(' | ');
    const id = cells[0]!.replace(/^\| /, '').trim();
    const verdicts = cells[5]!;
    for (const part of verdicts.split('<br>')) {
      const m = /^(.+)@([^@\s]+) \(([^)]+)\) → (.+)$/.exec(part.trim());
      if (!m) continue;
      const v = m[4]!.replace(/\*/g, '').trim().toLowerCase();
      const verdict = v.startsWith('affected')
        ? 'affected'
        : v.startsWith('not matched')
          ? 'not matched'
          : 'not affected';
      rows.push({ section, id, pkg: m[1]!, version: m[2]!, lockfile: m[3]!, verdict });
    }
  }
  return rows;
}

/** A one-component SBOM for a package version as a lockfile reader would model it. */
export function sbomOf(
  components: Array<{
    ecosystem: 'npm' | 'cargo';
    name: string;
    version: string;
    license?: string;
    scope?: SbomComponent['scope'];
  }>,
): Sbom {
  return {
    sourceFormat: 'lockfile',
    components: components.map((c, i) => {
      const scoped =
        c.ecosystem === 'npm' && c.name.startsWith('@') ? c.name.split('/') : undefined;
      const group = scoped ? scoped[0] : undefined;
      const name = scoped ? scoped[1]! : c.name;
      const purl = `pkg:${c.ecosystem}/${group ? `${encodeURIComponent(group)}/` : ''}${name}@${c.version}`;
      return {
        ref: `${purl}#${i}`,
        type: 'library',
        name,
        ...(group ? { group } : {}),
        version: c.version,
        purl,
        ecosystem: c.ecosystem,
        scope: c.scope ?? 'required',
        hashes: [],
        ...(c.license ? { license: c.license } : {}),
        externalReferences: [],
      } satisfies SbomComponent;
    }),
    dependencies: new Map(),
    tools: [],
  };
}
