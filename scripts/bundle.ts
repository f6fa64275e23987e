/**
 * Builds one bundle per action (dist/<name>/) and one for the CLI (dist/cli/) with esbuild.
 * Each bundle is split so that heavy stacks (Sigstore, cloud SDKs) sit in chunks that load only
 * when the code path that needs them runs.
 */
import { build, type BuildOptions } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

export const ACTIONS = readdirSync(join(root, 'src/actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'shared')
  .map((d) => d.name)
  .sort();

export function bundleOptions(name: string, entry: string): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: { index: entry },
    outdir: join(root, 'dist', name),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    minify: true,
    keepNames: true,
    legalComments: 'none',
    charset: 'utf8',
    chunkNames: 'chunks/[name]-[hash]',
    // Native addon: loaded from node_modules at run time (see docs/sign.md, "PKCS#11 in the action").
    external: ['pkcs11js'],
    banner: {
      js: "import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  };
}

export function allBundles(): Array<[string, string]> {
  return [
    ['cli', 'src/cli/index.ts'],
    ...ACTIONS.map((a): [string, string] => [a, `src/actions/${a}/index.ts`]),
  ];
}

if (import.meta.main) {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  await Promise.all(allBundles().map(([name, entry]) => build(bundleOptions(name, entry))));
  console.log(
    `bundled: ${allBundles()
      .map(([n]) => n)
      .join(', ')}`,
  );
}
