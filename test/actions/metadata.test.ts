import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import {
  INPUT_DESCRIPTIONS,
  type InputName,
  type InputReader,
} from '../../src/actions/shared/inputs.ts';
import { ROOT } from '../helpers/cli.ts';

interface ActionYaml {
  name: string;
  description: string;
  inputs?: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs?: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

const actions = readdirSync(join(ROOT, 'actions')).sort();

function load(name: string): ActionYaml {
  return parse(readFileSync(join(ROOT, 'actions', name, 'action.yml'), 'utf8')) as ActionYaml;
}

/** An InputReader that records every name read and returns harmless values. */
function recordingReader(seen: Set<string>): InputReader {
  return {
    string: (name: InputName) => (seen.add(name), ''),
    list: (name: InputName) => (seen.add(name), []),
    boolean: (name: InputName) => (seen.add(name), false),
    secret: (name: InputName) => (seen.add(name), ''),
  };
}

test('there is one action per source folder, each with action.yml and README.md', () => {
  const sources = readdirSync(join(ROOT, 'src/actions'))
    .filter((d) => d !== 'shared')
    .sort();
  assert.deepEqual(actions, sources);
  for (const a of actions) {
    assert.ok(existsSync(join(ROOT, 'actions', a, 'action.yml')), `${a}/action.yml`);
    assert.ok(existsSync(join(ROOT, 'actions', a, 'README.md')), `${a}/README.md`);
  }
});

for (const action of actions) {
  test(`actions/${action}: node24, an existing bundle, inputs declared exactly as read`, async () => {
    const meta = load(action);
    assert.equal(meta.runs.using, 'node24');
    const main = resolve(ROOT, 'actions', action, meta.runs.main);
    assert.equal(main, join(ROOT, 'dist', action, 'index.js'));
    assert.ok(existsSync(main), `${meta.runs.main} exists`);

    const { readInputs } = (await import(`../../src/actions/${action}/inputs.ts`)) as {
      readInputs: (r: InputReader, env: NodeJS.ProcessEnv) => unknown;
    };
    const seen = new Set<string>();
    try {
      readInputs(recordingReader(seen), {});
    } catch {
      // validation may refuse the empty values; every input must have been read before that
    }
    const declared = Object.keys(meta.inputs ?? {}).sort();
    assert.deepEqual(
      [...seen].sort(),
      declared,
      'inputs read by the code == inputs declared in action.yml',
    );

    const { OUTPUTS } = (await import(`../../src/actions/${action}/main.ts`)) as {
      OUTPUTS: readonly string[];
    };
    assert.deepEqual(
      [...OUTPUTS].sort(),
      Object.keys(meta.outputs ?? {}).sort(),
      'outputs set == outputs declared',
    );
  });
}

test('an input name means the same thing in every action', () => {
  for (const action of actions) {
    for (const [name, input] of Object.entries(load(action).inputs ?? {})) {
      assert.ok(
        Object.hasOwn(INPUT_DESCRIPTIONS, name),
        `${action}: input "${name}" is not in INPUT_DESCRIPTIONS`,
      );
      assert.equal(
        input.description,
        INPUT_DESCRIPTIONS[name as InputName],
        `${action}: description of "${name}"`,
      );
    }
  }
});

test('an output name means the same thing in every action', () => {
  const meaning = new Map<string, string>();
  for (const action of actions) {
    for (const [name, output] of Object.entries(load(action).outputs ?? {})) {
      const seen = meaning.get(name);
      if (seen !== undefined) assert.equal(output.description, seen, `${action}: output "${name}"`);
      else meaning.set(name, output.description);
    }
  }
});
