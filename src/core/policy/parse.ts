/**
 * Reads a policy file (docs/policy.md). Unknown keys, bad values, invalid SPDX ids and ranges are
 * POLICY_INVALID errors with line and column.
 */
import spdxIds from 'spdx-license-ids/index.json' with { type: 'json' };
import spdxDeprecated from 'spdx-license-ids/deprecated.json' with { type: 'json' };
import { VouchError } from '../../errors.ts';
import { DEFAULT_REMEDIATION_WINDOWS, type Severity } from '../exceptions/model.ts';
import { unknownKeyMessage } from '../exceptions/parse.ts';
import { parseVersionRange } from '../osv/version.ts';
import type { ComponentScope } from '../sbom/model.ts';
import { parseYamlSafeFast, type PathSegment } from '../safe-parse.ts';
import type { Ban, LicenseOverride, Policy } from './model.ts';
import { parseBanPattern, parsePackagePattern } from './purl.ts';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];
const SCOPES: readonly ComponentScope[] = ['required', 'optional', 'dev'];
const TOP = [
  'version',
  'scopes',
  'licenses',
  'vulnerabilities',
  'bans',
  'remediation-windows',
  'exceptions',
] as const;
const LICENSE_KEYS = ['allow', 'deny', 'unknown', 'overrides'] as const;
const VULN_KEYS = ['fail-on', 'only-fixed'] as const;
const BAN_KEYS = ['name', 'package', 'versions', 'reason'] as const;
const OVERRIDE_KEYS = ['package', 'license'] as const;
const EXC_KEYS = ['expiring-within'] as const;

const SPDX = new Map<string, string>(
  [...(spdxDeprecated as string[]), ...(spdxIds as string[])].map((id) => [id.toLowerCase(), id]),
);

/** Canonical spelling of an SPDX id (`mit` → `MIT`), or undefined when it is not one. */
export function canonicalSpdxId(id: string): string | undefined {
  return SPDX.get(id.toLowerCase());
}

/** An allow/deny entry: an SPDX id, `LicenseRef-…`, `ID+`, or `ID WITH EXCEPTION`. */
function checkLicenseEntry(text: string): string | undefined {
  const m = /^\s*([A-Za-z0-9.+-]+?)(\+)?(?:\s+WITH\s+([A-Za-z0-9.-]+))?\s*$/i.exec(text);
  if (!m) return undefined;
  const id = /^(LicenseRef|DocumentRef)-/i.test(m[1]!) ? m[1]! : canonicalSpdxId(m[1]!);
  if (!id) return undefined;
  return `${id}${m[2] ?? ''}${m[3] ? ` WITH ${m[3]}` : ''}`;
}

