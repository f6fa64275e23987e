import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readInputs, type Inputs } from '../../src/actions/verify/inputs.ts';
import { run } from '../../src/actions/verify/main.ts';
import type { InputReader } from '../../src/actions/shared/inputs.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { VouchError } from '../../src/errors.ts';
import { generateTestKey, keyMessageBundle } from '../helpers/verify-bundles.ts';

function reader(values: Record<string, string | string[]>): InputReader {
  return {
    string: (n) => (typeof values[n] === 'string' ? (values[n] as string) : ''),
    list: (n) => (Array.isArray(values[n]) ? (values[n] as string[]) : []),
    boolean: () => false,
    secret: () => '',
  };
}

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-verify-action-'));
  const key = generateTestKey();
  writeFileSync(join(dir, 'key.pub'), key.pem);
  writeFileSync(
    join(dir, 'trusted_root.json'),
    JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [],
      ctlogs: [],
      certificateAuthorities: [],
      timestampAuthorities: [],
    }),
  );
  for (const n of ['a.tgz', 'b.tgz']) {
    const data = Buffer.from(`release ${n}\n`);
    writeFileSync(join(dir, n), data);
    writeFileSync(
      join(dir, `${n}.sigstore.json`),
      JSON.stringify(await keyMessageBundle(key, data)),
    );
  }
  return dir;
}

function deps(dir: string) {
  const outputs: Record<string, string> = {};
  const summaries: string[] = [];
  return {
    outputs,
    summaries,
    deps: {
      logger: { ...silentLogger, summary: async (m: string) => void summaries.push(m) },
      setOutput: (n: string, v: string | number | boolean) => void (outputs[n] = String(v)),
      workspace: dir,
      env: {},
    },
  };
}

describe('verify action', () => {
  it('verifies every release file, sets verdict and report-path, writes a job summary table', async () => {
    const dir = await setup();
    const inputs: Inputs = readInputs(
      reader({ files: ['*.tgz'], 'public-key': 'key.pub', 'trusted-root': 'trusted_root.json' }),
      {},
    );
    const d = deps(dir);
    await run(inputs, d.deps);
    assert.equal(d.outputs['verdict'], 'pass');
    assert.equal(d.outputs['report-path'], join(dir, 'vouch-verify-report.json'));
    const report = JSON.parse(readFileSync(d.outputs['report-path']!, 'utf8'));
    assert.deepEqual(
      report.artifacts.map((a: { verdict: string }) => a.verdict),
      ['pass', 'pass'],
    );
    assert.match(d.summaries[0]!, /\| artifact \| verdict \| signer \| log index \| predicate \|/);
    assert.match(d.summaries[0]!, /`a\.tgz` \| ✅ pass/);
  });

  it('fails the step with a coded refusal when one file was altered, still writing outputs', async () => {
    const dir = await setup();
    writeFileSync(join(dir, 'b.tgz'), 'altered');
    const d = deps(dir);
    await assert.rejects(
      run(
        readInputs(
          reader({
            files: ['*.tgz'],
            'public-key': 'key.pub',
            'trusted-root': 'trusted_root.json',
          }),
          {},
        ),
        d.deps,
      ),
      (e: unknown) =>
        e instanceof VouchError && e.code === 'VERIFY_ARTIFACT_MISMATCH' && e.kind === 'refusal',
    );
    assert.equal(d.outputs['verdict'], 'fail');
    assert.match(d.summaries[0]!, /VERIFY_ARTIFACT_MISMATCH/);
  });

  it('refuses a key together with an identity, globs leaving the workspace, and no files', async () => {
    const dir = await setup();
    const bad = async (values: Record<string, string | string[]>, code: string) =>
      assert.rejects(
        run(readInputs(reader(values), {}), deps(dir).deps),
        (e: unknown) => e instanceof VouchError && e.code === code,
      );
    await bad(
      {
        files: ['*.tgz'],
        'public-key': 'key.pub',
        'certificate-identity': 'x',
        'certificate-oidc-issuer': 'y',
      },
      'VERIFY_POLICY_CONFLICT',
    );
    await bad({ files: ['../*.tgz'], 'public-key': 'key.pub' }, 'PATH_OUTSIDE_WORKSPACE');
    await bad({ files: [], 'public-key': 'key.pub' }, 'INPUT_MISSING');
    await bad({ files: ['*.tgz'], 'trusted-root': 'trusted_root.json' }, 'VERIFY_POLICY_MISSING');
  });
});
