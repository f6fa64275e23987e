/** Inputs and deps for calling an action's run() directly. */
import type { InputName, InputReader } from '../../src/actions/shared/inputs.ts';
import type { ActionDeps } from '../../src/actions/shared/run.ts';
import { silentLogger } from '../../src/core/logger.ts';

export function reader(values: Partial<Record<InputName, string>>): InputReader {
  const get = (n: InputName): string => values[n] ?? '';
  return {
    string: (n) => get(n).trim(),
    list: (n) =>
      get(n)
        .split('\n')
        .map((s) => s.trim())
        .filter((s) => s && !s.startsWith('#')),
    boolean: (n) => get(n).trim() === 'true',
    secret: (n) => get(n).trim(),
  };
}

export function captureDeps(
  workspace: string,
  env: NodeJS.ProcessEnv,
): ActionDeps & { outputs: Map<string, string>; summaries: string[] } {
  const outputs = new Map<string, string>();
  const summaries: string[] = [];
  return {
    logger: { ...silentLogger, summary: async (md: string) => void summaries.push(md) },
    setOutput: (name, value) => void outputs.set(name, String(value)),
    workspace,
    env,
    outputs,
    summaries,
  };
}
