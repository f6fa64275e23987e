import { relative } from 'node:path';
import { confineWorkspacePath, expandWorkspaceGlobs } from '../../adapters/fs/workspace-glob.ts';
import { VouchError } from '../../errors.ts';
import type { ActionDeps } from '../shared/run.ts';
import type { Inputs } from './inputs.ts';

export const OUTPUTS = ['bundle-paths'] as const;

/** Signs the release files the globs match; one bundle per file; outputs their paths. */
export async function run(inputs: Inputs, deps: ActionDeps): Promise<void> {
  if (inputs.files.length === 0) throw new VouchError('INPUT_MISSING', 'input "files" is required');
  if (!inputs.key)
    throw new VouchError('INPUT_MISSING', 'input "key" is required (`keyless` or a key reference)');
  const outputDir = inputs.outputDir
    ? await confineWorkspacePath(deps.workspace, inputs.outputDir, 'output-dir')
    : undefined;
  const signingConfig = inputs.signingConfig
    ? await confineWorkspacePath(deps.workspace, inputs.signingConfig, 'signing-config')
    : undefined;
  const { signFiles, formatSignSummary } = await import('../../adapters/sigstore/sign-files.ts');
  const files = await expandWorkspaceGlobs(inputs.files, deps.workspace);
  if (files.length === 0) {
    throw new VouchError('SIGN_NO_FILES', `no files match: ${inputs.files.join(', ')}`);
  }
  for (const f of files) {
    if (/[\r\n]/.test(f))
      throw new VouchError('INPUT_INVALID', 'a matched file name contains a line break');
  }
  const result = await signFiles(
    {
      files,
      key: inputs.key,
      ...(outputDir ? { outputDir } : {}),
      ...(signingConfig ? { signingConfig } : {}),
      ...(inputs.passphrase ? { passphrase: inputs.passphrase } : {}),
      ...(inputs.pkcs11Pin ? { pkcs11Pin: inputs.pkcs11Pin } : {}),
      offline: inputs.offline,
      allowUntrustedTriggers: inputs.allowUntrustedTriggers,
    },
    { env: deps.env, logger: deps.logger, cwd: deps.workspace },
  );
  deps.setOutput(
    'bundle-paths',
    result.files.map((f) => relative(deps.workspace, f.bundlePath)).join('\n'),
  );
  await deps.logger.summary(formatSignSummary(result, deps.workspace));
}
