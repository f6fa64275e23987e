import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadOsvDirectory,
  loadOsvSource,
  loadOsvZip,
} from '../../../src/adapters/advisories/osv-files.ts';
import { buildAdvisoryDatabase } from '../../../src/core/osv/database.ts';
import { VouchError } from '../../../src/errors.ts';
import { OSV_DIR } from '../../helpers/osv.ts';
import { makeZip } from '../../helpers/zip.ts';

const temp = () => mkdtempSync(join(tmpdir(), 'vouch-osv-'));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof VouchError, String(error));
    return error.code;
  }
  assert.fail('expected an error');
}

test('a directory of real OSV records loads every record, recursively', async () => {
  const loaded = await loadOsvDirectory(OSV_DIR);
  const expected =
    readdirSync(join(OSV_DIR, 'npm')).length + readdirSync(join(OSV_DIR, 'crates.io')).length;
  assert.equal(loaded.raw.length, expected);
  assert.deepEqual(loaded.skipped, []);
  assert.ok(loaded.raw.some((r) => r.source === join('npm', 'GHSA-xvch-5gv4-984h.json')));
});

test('a zip of real OSV records (as osv.dev exports them) loads the same records', async () => {
  const dir = temp();
  const files = readdirSync(join(OSV_DIR, 'npm'));
  const zip = join(dir, 'all.zip');
  // Made by Info-ZIP's zip, flat like osv.dev's per-ecosystem all.zip.
  const made = spawnSync('zip', ['-q', '-j', zip, ...files.map((f) => join(OSV_DIR, 'npm', f))]);
  assert.equal(made.status, 0, String(made.stderr));
  const loaded = await loadOsvSource(zip);
  assert.equal(loaded.raw.length, files.length);
  const db = buildAdvisoryDatabase(loaded.raw);
  assert.equal(db.records.length, files.length);
  assert.equal(db.canonicalId('CVE-2021-44906'), 'GHSA-xvch-5gv4-984h');
});

test('a file that is not JSON, has __proto__ keys or breaks OSV is skipped with its name; symlinks are not followed', async () => {
  const dir = temp();
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'bad.json'), '{ not json');
  writeFileSync(
    join(dir, 'proto.json'),
    '{"id":"GHSA-1","modified":"x","__proto__":{"polluted":true}}',
  );
  writeFileSync(join(dir, 'nomod.json'), '{"id":"GHSA-2222-3333-4444"}');
  writeFileSync(join(dir, 'README.md'), 'ignored');
  symlinkSync(join(OSV_DIR, 'npm', 'GHSA-xvch-5gv4-984h.json'), join(dir, 'link.json'));
  const loaded = await loadOsvDirectory(dir);
  assert.deepEqual(
    loaded.skipped.map((s) => [s.id, s.reason]),
    [['link.json', 'symbolic link: not followed']],
  );
  const db = buildAdvisoryDatabase(loaded.raw);
  assert.deepEqual(
    db.skipped.map((s) => [s.id, s.reason.split(']')[0]]),
    [
      ['GHSA-2222-3333-4444', 'no "modified" timestamp'],
      ['proto.json', '[UNSAFE_KEY'],
      [join('sub', 'bad.json'), '[JSON_INVALID'],
    ],
  );
});

test('unsafe archives are refused: "..", absolute paths, symlinks, bombs, lying sizes', async () => {
  const dir = temp();
  const write = (name: string, buf: Buffer) => {
    const p = join(dir, name);
    writeFileSync(p, buf);
    return p;
  };
  const rec = '{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z"}';
  assert.equal(
    await codeOf(loadOsvZip(write('dots.zip', makeZip([{ name: '../evil.json', data: rec }])))),
    'ARCHIVE_UNSAFE',
  );
  assert.equal(
    await codeOf(loadOsvZip(write('abs.zip', makeZip([{ name: '/etc/evil.json', data: rec }])))),
    'ARCHIVE_UNSAFE',
  );
  assert.equal(
    await codeOf(
      loadOsvZip(
        write('link.zip', makeZip([{ name: 'link.json', data: '/etc/passwd', mode: 0o120777 }])),
      ),
    ),
    'ARCHIVE_UNSAFE',
  );
  const zeros = Buffer.alloc(70 * 1024 * 1024);
  const bomb = makeZip(
    Array.from({ length: 2 }, (_, i) => ({ name: `b${i}.json`, data: zeros, deflate: true })),
  );
  assert.ok(bomb.length < 1024 * 1024, 'small on disk');
  assert.equal(await codeOf(loadOsvZip(write('bomb.zip', bomb))), 'ARCHIVE_UNSAFE');
  const liar = makeZip([
    { name: 'liar.json', data: Buffer.alloc(1024 * 1024, 0x20), deflate: true, declaredSize: 10 },
  ]);
  assert.equal(await codeOf(loadOsvZip(write('liar.zip', liar))), 'ARCHIVE_UNSAFE');
});

test('a source that is neither a directory, a zip nor JSON is ADVISORIES_INVALID; a missing one FILE_UNREADABLE', async () => {
  const dir = temp();
  writeFileSync(join(dir, 'x.txt'), 'hello');
  assert.equal(await codeOf(loadOsvSource(join(dir, 'x.txt'))), 'ADVISORIES_INVALID');
  assert.equal(await codeOf(loadOsvSource(join(dir, 'missing'))), 'FILE_UNREADABLE');
  writeFileSync(
    join(dir, 'broken.zip'),
    Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(10)]),
  );
  assert.equal(await codeOf(loadOsvSource(join(dir, 'broken.zip'))), 'ADVISORIES_INVALID');
});
