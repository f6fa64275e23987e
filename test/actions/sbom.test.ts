import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../src/core/logger.ts';
import type { InputName, InputReader } from '../../src/actions/shared/inputs.ts';
import { readInputs } from '../../src/actions/sbom/inputs.ts';
import { run } from '../../src/actions/sbom/main.ts';
import { parseSbom } from '../../src/core/sbom/parse.ts';
import { VouchError } from '../../src/errors.ts';
import { SHARED } from '../helpers/cli.ts';

function reader(values: Partial<Record<InputName, string>>): InputReader {
  return {
    string: (n) => values[n] ?? '',
    list: (n) => (values[n] ?? '').split('\n').filter(Boolean),
    boolean: (n) => values[n] === 'true',
    secret: (n) => values[n] ?? '',
  };
}

function deps(workspace: string) {
  const outputs: Record<string, string> = {};
  const summaries: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error() {},
    group: (_t, fn) => fn(),
    progress: () => ({ tick() {}, done() {} }),
    summary: async (md) => void summaries.push(md),
    secret() {},
  };
  return {
    outputs,
    summaries,
    deps: {
      logger,
      setOutput: (n: string, v: string | number | boolean) => void (outputs[n] = String(v)),
      workspace,
      env: {},
    },
  };
}

test('action: writes validated CycloneDX and SPDX, sets outputs, summarises', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'vouch-sbom-action-'));
  cpSync(join(SHARED, 'bench/npm-medium'), join(ws, 'app'), { recursive: true });
  writeFileSync(join(ws, 'app-1.0.0.tgz'), 'release');
  const inputs = readInputs(
    reader({ path: 'app', files: 'app-*.tgz', 'output-dir': 'out', reproducible: 'true' }),
    {},
  );
  const d = deps(ws);
  await run(inputs, d.deps);
  assert.equal(d.outputs['cyclonedx-path'], join(ws, 'out/sbom.cdx.json'));
  assert.equal(d.outputs['spdx-path'], join(ws, 'out/sbom.spdx.json'));
  const cdx = parseSbom(readFileSync(d.outputs['cyclonedx-path']!, 'utf8'), 'cdx');
  const spdx = parseSbom(readFileSync(d.outputs['spdx-path']!, 'utf8'), 'spdx');
  assert.equal(Number(d.outputs['component-count']), cdx.components.length);
  assert.equal(spdx.components.length, cdx.components.length);
  const file = cdx.components.find((c) => c.type === 'file');
  assert.equal(file?.name, 'app-1.0.0.tgz');
  assert.deepEqual(
    file?.hashes.map((h) => h.alg),
    ['SHA-256', 'SHA-512'],
  );
  assert.equal(cdx.timestamp, '1970-01-01T00:00:00Z');
  assert.match(d.summaries.join('\n'), /\| npm \| 0 \| 0 \| 399 \| 399 \|/);
  assert.match(d.summaries.join('\n'), /\| MIT \| \d+ \|/);
  assert.match(d.summaries.join('\n'), /unknown license: \*\*\d+\*\*/);
});

test('action: formats, omit and SOURCE_DATE_EPOCH; bad inputs are coded', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'vouch-sbom-action-'));
  cpSync(join(SHARED, 'bench/npm-medium'), ws, { recursive: true });
  const inputs = readInputs(reader({ 'sbom-formats': 'spdx', 'sbom-omit': 'dev' }), {
    SOURCE_DATE_EPOCH: '1700000000',
  });
  const d = deps(ws);
  await run(inputs, d.deps);
  assert.equal(d.outputs['cyclonedx-path'], undefined);
  assert.equal(d.outputs['component-count'], '0');
  const doc = JSON.parse(readFileSync(d.outputs['spdx-path']!, 'utf8')) as {
    creationInfo: { created: string };
  };
  assert.equal(doc.creationInfo.created, '2023-11-14T22:13:20Z');
  for (const bad of [
    { 'sbom-formats': 'xml' },
    { 'sbom-omit': 'peer' },
    { validate: 'yes' },
    { 'sbom-spec-version': '1.4' },
  ]) {
    assert.throws(
      () => readInputs(reader(bad as Partial<Record<InputName, string>>), {}),
      (e: unknown) => e instanceof VouchError && e.code === 'INPUT_INVALID',
    );
  }
});

test('action: no lockfile is a coded error and nothing is written', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'vouch-sbom-action-'));
  const d = deps(ws);
  await assert.rejects(
    run(readInputs(reader({ 'output-dir': 'out' }), {}), d.deps),
    (e: unknown) =>
      e instanceof VouchError &&
      e.code === 'SBOM_LOCKFILE_NOT_FOUND' &&
      /package-lock\.json/.test(e.message),
  );
  assert.deepEqual(d.outputs, {});
});
