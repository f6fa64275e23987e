/** DER ECDSA signature → r||s (fixed width), as Key Vault and PKCS#11 return them. */
export function rawEcdsaFromDer(der: Buffer, size: number): Buffer {
  let i = 2;
  if (der[1]! & 0x80) i = 2 + (der[1]! & 0x7f);
  const read = (): Buffer => {
    if (der[i] !== 0x02) throw new Error('not a DER INTEGER');
    const len = der[i + 1]!;
    let v = der.subarray(i + 2, i + 2 + len);
    i += 2 + len;
    while (v.length > size && v[0] === 0) v = v.subarray(1);
    return Buffer.concat([Buffer.alloc(size - v.length), v]);
  };
  return Buffer.concat([read(), read()]);
}
