import { resolve } from 'node:path';
import { VouchError } from '../../errors.ts';
import type { GenerateResult } from '../../adapters/sbom/generate.ts';
import { listValue, stringValue, type CommandSpec } from '../command.ts';

/** The `--json` result: where the SBOM went and what it holds. */
export function sbomResult(
  result: GenerateResult,
  format: 'cyclonedx' | 'spdx',
  specVersion: string,
  path: string | null,
): Record<string, unknown> {
  const scopes = { required: 0, optional: 0, dev: 0 };
  let files = 0;
  for (const c of result.sbom.components) {
    scopes[c.scope]++;
    if (c.type === 'file') files++;
  }
  let edges = 0;
  for (const to of result.sbom.dependencies.values()) edges += to.length;
  return {
    ok: true,
    format,
    ...(format === 'cyclonedx' ? { specVersion } : { specVersion: '2.3' }),
    path,
    lockfile: result.lockfile,
    lockfileKind: result.kind,
    root: result.sbom.root
      ? { name: result.sbom.root.name, version: result.sbom.root.version ?? null }
      : null,
    components: result.sbom.components.length,
    scopes,
    files,
    dependencyEdges: edges,
    warnings: result.warnings.length,
  };
}

const command: CommandSpec = {
  name: 'sbom',
  summary: 'Generate a CycloneDX or SPDX SBOM from lockfiles (npm, pnpm, yarn, Cargo)',
  usage:
    'vouch sbom [DIR] [--format cyclonedx|spdx] [--spec-version 1.6|1.5] [--omit dev|optional]... [--file GLOB]... [--reproducible] [--output FILE]',
  examples: [
    'vouch sbom . --format cyclonedx --file "dist/*.tgz" --reproducible --output sbom.cdx.json',
  ],
  positionals: { name: 'DIR', min: 0, max: 1 },
  options: {
    format: {
      type: 'string',
      value: 'cyclonedx|spdx',
      description: 'Output format (default: cyclonedx).',
    },
    'spec-version': {
      type: 'string',
      value: '1.6|1.5',
      description: 'CycloneDX spec version (default: 1.6).',
    },
    lockfile: {
      type: 'string',
      value: 'FILE',
      description: 'Use this lockfile instead of detecting one.',
    },
    omit: {
      type: 'string',
      multiple: true,
      value: 'dev|optional',
      description: 'Leave out dev or optional dependencies.',
    },
    file: {
      type: 'string',
      multiple: true,
      value: 'GLOB',
      description: 'Add release files as components with hashes.',
    },
    reproducible: {
      type: 'boolean',
      description: 'Byte-identical output (also on with SOURCE_DATE_EPOCH).',
    },
    validate: {
      type: 'boolean',
      description: 'Validate against the CycloneDX / SPDX JSON schema before writing.',
    },
    output: {
      type: 'string',
      short: 'o',
      value: 'FILE',
      description:
        'Write here instead of standard output (with --json, stdout then carries only the result).',
    },
  },
  run: async (ctx) => {
    const format = stringValue(ctx.values, 'format') ?? 'cyclonedx';
    if (format !== 'cyclonedx' && format !== 'spdx') {
      throw new VouchError(
        'USAGE_INVALID_VALUE',
        `--format must be cyclonedx or spdx, not "${format}"`,
      );
    }
    const specVersion = stringValue(ctx.values, 'spec-version') ?? '1.6';
    if (specVersion !== '1.6' && specVersion !== '1.5') {
      throw new VouchError(
        'USAGE_INVALID_VALUE',
        `--spec-version must be 1.6 or 1.5, not "${specVersion}"`,
      );
    }
    const omit = listValue(ctx.values, 'omit').flatMap((v) => v.split(','));
    for (const o of omit) {
      if (o !== 'dev' && o !== 'optional') {
        throw new VouchError('USAGE_INVALID_VALUE', `--omit takes dev or optional, not "${o}"`);
      }
    }
    const lockfile = stringValue(ctx.values, 'lockfile');
    const { generateSbom } = await import('../../adapters/sbom/generate.ts');
    const result = await generateSbom(
      {
        dir: ctx.positionals[0] ?? '.',
        workspace: ctx.cwd,
        ...(lockfile ? { lockfile: resolve(ctx.cwd, lockfile) } : {}),
        formats: [format],
        specVersion,
        omit: omit as ('dev' | 'optional')[],
        files: listValue(ctx.values, 'file'),
        reproducible: ctx.values['reproducible'] === true,
        ...(ctx.env['SOURCE_DATE_EPOCH'] !== undefined
          ? { sourceDateEpoch: ctx.env['SOURCE_DATE_EPOCH'] }
          : {}),
        validate: ctx.values['validate'] === true,
      },
      { logger: ctx.logger },
    );
    const text = result.documents[format]!;
    const output = stringValue(ctx.values, 'output');
    const path = output ? resolve(ctx.cwd, output) : undefined;
    if (path) {
      const { writeFileAtomic } = await import('../../adapters/fs/atomic-write.ts');
      await writeFileAtomic(path, text);
      ctx.logger.info(
        `wrote ${path}: ${result.sbom.components.length} components from ${result.lockfile}`,
      );
    }
    if (ctx.json) {
      // The result on stdout; without --output it carries the document itself under "document".
      const summary = JSON.stringify(sbomResult(result, format, specVersion, path ?? null));
      ctx.stdout.write(
        path ? `${summary}\n` : `${summary.slice(0, -1)},"document":${text.trimEnd()}}\n`,
      );
    } else if (!path) {
      ctx.stdout.write(text);
    }
    return 0;
  },
};
export default command;
