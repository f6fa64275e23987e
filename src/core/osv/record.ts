/**
 * Checks a decoded JSON value against the parts of the OSV schema vouch relies on. A record that
 * breaks it is skipped with a reason naming it, never silently.
 */
import type { OsvRecord } from './model.ts';

const EVENT_KEYS = new Set(['introduced', 'fixed', 'last_affected', 'limit']);
const RANGE_TYPES = new Set(['SEMVER', 'ECOSYSTEM', 'GIT']);

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
// Index loops throughout: this runs once per record of an export of tens of thousands, and
// iterators, callbacks and key arrays per entry cost more than the checks themselves.
function isStringArray(v: unknown): v is string[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
  return true;
}

/** An event has exactly one key, one of EVENT_KEYS, whose value is a string. */
function isEvent(e: Record<string, unknown>): boolean {
  const keys = Object.keys(e);
  return keys.length === 1 && EVENT_KEYS.has(keys[0]!) && typeof e[keys[0]!] === 'string';
}

function isSeverityList(severity: unknown): boolean {
  if (!Array.isArray(severity)) return false;
  for (let i = 0; i < severity.length; i++) {
    const s: unknown = severity[i];
    if (!isObject(s) || typeof s['type'] !== 'string' || typeof s['score'] !== 'string')
      return false;
  }
  return true;
}

const LIST_KEYS = ['aliases', 'related', 'upstream'] as const;

/** Returns the record, or the reason it breaks the OSV schema. */
export function checkOsvRecord(
  value: unknown,
): { record: OsvRecord } | { reason: string; id?: string } {
  if (!isObject(value)) return { reason: 'not a JSON object' };
  const id = value['id'];
  if (typeof id !== 'string' || id.trim() === '') return { reason: 'no "id"' };
  const fail = (reason: string) => ({ reason, id });
  if (typeof value['modified'] !== 'string') return fail('no "modified" timestamp');
  for (const key of LIST_KEYS) {
    const list = value[key];
    if (list !== undefined && list !== null && !isStringArray(list)) {
      return fail(`"${key}" is not a list of strings`);
    }
  }
  if (value['withdrawn'] !== undefined && typeof value['withdrawn'] !== 'string') {
    return fail('"withdrawn" is not a timestamp');
  }
  const severity = value['severity'];
  if (severity !== undefined && severity !== null && !isSeverityList(severity)) {
    return fail('"severity" entries need "type" and "score" strings');
  }
  const affected = value['affected'];
  if (affected !== undefined && affected !== null) {
    if (!Array.isArray(affected)) return fail('"affected" is not a list');
    for (let i = 0; i < affected.length; i++) {
      const a: unknown = affected[i];
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
      for (let j = 0; j < ranges.length; j++) {
        const r: unknown = ranges[j];
        if (!isObject(r)) return fail(`affected[${i}].ranges[${j}] is not an object`);
        if (typeof r['type'] !== 'string' || !RANGE_TYPES.has(r['type'])) {
          return fail(
            `affected[${i}].ranges[${j}].type "${String(r['type'])}" is not SEMVER, ECOSYSTEM or GIT`,
          );
        }
        const events = r['events'];
        if (!Array.isArray(events) || events.length === 0)
          return fail(`affected[${i}].ranges[${j}] has no events`);
        for (let k = 0; k < events.length; k++) {
          const e: unknown = events[k];
          if (!isObject(e))
            return fail(`affected[${i}].ranges[${j}].events[${k}] is not an object`);
          if (!isEvent(e)) {
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
