/**
 * The published JSON Schemas (schemas/policy.schema.json, schemas/exceptions.schema.json) and the
 * parsers must agree: every example file and documentation snippet is valid for both, and every
 * document in the refused corpus is refused by both, so the two cannot drift apart unnoticed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import spdxIds from 'spdx-license-ids/index.json' with { type: 'json' };
import { parseExceptions } from '../../../src/core/exceptions/parse.ts';
import { parsePolicy } from '../../../src/core/policy/parse.ts';
import { parseYamlSafe } from '../../../src/core/safe-parse.ts';
import { ROOT } from '../../helpers/cli.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const schema = (name: string): object =>
  JSON.parse(readFileSync(join(ROOT, 'schemas', name), 'utf8')) as object;
const ajv = addFormats(new Ajv({ allErrors: true, strict: true, strictTypes: false }));
const validatePolicy = ajv.compile(schema('policy.schema.json'));
const validateExceptions = ajv.compile(schema('exceptions.schema.json'));

type Kind = 'policy' | 'exceptions';

/** The document as the parsers see it (YAML core schema: dates stay strings). */
const asJson = (text: string): unknown => parseYamlSafe(text, 'doc.yml').value;

function schemaErrors(kind: Kind, text: string): string | undefined {
  const v: ValidateFunction = kind === 'policy' ? validatePolicy : validateExceptions;
  return v(asJson(text)) ? undefined : ajv.errorsText(v.errors);
}

