/**
 * Checks a decoded JSON value against the parts of the OSV schema vouch relies on. A record that
 * breaks it is skipped with a reason naming it, never silently.
 */
import type { OsvRecord } from './model.ts';

const EVENT_KEYS = new Set(['introduced', 'fixed', 'last_affected', 'limit']);
const RANGE_TYPES = new Set(['SEMVER', 'ECOSYSTEM', 'GIT']);

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Returns the record, or the reason it breaks the OSV schema. */
export function checkOsvRecord(
  value: unknown,
): { record: OsvRecord } | { reason: string; id?: string } {
  if (!isObject(value)) return { reason: 'not a JSON object' };
  const id = value['id'];
  if (typeof id !== 'string' || id.trim() === '') return { reason: 'no "id"' };
  const fail = (reason: string) => ({ reason, id });
  if (typeof value['modified'] !== 'string') return fail('no "modified" timestamp');
  for (const key of ['aliases', 'related', 'upstream'] as const) {
    if (value[key] !== undefined && value[key] !== null && !isStringArray(value[key])) {
      return fail(`"${key}" is not a list of strings`);
    }
  }
  if (value['withdrawn'] !== undefined && typeof value['withdrawn'] !== 'string') {
    return fail('"withdrawn" is not a timestamp');
  }
  const severity = value['severity'];
  if (severity !== undefined && severity !== null) {
    if (
      !Array.isArray(severity) ||
      !severity.every(
        (s) => isObject(s) && typeof s['type'] === 'string' && typeof s['score'] === 'string',
      )
    ) {
      return fail('"severity" entries need "type" and "score" strings');
    }
  }
  const affected = value['affected'];
  if (affected !== undefined && affected !== null) {
    if (!Array.isArray(affected)) return fail('"affected" is not a list');
    for (const [i, a] of affected.entries()) {
      if (!isObject(a)) return fail(`affected[${i}] is not an object`);
      const pkg = a['package'];
      if (
        pkg !== undefined &&
        (!isObject(pkg) || typeof pkg['ecosystem'] !== 'string' || typeof pkg['name'] !== 'string')
      ) {
        return fail(`affected[${i}].package needs "ecosystem" and "name" strings`);
      }
      if (a['versions'] !== undefined && !isStringArray(a['versions'])) {
        return fail(`affected[${i}].versions is not a list of strings`);
      }
      const ranges = a['ranges'];
      if (ranges === undefined) continue;
      if (!Array.isArray(ranges)) return fail(`affected[${i}].ranges is not a list`);
      for (const [j, r] of ranges.entries()) {
        if (!isObject(r)) return fail(`affected[${i}].ranges[${j}] is not an object`);
        if (typeof r['type'] !== 'string' || !RANGE_TYPES.has(r['type'])) {
          return fail(
            `affected[${i}].ranges[${j}].type "${String(r['type'])}" is not SEMVER, ECOSYSTEM or GIT`,
          );
        }
        const events = r['events'];
        if (!Array.isArray(events) || events.length === 0)
          return fail(`affected[${i}].ranges[${j}] has no events`);
        for (const [k, e] of events.entries()) {
          if (!isObject(e))
            return fail(`affected[${i}].ranges[${j}].events[${k}] is not an object`);
          const keys = Object.keys(e);
          if (keys.length !== 1 || !EVENT_KEYS.has(keys[0]!) || typeof e[keys[0]!] !== 'string') {
            return fail(
              `affected[${i}].ranges[${j}].events[${k}] must have exactly one of introduced, fixed, last_affected, limit (a string)`,
            );
          }
        }
      }
    }
  }
  return { record: value as unknown as OsvRecord };
}