export function parsePolicy(text: string, source: string): Policy {
  let parsed;
  try {
    parsed = parseYamlSafeFast(text, source, { maxBytes: 1024 * 1024 });
  } catch (error) {
    if (error instanceof VouchError && error.code === 'YAML_INVALID') {
      throw new VouchError('POLICY_INVALID', error.message, { cause: error });
    }
    throw error;
  }
  const problems: string[] = [];
  const add = (message: string, path: readonly PathSegment[]): void => {
    const p = parsed.locate(path);
    problems.push(`${source}${p ? `:${p.line}:${p.column}` : ''}: ${message}`);
  };
  const obj = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  const keysOf = (
    v: Record<string, unknown>,
    known: readonly string[],
    path: PathSegment[],
  ): void => {
    for (const k of Object.keys(v))
      if (!known.includes(k)) add(unknownKeyMessage(k, known), [...path, k]);
  };
  const root = parsed.value;
  if (!obj(root))
    throw new VouchError(
      'POLICY_INVALID',
      `${source}: the policy must be a mapping with "version: 1"`,
    );
  keysOf(root, TOP, []);
  if (root['version'] !== 1) add('"version" must be 1', ['version']);

  let scopes: ComponentScope[] = ['required', 'optional'];
  if (root['scopes'] !== undefined) {
    const s = root['scopes'];
    if (
      !Array.isArray(s) ||
      s.length === 0 ||
      !s.every((x) => SCOPES.includes(x as ComponentScope))
    ) {
      add(`"scopes" must be a non-empty list of ${SCOPES.join(', ')}`, ['scopes']);
    } else scopes = [...new Set(s as ComponentScope[])];
  }

  let licenses: Policy['licenses'];
  const lic = root['licenses'];
  if (lic !== undefined && lic !== null) {
    if (!obj(lic)) add('"licenses" must be a mapping', ['licenses']);
    else {
      keysOf(lic, LICENSE_KEYS, ['licenses']);
      const list = (key: 'allow' | 'deny'): string[] | undefined => {
        const v = lic[key];
        if (v === undefined || v === null) return undefined;
        if (!Array.isArray(v)) {
          add(`"licenses.${key}" must be a list of SPDX ids`, ['licenses', key]);
          return undefined;
        }
        const out: string[] = [];
        v.forEach((x, i) => {
          const id = typeof x === 'string' ? checkLicenseEntry(x) : undefined;
          if (!id)
            add(`"${String(x)}" is not an SPDX license id (or LicenseRef-…, ID WITH EXCEPTION)`, [
              'licenses',
              key,
              i,
            ]);
          else out.push(id);
        });
        return out;
      };
      const allow = list('allow');
      const deny = list('deny');
      const unknown = lic['unknown'] ?? 'fail';
      if (unknown !== 'fail' && unknown !== 'warn')
        add('"licenses.unknown" must be fail or warn', ['licenses', 'unknown']);
      const overrides: LicenseOverride[] = [];
      const ov = lic['overrides'];
      if (ov !== undefined && ov !== null) {
        if (!Array.isArray(ov))
          add('"licenses.overrides" must be a list', ['licenses', 'overrides']);
        else
          ov.forEach((o, i) => {
            const path: PathSegment[] = ['licenses', 'overrides', i];
            if (!obj(o)) return add('an override must be a mapping with package and license', path);
            keysOf(o, OVERRIDE_KEYS, path);
            if (typeof o['license'] !== 'string' || o['license'].trim() === '')
              add('"license" must be an SPDX expression', [...path, 'license']);
            try {
              if (typeof o['package'] !== 'string') throw new Error('"package" is missing');
              const pkg = parsePackagePattern(o['package']);
              if (typeof o['license'] === 'string')
                overrides.push({ package: pkg, license: o['license'].trim() });
            } catch (error) {
              add(`"package" ${(error as Error).message}`, [...path, 'package']);
            }
          });
      }
      if (!allow && !deny) add('"licenses" needs "allow", "deny" or both', ['licenses']);
      licenses = {
        ...(allow ? { allow } : {}),
        ...(deny ? { deny } : {}),
        unknown: unknown === 'warn' ? 'warn' : 'fail',
        overrides,
      };
    }
  }

  let vulnerabilities: Policy['vulnerabilities'] = { failOn: 'low', onlyFixed: false };
  const vul = root['vulnerabilities'];
  if (vul !== undefined && vul !== null) {
    if (!obj(vul)) add('"vulnerabilities" must be a mapping', ['vulnerabilities']);
    else {
      keysOf(vul, VULN_KEYS, ['vulnerabilities']);
      const failOn = vul['fail-on'] ?? 'low';
      if (!SEVERITIES.includes(failOn as Severity))
        add(`"fail-on" must be one of ${SEVERITIES.join(', ')}`, ['vulnerabilities', 'fail-on']);
      const onlyFixed = vul['only-fixed'] ?? false;
      if (typeof onlyFixed !== 'boolean')
        add('"only-fixed" must be true or false', ['vulnerabilities', 'only-fixed']);
      vulnerabilities = { failOn: failOn as Severity, onlyFixed: onlyFixed === true };
    }
  }

  const bans: Ban[] = [];
  const bl = root['bans'];
  if (bl !== undefined && bl !== null) {
    if (!Array.isArray(bl)) add('"bans" must be a list', ['bans']);
    else {
      const names = new Set<string>();
      bl.forEach((b, i) => {
        const path: PathSegment[] = ['bans', i];
        if (!obj(b)) return add('a ban must be a mapping with name, package and versions', path);
        keysOf(b, BAN_KEYS, path);
        const name = b['name'];
        if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
          return add(
            '"name" must be a short name (letters, digits, . _ -), used as ban:<name> in exceptions',
            [...path, 'name'],
          );
        }
        if (names.has(name)) return add(`ban "${name}" is declared twice`, [...path, 'name']);
        names.add(name);
        let pkg;
        try {
          if (typeof b['package'] !== 'string') throw new Error('is missing');
          pkg = parseBanPattern(b['package']);
        } catch (error) {
          return add(`"package" ${(error as Error).message}`, [...path, 'package']);
        }
        if (b['reason'] !== undefined && typeof b['reason'] !== 'string')
          return add('"reason" must be text', [...path, 'reason']);
        const versionsText = b['versions'] ?? '*';
        if (typeof versionsText !== 'string')
          return add('"versions" must be a range string ("*" for all)', [...path, 'versions']);
        try {
          const versions = parseVersionRange(versionsText, pkg.ecosystem);
          bans.push({
            name,
            package: pkg,
            versions,
            ...(typeof b['reason'] === 'string' ? { reason: b['reason'] } : {}),
          });
        } catch (error) {
          add(`"versions" ${(error as Error).message}`, [...path, 'versions']);
        }
      });
    }
  }

  const windows: Record<Severity, number> = { ...DEFAULT_REMEDIATION_WINDOWS };
  const rw = root['remediation-windows'];
  if (rw !== undefined && rw !== null) {
    if (!obj(rw))
      add('"remediation-windows" must be a mapping of severity to days', ['remediation-windows']);
    else {
      keysOf(rw, SEVERITIES, ['remediation-windows']);
      for (const s of SEVERITIES) {
        const v = rw[s];
        if (v === undefined) continue;
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 3650) {
          add(`"${s}" must be a whole number of days (1–3650)`, ['remediation-windows', s]);
        } else windows[s] = v;
      }
    }
  }
  let expiringWithinDays = 14;
  const ex = root['exceptions'];
  if (ex !== undefined && ex !== null) {
    if (!obj(ex)) add('"exceptions" must be a mapping', ['exceptions']);
    else {
      keysOf(ex, EXC_KEYS, ['exceptions']);
      const d = ex['expiring-within'];
      if (d !== undefined) {
        if (typeof d !== 'number' || !Number.isInteger(d) || d < 0)
          add('"expiring-within" must be a whole number of days', [
            'exceptions',
            'expiring-within',
          ]);
        else expiringWithinDays = d;
      }
    }
  }
  if (problems.length > 0) {
    throw new VouchError(
      'POLICY_INVALID',
      problems.length === 1
        ? problems[0]!
        : `${problems.length} problems in ${source}:\n${problems.join('\n')}`,
    );
  }
  return {
    version: 1,
    scopes,
    ...(licenses ? { licenses } : {}),
    vulnerabilities,
    bans,
    remediationWindows: windows,
    expiringWithinDays,
  };
}
