import { join, resolve } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '../../adapters/fs/atomic-write.ts';
import { generateSbom } from '../../adapters/sbom/generate.ts';
import { summarizeSbom } from '../../core/sbom/summary.ts';
import type { ActionDeps } from '../shared/run.ts';
import type { Inputs } from './inputs.ts';

export const OUTPUTS = ['cyclonedx-path', 'spdx-path', 'component-count'] as const;

/** Generates the SBOMs (validated before writing unless told not to), writes them, sets outputs. */
export async function run(inputs: Inputs, deps: ActionDeps): Promise<void> {
  const result = await generateSbom(
    {
      dir: inputs.path,
      workspace: deps.workspace,
      ...(inputs.lockfile ? { lockfile: inputs.lockfile } : {}),
      formats: inputs.formats,
      specVersion: inputs.specVersion,
      omit: inputs.omit,
      files: inputs.files,
      reproducible: inputs.reproducible,
      ...(inputs.sourceDateEpoch !== undefined ? { sourceDateEpoch: inputs.sourceDateEpoch } : {}),
      validate: inputs.validate,
    },
    { logger: deps.logger },
  );
  const outDir = resolve(deps.workspace, inputs.outputDir || inputs.path || '.');
  await mkdir(outDir, { recursive: true });
  if (result.documents.cyclonedx) {
    const path = join(outDir, 'sbom.cdx.json');
    await writeFileAtomic(path, result.documents.cyclonedx);
    deps.setOutput('cyclonedx-path', path);
    deps.logger.info(`wrote ${path}`);
  }
  if (result.documents.spdx) {
    const path = join(outDir, 'sbom.spdx.json');
    await writeFileAtomic(path, result.documents.spdx);
    deps.setOutput('spdx-path', path);
    deps.logger.info(`wrote ${path}`);
  }
  deps.setOutput('component-count', result.sbom.components.length);
  await deps.logger.summary(summarizeSbom(result.sbom, result.lockfile));
}
