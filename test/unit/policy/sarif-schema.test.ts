/**
 * `vouch policy --format sarif` is valid against the official SARIF 2.1.0 JSON schema
 * (test/fixtures/sarif, from an npm package; see its README.md), on real SBOMs made by
 * `vouch sbom` from real lockfiles and real OSV advisories, with failing, warning and waived
 * findings of every kind, expired and invalid exceptions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { OSV_DIR } from '../../helpers/osv.ts';
import { ROOT, SHARED, vouch } from '../../helpers/cli.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const SCHEMA_TEXT = readFileSync(join(ROOT, 'test/fixtures/sarif/sarif-2.1.0-rtm.5.json'), 'utf8');

function sarifValidator() {
  const schema = JSON.parse(SCHEMA_TEXT) as Record<string, unknown>;
  // Draft-04 → draft-07: only `id` is spelled differently; no boolean exclusiveMinimum/Maximum.
  assert.equal(schema['$schema'], 'http://json-schema.org/draft-04/schema#');
  assert.ok(!/"exclusive(Minimum|Maximum)"/.test(SCHEMA_TEXT));
  const { id, $schema: _draft, ...rest } = schema;
  // unicodeRegExp off: the schema's `language` pattern (`…{2}]?$`) is valid only without the u flag.
  const ajv = addFormats(new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }));
  return ajv.compile({ $id: id as string, ...rest });
}

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-sarif-'));
  cpSync(join(ROOT, 'examples/npm-app'), join(dir, 'npm-app'), { recursive: true });
  cpSync(join(SHARED, 'bench/npm-large'), join(dir, 'large'), { recursive: true });
  return dir;
}

test('SARIF from real SBOMs and real advisories is valid SARIF 2.1.0', () => {
  const validate = sarifValidator();
  const dir = project();
  // A strict policy so every kind of finding shows: licenses, bans, vulnerabilities.
  writeFileSync(
    join(dir, 'policy.yml'),
    `version: 1
scopes: [required, optional, dev]
licenses:
  allow: [MIT, ISC]
  unknown: warn
vulnerabilities:
  fail-on: high
bans:
  - name: no-lodash
    package: pkg:npm/lodash
    reason: use the standard library
`,
  );
  writeFileSync(
    join(dir, 'exceptions.yml'),
    `version: 1
exceptions:
  - id: GHSA-593m-55hh-j8gv
    package: pkg:npm/%40sentry/browser
    versions: '<8.33.0'
    reason: the affected integration is never enabled
    owner: '@acme/web'
    approved-by: '@acme-release-manager'
    approval: https://github.com/acme/widget-web/pull/42
    created: 2026-11-20
    expires: 2027-02-15
  - id: license:Apache-2.0
    package: pkg:npm/typescript
    reason: build tool only
    owner: '@acme/web'
    approved-by: '@acme-release-manager'
    approval: https://github.com/acme/widget-web/pull/43
    created: 2026-10-01
    expires: 2026-11-01
  - id: ban:no-lodash
    package: pkg:npm/lodash
    reason: migration planned
    owner: '@acme/web'
    approved-by: '@acme-release-manager'
    approval: https://github.com/acme/widget-web/pull/44
    created: 2026-11-20
    expires: 2027-11-20
`,
  );
  for (const app of ['npm-app', 'large']) {
    const sbom = join(dir, `${app}.cdx.json`);
    const made = vouch(['sbom', '-o', sbom], { cwd: join(dir, app) });
    assert.equal(made.status, 0, made.stderr);
    const out = join(dir, `${app}.sarif`);
    const r = vouch(
      [
        'policy',
        '--sbom',
        sbom,
        '--policy',
        join(dir, 'policy.yml'),
        '--exceptions',
        join(dir, 'exceptions.yml'),
        '--advisories',
        OSV_DIR,
        '--format',
        'sarif',
        '--output',
        out,
        '--now',
        '2026-12-01',
      ],
      { cwd: dir },
    );
    assert.equal(r.status, 1, `${app}: the policy fails\n${r.stderr}`);
    const log = JSON.parse(readFileSync(out, 'utf8')) as {
      runs: { results: { level: string; ruleId: string; suppressions?: unknown[] }[] }[];
    };
    assert.ok(validate(log), `${app}: ${JSON.stringify(validate.errors, null, 2)}`);
    const results = log.runs[0]!.results;
    assert.ok(
      results.some((x) => x.level === 'error'),
      `${app}: failing findings`,
    );
    if (app === 'npm-app')
      assert.ok(
        results.some((x) => (x.suppressions ?? []).length > 0),
        'the approved exception shows as a suppression',
      );
    else {
      assert.ok(
        results.some((x) => x.ruleId.startsWith('license:')),
        'license findings',
      );
      assert.ok(
        results.some((x) => x.ruleId.startsWith('ban:')),
        'ban findings',
      );
      assert.ok(
        results.some((x) => x.ruleId.startsWith('GHSA-')),
        'vulnerability findings',
      );
    }
  }
});

test('the schema catches what code scanning would refuse (the check is not vacuous)', () => {
  const validate = sarifValidator();
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), false);
  assert.equal(
    validate({
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'vouch' } },
          results: [{ message: { text: 'x' }, level: 'fatal' }],
        },
      ],
    }),
    false,
  );
  assert.equal(
    validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'vouch' } } }] }),
    true,
  );
});
