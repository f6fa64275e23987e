import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { buildSbom } from '../../../src/core/sbom/build.ts';
import { writeCycloneDx } from '../../../src/core/sbom/cyclonedx.ts';
import { readCargoLockfile, parseTomlSafe } from '../../../src/core/sbom/lockfiles/cargo.ts';
import { normalizeLicense } from '../../../src/core/sbom/license.ts';
import { readNpmLockfile } from '../../../src/core/sbom/lockfiles/npm.ts';
import type { Sbom } from '../../../src/core/sbom/model.ts';
import { parseSbom } from '../../../src/core/sbom/parse.ts';
import { writeSpdx } from '../../../src/core/sbom/spdx.ts';
import { VERSION } from '../../../src/version.ts';
import { ROOT, SHARED } from '../../helpers/cli.ts';

const BENCH = join(SHARED, 'bench');
const spdxSchema = JSON.parse(
  readFileSync(join(BENCH, 'schemas/spdx-2.3.schema.json'), 'utf8'),
) as object;
const ajv = new Ajv2019({ strict: false });
addFormats.default(ajv);
const validateSpdx = ajv.compile(spdxSchema);

async function assertCycloneDxValid(text: string, version: '1.5' | '1.6'): Promise<void> {
  const validator = new Validation.JsonStrictValidator(
    version === '1.6' ? Spec.Version.v1dot6 : Spec.Version.v1dot5,
  );
  const errors = await validator.validate(text);
  assert.equal(errors, null, JSON.stringify(errors)?.slice(0, 2000));
}

function assertSpdxValid(text: string): void {
  const doc = JSON.parse(text) as unknown;
  assert.ok(validateSpdx(doc), JSON.stringify(validateSpdx.errors)?.slice(0, 2000));
}

function npmSbom(dir: string): Sbom {
  const lock = JSON.parse(readFileSync(join(BENCH, dir, 'package-lock.json'), 'utf8')) as unknown;
  const manifest = JSON.parse(readFileSync(join(BENCH, dir, 'package.json'), 'utf8')) as unknown;
  return buildSbom(
    readNpmLockfile(lock, 'package-lock.json', { value: manifest, source: 'package.json' }),
    {
      timestamp: '2024-05-01T00:00:00Z',
    },
  );
}

function cargoSbom(dir: string): Sbom {
  const text = readFileSync(join(BENCH, dir, 'Cargo.lock'), 'utf8');
  const manifest = parseTomlSafe(
    readFileSync(join(BENCH, dir, 'Cargo.toml'), 'utf8'),
    'Cargo.toml',
  );
  return buildSbom(
    readCargoLockfile(text, 'Cargo.lock', {
      root: { value: manifest, source: 'Cargo.toml' },
      directoryName: dir,
    }),
    { timestamp: '2024-05-01T00:00:00Z' },
  );
}

test('CycloneDX 1.6 and 1.5 from the real lockfiles validate against the official schema', async () => {
  for (const sbom of [
    npmSbom('npm-large'),
    npmSbom('npm-medium'),
    cargoSbom('cargo-meilisearch-v1.4.0'),
  ]) {
    await assertCycloneDxValid(writeCycloneDx(sbom, { reproducible: true }), '1.6');
    await assertCycloneDxValid(writeCycloneDx(sbom, { specVersion: '1.5' }), '1.5');
  }
});

test('SPDX 2.3 from the real lockfiles validates, with no dangling relationship ids', () => {
  for (const sbom of [npmSbom('npm-large'), cargoSbom('cargo-boringtun-v4')]) {
    const text = writeSpdx(sbom, { reproducible: true });
    assertSpdxValid(text);
    const doc = JSON.parse(text) as {
      packages: { SPDXID: string; licenseDeclared: string; licenseConcluded: string }[];
      relationships: {
        spdxElementId: string;
        relatedSpdxElement: string;
        relationshipType: string;
      }[];
      creationInfo: { creators: string[] };
    };
    const ids = new Set(['SPDXRef-DOCUMENT', ...doc.packages.map((p) => p.SPDXID)]);
    assert.equal(ids.size, doc.packages.length + 1, 'SPDXIDs are unique');
    for (const r of doc.relationships) {
      assert.ok(ids.has(r.spdxElementId), r.spdxElementId);
      assert.ok(ids.has(r.relatedSpdxElement), r.relatedSpdxElement);
    }
    assert.equal(doc.relationships.filter((r) => r.relationshipType === 'DESCRIBES').length, 1);
    assert.ok(doc.relationships.some((r) => r.relationshipType === 'DEPENDS_ON'));
    assert.ok(doc.packages.every((p) => p.licenseConcluded === 'NOASSERTION'));
    assert.deepEqual(doc.creationInfo.creators, [`Tool: vouch-${VERSION}`]);
  }
});

