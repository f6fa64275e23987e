/** License values from manifests and lockfiles, as SPDX expressions. */
import parseSpdx from 'spdx-expression-parse';
import { licenseRefOf, stripOuterParens } from './parse.ts';

const cache = new Map<string, string | undefined>();

function fromString(raw: string): string | undefined {
  const text = raw.trim();
  if (text === '' || text === 'NOASSERTION' || text === 'NONE') return undefined;
  const cached = cache.get(text);
  if (cached !== undefined || cache.has(text)) return cached;
  let result: string;
  const candidates = [text, text.replace(/\s*\/\s*/g, ' OR ')];
  result = licenseRefOf(text);
  for (const candidate of candidates) {
    try {
      parseSpdx(candidate);
      result = stripOuterParens(candidate);
      break;
    } catch {
      // not an SPDX expression; try the next form
    }
  }
  cache.set(text, result);
  return result;
}

/**
 * Normalises a manifest's license field: an SPDX expression stays as it is (`MIT/Apache-2.0`, the
 * old Cargo form, becomes `MIT OR Apache-2.0`); legacy `{type}` objects and arrays of them are
 * read (an array means a choice: OR); anything else becomes `LicenseRef-<text>`.
 */
export function normalizeLicense(value: unknown): string | undefined {
  if (typeof value === 'string') return fromString(value);
  if (Array.isArray(value)) {
    const parts = value.map((v) => normalizeLicense(v)).filter((v): v is string => !!v);
    if (parts.length === 0) return undefined;
    if (parts.length === 1) return parts[0];
    return parts.map((p) => (/\s/.test(p) ? `(${p})` : p)).join(' OR ');
  }
  if (typeof value === 'object' && value !== null) {
    const type = (value as { type?: unknown }).type;
    if (typeof type === 'string') return fromString(type);
  }
  return undefined;
}
