/**
 * Snappy block decompression against blocks made by libsnappy (Debian's python3-snappy,
 * `snappy.compress`), and malformed blocks refused with a code.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decompressSnappy } from '../../../src/adapters/verify/snappy.ts';
import { ROOT } from '../../helpers/cli.ts';

const MAX = 1024 * 1024;
const hex = (h: string): Buffer => Buffer.from(h, 'hex');

test('blocks made by libsnappy: empty, a run, repeated text, a real bundle', () => {
  assert.equal(decompressSnappy(hex('00'), MAX, 't').length, 0);
  assert.equal(decompressSnappy(hex('2800619a0100'), MAX, 't').toString(), 'a'.repeat(40));
  // literal "ab", then an overlapping 1-byte-offset copy of 4 from 2 back
  assert.equal(decompressSnappy(hex('0604616201' + '02'), MAX, 't').toString(), 'ababab');
  const wiki =
    'f301f05257696b697065646961206973206120667265652c207765622d62617365642c20636f6c6c61626f7261746976652c206d756c74696c696e6775616c20656e6379636c6f70656469612070726f6a6563742e5769fe5100fe51007e5100';
  assert.equal(
    decompressSnappy(hex(wiki), MAX, 't').toString(),
    'Wikipedia is a free, web-based, collaborative, multilingual encyclopedia project.'.repeat(3),
  );
  const fixtures = join(ROOT, 'test/fixtures/provenance');
  assert.deepEqual(
    decompressSnappy(readFileSync(join(fixtures, 'github-api/bundle-url.snappy')), MAX, 't'),
    readFileSync(join(fixtures, 'github-attest-build-provenance.sigstore.json')),
  );
});

test('malformed or oversized blocks are refused with a code', () => {
  const refuse = (h: string, code: string, max = MAX) =>
    assert.throws(() => decompressSnappy(hex(h), max, 'blk'), { code });
  refuse('2800619a0100', 'FILE_TOO_LARGE', 39); // declared length over the cap
  refuse('ffffffff7f', 'FILE_TOO_LARGE'); // 32 GiB declared: refused before allocating
  refuse('28', 'VERIFY_FETCH_FAILED'); // nothing after the length
  refuse('0a0a0001', 'VERIFY_FETCH_FAILED'); // copy before any output
  refuse('0208616263', 'VERIFY_FETCH_FAILED'); // a literal longer than declared
  refuse('050c6162', 'VERIFY_FETCH_FAILED'); // literal cut short
  refuse('8080808080', 'VERIFY_FETCH_FAILED'); // length varint never ends
  refuse('0a0461620102', 'VERIFY_FETCH_FAILED'); // 6 bytes written of 10 declared
  refuse('0a04616201', 'VERIFY_FETCH_FAILED'); // copy cut short
});
