import * as core from '@actions/core';
import { ActionsLogger } from '../../adapters/logging/actions-logger.ts';
import type { Logger } from '../../core/logger.ts';
import { toVouchError } from '../../errors.ts';
import { actionsInputReader, type InputReader } from './inputs.ts';

export interface ActionDeps {
  readonly logger: Logger;
  setOutput(name: string, value: string | number | boolean): void;
  /** The workspace root: GITHUB_WORKSPACE, else the working directory. */
  readonly workspace: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The one place an action turns a failure into `core.setFailed`, with the error code in the
 * message. Entry files call this and nothing else.
 */
export async function runAction<I>(
  readInputs: (reader: InputReader, env: NodeJS.ProcessEnv) => I,
  main: (inputs: I, deps: ActionDeps) => Promise<void>,
): Promise<void> {
  const logger = new ActionsLogger();
  try {
    const inputs = readInputs(actionsInputReader(), process.env);
    await main(inputs, {
      logger,
      setOutput: (name, value) => core.setOutput(name, String(value)),
      workspace: process.env['GITHUB_WORKSPACE'] || process.cwd(),
      env: process.env,
    });
  } catch (thrown) {
    const error = toVouchError(thrown);
    core.setFailed(`[${error.code}] ${error.message} (hint: ${error.hint})`);
  }
}
