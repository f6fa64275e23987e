/**
 * Snappy block decompression (the raw format, no framing), as GitHub serves attestation bundles
 * behind `bundle_url`. The declared length is checked against a cap before anything is allocated,
 * and every copy must stay inside what was already written: a malformed or hostile block is
 * refused with a code, never read past.
 */
import { VouchError } from '../../errors.ts';

function malformed(source: string, why: string): VouchError {
  return new VouchError('VERIFY_FETCH_FAILED', `${source}: not a valid Snappy block (${why})`);
}

/** Decompresses one Snappy block of at most `maxBytes` decompressed bytes. */
export function decompressSnappy(input: Uint8Array, maxBytes: number, source: string): Buffer {
  let pos = 0;
  // Preamble: the decompressed length as a little-endian base-128 varint (at most 32 bits).
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= input.length) throw malformed(source, 'truncated length');
    if (shift > 28) throw malformed(source, 'length too long');
    const byte = input[pos++]!;
    length += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
  }
  if (length > maxBytes) {
    throw new VouchError(
      'FILE_TOO_LARGE',
      `${source} decompresses to ${length} bytes, more than the ${maxBytes}-byte bundle limit`,
    );
  }
  const out = Buffer.allocUnsafe(length);
  let written = 0;
  const need = (n: number, what: string): void => {
    if (pos + n > input.length) throw malformed(source, `truncated ${what}`);
  };
  while (pos < input.length) {
    const tag = input[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      // Literal: length - 1 in the tag, or in the 1–4 bytes after it.
      let n = tag >>> 2;
      if (n >= 60) {
        const bytes = n - 59;
        need(bytes, 'literal length');
        n = 0;
        for (let i = 0; i < bytes; i++) n += input[pos + i]! * 2 ** (8 * i);
        pos += bytes;
      }
      n += 1;
      need(n, 'literal');
      if (written + n > length) throw malformed(source, 'more data than declared');
      out.set(input.subarray(pos, pos + n), written);
      pos += n;
      written += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (kind === 1) {
      need(1, 'copy');
      n = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | input[pos]!;
      pos += 1;
    } else if (kind === 2) {
      need(2, 'copy');
      n = 1 + (tag >>> 2);
      offset = input[pos]! | (input[pos + 1]! << 8);
      pos += 2;
    } else {
      need(4, 'copy');
      n = 1 + (tag >>> 2);
      offset =
        input[pos]! +
        input[pos + 1]! * 2 ** 8 +
        input[pos + 2]! * 2 ** 16 +
        input[pos + 3]! * 2 ** 24;
      pos += 4;
    }
    if (offset === 0 || offset > written) throw malformed(source, 'copy before the start');
    if (written + n > length) throw malformed(source, 'more data than declared');
    if (offset >= n) {
      out.copyWithin(written, written - offset, written - offset + n);
      written += n;
    } else {
      // An overlapping copy repeats the last `offset` bytes.
      for (let i = 0; i < n; i++, written++) out[written] = out[written - offset]!;
    }
  }
  if (written !== length) throw malformed(source, `${written} of ${length} bytes`);
  return out;
}