test('CycloneDX content: tools, root, sorted components, scopes, hashes, full graph', () => {
  const text = writeCycloneDx(npmSbom('npm-large'), { reproducible: true });
  const doc = JSON.parse(text) as {
    serialNumber: string;
    metadata: {
      timestamp: string;
      tools: { components: { name: string; version: string }[] };
      component: { name: string };
    };
    components: { 'bom-ref': string; purl: string; scope: string; hashes?: unknown[] }[];
    dependencies: { ref: string; dependsOn: string[] }[];
  };
  assert.deepEqual(
    doc.metadata.tools.components.map((t) => [t.name, t.version]),
    [['vouch', VERSION]],
  );
  assert.equal(doc.metadata.component.name, 'insomnia');
  assert.equal(doc.metadata.timestamp, '2024-05-01T00:00:00Z');
  assert.match(
    doc.serialNumber,
    /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  const purls = doc.components.map((c) => c.purl);
  assert.deepEqual(purls, [...purls].sort());
  assert.ok(doc.components.every((c) => c.scope === 'required' || c.scope === 'optional'));
  assert.equal(doc.dependencies.length, doc.components.length + 1);
});

test('reproducible: equal input gives byte-equal output; the serial number follows the content', () => {
  const a = writeCycloneDx(npmSbom('npm-medium'), { reproducible: true });
  const b = writeCycloneDx(npmSbom('npm-medium'), { reproducible: true });
  assert.equal(a, b);
  assert.equal(
    writeSpdx(npmSbom('npm-medium'), { reproducible: true }),
    writeSpdx(npmSbom('npm-medium'), { reproducible: true }),
  );
  const other = writeCycloneDx(npmSbom('npm-large'), { reproducible: true });
  assert.notEqual(JSON.parse(a).serialNumber, JSON.parse(other).serialNumber);
  const random = writeCycloneDx(npmSbom('npm-medium'));
  assert.notEqual(JSON.parse(random).serialNumber, JSON.parse(a).serialNumber);
});

test('round trip: parseSbom reads our own CycloneDX and SPDX back to the same packages', () => {
  const sbom = npmSbom('npm-medium');
  const fromCdx = parseSbom(writeCycloneDx(sbom), 'ours.cdx.json');
  const fromSpdx = parseSbom(writeSpdx(sbom), 'ours.spdx.json');
  const key = (s: Sbom): string[] =>
    s.components.map((c) => `${c.purl} ${c.scope} ${c.license} ${c.hashes.length}`).sort();
  assert.deepEqual(key(fromCdx), key(sbom));
  assert.deepEqual(
    fromSpdx.components.map((c) => c.purl).sort(),
    sbom.components.map((c) => c.purl).sort(),
  );
  assert.equal(fromSpdx.root?.name, 'leaflet');
});

interface PeerComponent {
  purl?: string;
  hashes: readonly unknown[];
  license?: string;
}

for (const project of ['npm-medium', 'npm-large']) {
  test(`completeness on ${project}: every purl the peers list is ours, with their hash and license coverage`, () => {
    const ours = npmSbom(project);
    const byPurl = new Map<string, PeerComponent>();
    for (const c of ours.components) if (c.purl && !byPurl.has(c.purl)) byPurl.set(c.purl, c);
    for (const tool of ['cyclonedx-npm.cdx', 'npm-sbom.cdx', 'npm-sbom.spdx']) {
      const file = `${project}.${tool}.json.gz`;
      const text = gunzipSync(
        readFileSync(join(ROOT, 'test/fixtures/sbom/peers', file)),
      ).toString();
      const peer = parseSbom(text, file);
      assert.ok(peer.components.length > 0, file);
      const purls = new Set<string>();
      const hashed = new Set<string>();
      const licensed = new Set<string>();
      for (const c of peer.components) {
        assert.ok(c.purl, `${file}: a component without purl`);
        purls.add(c.purl);
        const mine = byPurl.get(c.purl);
        assert.ok(mine, `${file}: ${c.purl} is missing from ours`);
        if (c.hashes.length > 0) {
          hashed.add(c.purl);
          assert.ok(mine.hashes.length > 0, `${file}: hash of ${c.purl}`);
        }
        if (c.license) {
          licensed.add(c.purl);
          // npm sbom's SPDX writes free text (`SEE LICENSE IN …`) as licenseDeclared; ours is its LicenseRef.
          assert.equal(mine.license, normalizeLicense(c.license), `${file}: license of ${c.purl}`);
        }
      }
      // Coverage over the peer's purls: ours is at least theirs.
      const ourHashed = [...purls].filter((p) => byPurl.get(p)!.hashes.length > 0).length;
      const ourLicensed = [...purls].filter((p) => byPurl.get(p)!.license).length;
      assert.ok(ourHashed >= hashed.size, `${file}: hash coverage ${ourHashed} < ${hashed.size}`);
      assert.ok(
        ourLicensed >= licensed.size,
        `${file}: license coverage ${ourLicensed} < ${licensed.size}`,
      );
    }
  });
}