function parserError(kind: Kind, text: string): string | undefined {
  try {
    if (kind === 'policy') parsePolicy(text, 'doc.yml');
    else parseExceptions(text, 'doc.yml');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const kindOf = (text: string): Kind =>
  Array.isArray((asJson(text) as { exceptions?: unknown }).exceptions) ||
  (asJson(text) as { exceptions?: unknown }).exceptions === null
    ? 'exceptions'
    : 'policy';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Every `.vouch/*.yml` under examples/ and every YAML snippet of the docs that is one of our files. */
function documents(): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  for (const f of files(join(ROOT, 'examples')))
    if (/\/\.vouch\/[^/]+\.ya?ml$/.test(f))
      out.push({ where: relative(ROOT, f), text: readFileSync(f, 'utf8') });
  for (const d of [
    'docs/policy.md',
    'docs/exceptions.md',
    'actions/policy/README.md',
    'README.md',
  ]) {
    const md = readFileSync(join(ROOT, d), 'utf8');
    let i = 0;
    for (const m of md.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
      i++;
      if (/^(#.*\n)*version: 1\n/m.test(m[1]!) && !/^on:|^jobs:/m.test(m[1]!))
        out.push({ where: `${d} snippet ${i}`, text: m[1]! });
    }
  }
  return out;
}

test('every example file and documentation snippet is valid for the schema and the parser', () => {
  const docs = documents();
  assert.ok(docs.filter((d) => d.where.startsWith('examples')).length >= 6);
  assert.ok(
    docs.some((d) => d.where.startsWith('docs/policy.md')),
    'docs/policy.md shows a policy file',
  );
  for (const { where, text } of docs) {
    const kind = kindOf(text);
    assert.equal(schemaErrors(kind, text), undefined, `${where} (${kind}) against the schema`);
    assert.equal(parserError(kind, text), undefined, `${where} (${kind}) through the parser`);
  }
});

const EXCEPTION = `version: 1
exceptions:
  - id: GHSA-xvch-5gv4-984h
    package: pkg:npm/minimist
    versions: "<1.2.6"
    reason: only reachable from build scripts
    owner: "@acme/web"
    approved-by: "@acme-release-manager"
    approval: https://github.com/acme/widget/pull/123
    created: 2026-11-20
    expires: 2026-12-20
`;

/** Documents both must accept: the corners of what the parser allows. */
const ACCEPTED: [Kind, string][] = [
  ['policy', 'version: 1\n'],
  ['policy', 'version: 1\nlicenses:\nvulnerabilities:\nbans:\nremediation-windows:\nexceptions:\n'],
  ['policy', 'version: 1\nscopes: [required, optional, dev]\nlicenses: {deny: [GPL-3.0-only]}\n'],
  [
    'policy',
    'version: 1\nlicenses: {allow: [mit, Apache-2.0+, GPL-2.0-only WITH Classpath-exception-2.0, LicenseRef-acme], deny: ~, unknown: ~}\n',
  ],
  [
    'policy',
    'version: 1\nlicenses:\n  allow: [MIT]\n  overrides:\n    - {package: pkg:npm/some-lib, license: MIT OR Apache-2.0}\n',
  ],
  ['policy', 'version: 1\nvulnerabilities: {fail-on: critical, only-fixed: true}\n'],
  ['policy', 'version: 1\nvulnerabilities: {fail-on: ~, only-fixed: ~}\n'],
  [
    'policy',
    'version: 1\nbans:\n  - {name: no-es, package: pkg:npm/event-stream}\n  - {name: old.time_1, package: pkg:cargo/time, versions: "<0.2.23", reason: RUSTSEC-2020-0071}\n  - {name: any, package: "pkg:npm/%40scope/x", versions: ~}\n',
  ],
  [
    'policy',
    'version: 1\nbans:\n  - {name: s, package: "pkg:npm/@sentry/*"}\n  - {name: s2, package: "pkg:npm/%40sentry/browser*"}\n  - {name: o, package: "pkg:cargo/openssl*", versions: "<0.10.55"}\n  - {name: sys, package: "pkg:cargo/*-sys"}\n  - {name: log4j, package: "pkg:maven/org.apache.logging.log4j/*"}\n  - {name: scoped, package: pkg:npm/@babel/traverse}\n',
  ],
  [
    'policy',
    'version: 1\nremediation-windows: {critical: 1, low: 3650}\nexceptions: {expiring-within: 0}\n',
  ],
  ['exceptions', 'version: 1\nexceptions: []\n'],
  ['exceptions', 'version: 1\nexceptions:\n'],
  ['exceptions', EXCEPTION],
  ['exceptions', EXCEPTION.replace('GHSA-xvch-5gv4-984h', 'license:GPL-3.0-only')],
  ['exceptions', EXCEPTION.replace('GHSA-xvch-5gv4-984h', 'ban:no-event-stream')],
  ['exceptions', EXCEPTION.replace('GHSA-xvch-5gv4-984h', 'RUSTSEC-2020-0071')],
  ['exceptions', EXCEPTION.replace('    versions: "<1.2.6"\n', '')],
];

/** Documents both must refuse. */
const REFUSED: [Kind, string][] = [
  ['policy', 'scopes: [required]\n'],
  ['policy', 'version: 2\n'],
  ['policy', 'version: 1\nscope: [required]\n'],
  ['policy', 'version: 1\nscopes: []\n'],
  ['policy', 'version: 1\nscopes: [runtime]\n'],
  ['policy', 'version: 1\nscopes: ~\n'],
  ['policy', 'version: 1\nlicenses: {unknown: warn}\n'],
  ['policy', 'version: 1\nlicenses: {allow: MIT}\n'],
  ['policy', 'version: 1\nlicenses: {allow: [MIT], unknown: ignore}\n'],
  ['policy', 'version: 1\nlicenses: {allow: [MIT], alow: [ISC]}\n'],
  ['policy', 'version: 1\nlicenses: {allow: ["MIT OR ISC"]}\n'],
  ['policy', 'version: 1\nlicenses: {allow: [MIT], overrides: [{package: pkg:npm/x}]}\n'],
  [
    'policy',
    'version: 1\nlicenses: {allow: [MIT], overrides: [{package: pkg:npm/x@1.0.0, license: MIT}]}\n',
  ],
  [
    'policy',
    'version: 1\nlicenses: {allow: [MIT], overrides: [{package: pkg:npm/x, license: " "}]}\n',
  ],
  ['policy', 'version: 1\nvulnerabilities: {fail-on: moderate}\n'],
  ['policy', 'version: 1\nvulnerabilities: {only-fixed: "yes"}\n'],
  ['policy', 'version: 1\nvulnerabilities: {fail-on: high, severity: high}\n'],
  ['policy', 'version: 1\nbans: {name: x}\n'],
  ['policy', 'version: 1\nbans: [{package: pkg:npm/x}]\n'],
  ['policy', 'version: 1\nbans: [{name: "no es", package: pkg:npm/x}]\n'],
  ['policy', 'version: 1\nbans: [{name: x, package: "pkg:npm/*"}]\n'],
  ['policy', 'version: 1\nbans: [{name: x, package: "pkg:cargo/**"}]\n'],
  ['policy', 'version: 1\nbans: [{name: x, package: "pkg:*/*"}]\n'],
  ['policy', 'version: 1\nbans: [{name: x, package: "pkg:*/lodash"}]\n'],
  ['policy', 'version: 1\nbans: [{name: x, package: "pkg:npm/*/core"}]\n'],
  ['policy', 'version: 1\nbans: [{name: x, package: "pkg:npm/@sentry/*@8.0.0"}]\n'],
  [
    'policy',
    'version: 1\nlicenses: {allow: [MIT], overrides: [{package: "pkg:npm/%40sentry/*", license: MIT}]}\n',
  ],
  ['policy', 'version: 1\nbans: [{name: x, package: pkg:npm/x, versions: 3}]\n'],
  ['policy', 'version: 1\nbans: [{name: x, package: pkg:npm/x, reason: 3}]\n'],
  ['policy', 'version: 1\nbans: [{name: x, package: pkg:npm/x, why: compromised}]\n'],
  ['policy', 'version: 1\nremediation-windows: {critical: 0}\n'],
  ['policy', 'version: 1\nremediation-windows: {critical: 7.5}\n'],
  ['policy', 'version: 1\nremediation-windows: {urgent: 3}\n'],
  ['policy', 'version: 1\nremediation-windows: {high: ~}\n'],
  ['policy', 'version: 1\nexceptions: {expiring-within: -1}\n'],
  ['policy', 'version: 1\nexceptions: {expiring: 14}\n'],
  ['exceptions', 'exceptions: []\n'],
  ['exceptions', 'version: 1\n'],
  ['exceptions', 'version: 1\nexceptions: {}\n'],
  ['exceptions', 'version: 1\nexceptions: []\nextra: 1\n'],
  ['exceptions', EXCEPTION.replace('expires', 'expries')],
  ['exceptions', EXCEPTION.replace('    expires: 2026-12-20\n', '')],
  ['exceptions', EXCEPTION.replace('    owner: "@acme/web"\n', '')],
  ['exceptions', EXCEPTION.replace('"@acme/web"', '" "')],
  ['exceptions', EXCEPTION.replace('GHSA-xvch-5gv4-984h', '"*"')],
  ['exceptions', EXCEPTION.replace('GHSA-xvch-5gv4-984h', 'license:*')],
  ['exceptions', EXCEPTION.replace('pkg:npm/minimist', '"pkg:npm/*"')],
  ['exceptions', EXCEPTION.replace('pkg:npm/minimist', '"pkg:npm/%40sentry/*"')],
  ['exceptions', EXCEPTION.replace('pkg:npm/minimist', 'pkg:npm/minimist@1.2.5')],
  ['exceptions', EXCEPTION.replace('"<1.2.6"', '""')],
  ['exceptions', EXCEPTION.replace('2026-12-20', '2026-12-20T00:00:00Z')],
  ['exceptions', EXCEPTION.replace('2026-12-20', '2026-02-30')],
  ['exceptions', EXCEPTION.replace('2026-12-20', '20.12.2026')],
  [
    'exceptions',
    EXCEPTION.replace(
      'https://github.com/acme/widget/pull/123',
      'http://github.com/acme/widget/pull/123',
    ),
  ],
  [
    'exceptions',
    EXCEPTION.replace(
      'https://github.com/acme/widget/pull/123',
      'https://github.com/acme/widget/issues/123',
    ),
  ],
];

test('corner cases the parser accepts, the schema accepts', () => {
  for (const [kind, text] of ACCEPTED) {
    assert.equal(parserError(kind, text), undefined, `parser, ${kind}:\n${text}`);
    assert.equal(schemaErrors(kind, text), undefined, `schema, ${kind}:\n${text}`);
  }
});

test('documents the parser refuses, the schema refuses too', () => {
  for (const [kind, text] of REFUSED) {
    assert.notEqual(parserError(kind, text), undefined, `parser should refuse, ${kind}:\n${text}`);
    assert.notEqual(schemaErrors(kind, text), undefined, `schema should refuse, ${kind}:\n${text}`);
  }
});

test('the policy schema offers every current SPDX license id for completion', () => {
  const policy = schema('policy.schema.json') as {
    properties: {
      licenses: {
        oneOf: [
          unknown,
          {
            properties: { allow: { oneOf: [unknown, { items: { anyOf: [{ enum: string[] }] } }] } };
          },
        ];
      };
    };
  };
  const offered = policy.properties.licenses.oneOf[1].properties.allow.oneOf[1].items.anyOf[0].enum;
  assert.deepEqual(
    offered,
    [...(spdxIds as string[])].sort(),
    'the SPDX id list changed: refresh the enum in schemas/policy.schema.json from spdx-license-ids',
  );
});
