import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED, vouch } from '../../helpers/cli.ts';

const FILE = `# Policy exceptions for acme/widget.
version: 1
exceptions:
  # minimist: build scripts only, see #17
  - id: GHSA-xvch-5gv4-984h
    package: pkg:npm/minimist
    versions: "<1.2.6"
    reason: only reachable from build scripts, never at run time
    owner: "@acme/web"
    approved-by: "@acme/release-managers"
    approval: https://github.com/acme/widget/pull/17
    created: 2026-11-20
    expires: 2026-12-10
  - id: license:GPL-3.0-only
    package: pkg:npm/some-cli
    reason: used as a separate build tool
    owner: "@acme/web"
    approved-by: "@acme/release-managers"
    approval: https://github.com/acme/widget/pull/21
    created: 2026-11-01
    expires: 2027-04-30
`;

function workdir(text = FILE): string {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-exc-cli-'));
  writeFileSync(join(dir, 'exceptions.yml'), text);
  return dir;
}

const ADD = [
  'exceptions',
  'add',
  'exceptions.yml',
  '--id',
  'CVE-2021-23337',
  '--package',
  'pkg:npm/lodash',
  '--versions',
  '<4.17.21',
  '--severity',
  'high',
  '--reason',
  'template never called with user input',
  '--owner',
  '@acme/web',
  '--approved-by',
  '@acme/release-managers',
  '--approval',
  'https://github.com/acme/widget/pull/42',
  '--now',
  '2026-12-02',
];

test('validate: a valid file passes and warns about the one expiring soon', () => {
  const dir = workdir();
  const r = vouch(['exceptions', 'validate', 'exceptions.yml', '--now', '2026-12-02'], {
    cwd: dir,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /exceptions\.yml:5: warning: \[EXPIRING_SOON\]|warning: .*EXPIRING_SOON/);
});

test('validate: expiry beyond the policy window is EXCEPTIONS_INVALID (exit 2)', () => {
  const dir = workdir();
  writeFileSync(
    join(dir, 'policy.yml'),
    'version: 1\nremediation-windows: {critical: 7, high: 30, medium: 60, low: 90}\n',
  );
  const r = vouch(
    [
      'exceptions',
      'validate',
      'exceptions.yml',
      '--policy',
      'policy.yml',
      '--now',
      '2026-12-02',
      '--json',
    ],
    { cwd: dir },
  );
  assert.equal(r.status, 2);
  const out = r.stdout
    .trim()
    .split('\n')
    .map((l) => l)
    .join('\n');
  assert.match(out, /EXPIRY_BEYOND_WINDOW/);
  assert.match(out, /"code":"EXCEPTIONS_INVALID"/);
});

test('validate: a symlinked exceptions file is refused', () => {
  const dir = workdir();
  symlinkSync(join(dir, 'exceptions.yml'), join(dir, 'link.yml'));
  const r = vouch(['exceptions', 'validate', 'link.yml', '--json'], { cwd: dir });
  assert.equal(r.status, 2);
  assert.equal(JSON.parse(r.stdout).error.code, 'PATH_IS_SYMLINK');
});

test('validate --ref reads the committed version, not the working tree', () => {
  const dir = workdir();
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd: dir,
      stdio: 'pipe',
    });
  git('init', '-q', '-b', 'main');
  git('add', 'exceptions.yml');
  git('commit', '-qm', 'x');
  writeFileSync(join(dir, 'exceptions.yml'), 'not: [valid');
  assert.equal(
    vouch(['exceptions', 'validate', 'exceptions.yml', '--now', '2026-12-02'], { cwd: dir }).status,
    2,
  );
  const r = vouch(
    ['exceptions', 'validate', 'exceptions.yml', '--ref', 'main', '--now', '2026-12-02'],
    { cwd: dir },
  );
  assert.equal(r.status, 0, r.stderr);
});

test('add: writes a well-formed entry, expiry from the severity window, comments kept', () => {
  const dir = workdir();
  const r = vouch(ADD, { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  const text = readFileSync(join(dir, 'exceptions.yml'), 'utf8');
  assert.ok(text.startsWith(FILE), 'the existing text, comments included, is unchanged');
  assert.match(
    text,
    /- id: CVE-2021-23337\n {4}package: pkg:npm\/lodash\n {4}versions: "<4\.17\.21"/,
  );
  assert.match(text, /created: 2026-12-02\n {4}expires: 2027-01-01\n$/, 'high: 30 days');
  assert.deepEqual(readdirSync(dir).sort(), ['exceptions.yml'], 'no temporary file left behind');
  const check = vouch(['exceptions', 'validate', 'exceptions.yml', '--now', '2026-12-02'], {
    cwd: dir,
  });
  assert.equal(check.status, 0, check.stderr);
});

test('add: the policy window applies; a new file is created', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-exc-new-'));
  writeFileSync(join(dir, 'policy.yml'), 'version: 1\nremediation-windows: {high: 14}\n');
  const r = vouch([...ADD, '--policy', 'policy.yml'], { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  const text = readFileSync(join(dir, 'exceptions.yml'), 'utf8');
  assert.match(
    text,
    /^# Policy exceptions: docs\/exceptions\.md\nversion: 1\nexceptions:\n {2}- id: CVE-2021-23337/,
  );
  assert.match(text, /expires: 2026-12-16\n$/);
});

test('add: a duplicate is refused and the file is left as it was', () => {
  const dir = workdir();
  assert.equal(vouch(ADD, { cwd: dir }).status, 0);
  const before = readFileSync(join(dir, 'exceptions.yml'), 'utf8');
  const r = vouch([...ADD, '--json'], { cwd: dir });
  assert.equal(r.status, 2);
  assert.equal(JSON.parse(r.stdout).error.code, 'EXCEPTIONS_INVALID');
  assert.equal(readFileSync(join(dir, 'exceptions.yml'), 'utf8'), before);
});

test('add: a bad severity or a match-everything package is a coded error', () => {
  const dir = workdir();
  const bad = vouch([...ADD.slice(0, 9), '--severity', 'urgent', ...ADD.slice(11), '--json'], {
    cwd: dir,
  });
  assert.equal(JSON.parse(bad.stdout).error.code, 'USAGE_INVALID_VALUE');
  const wild = [...ADD, '--json'];
  wild[6] = 'pkg:npm/*';
  assert.equal(JSON.parse(vouch(wild, { cwd: dir }).stdout).error.code, 'EXCEPTIONS_INVALID');
});

test('list --expiring 14d: a table of the exceptions expiring soon; --json; exit 0', () => {
  const dir = workdir();
  const r = vouch(
    ['exceptions', 'list', 'exceptions.yml', '--expiring', '14d', '--now', '2026-12-02'],
    { cwd: dir },
  );
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /^ID\s+PACKAGE\s+VERSIONS\s+OWNER\s+EXPIRES\s+DAYS LEFT\s+STATUS$/);
  assert.equal(lines.length, 2);
  assert.match(
    lines[1]!,
    /^GHSA-xvch-5gv4-984h\s+pkg:npm\/minimist\s+<1\.2\.6\s+@acme\/web\s+2026-12-10\s+8\s+expiring$/,
  );
  const json = JSON.parse(
    vouch(['exceptions', 'list', 'exceptions.yml', '--json', '--now', '2026-12-11'], { cwd: dir })
      .stdout,
  ) as { exceptions: Array<{ id: string; status: string }> };
  assert.deepEqual(
    json.exceptions.map((e) => [e.id, e.status]),
    [
      ['GHSA-xvch-5gv4-984h', 'expired'],
      ['license:GPL-3.0-only', 'active'],
    ],
  );
  const none = vouch(
    ['exceptions', 'list', 'exceptions.yml', '--expiring', '3d', '--now', '2026-11-21'],
    { cwd: dir },
  );
  assert.equal(none.status, 0);
  assert.match(none.stdout, /no exception expires within 3 days/);
});

test('list: a bad duration is EXCEPTIONS_DATE_INVALID', () => {
  const dir = workdir();
  const r = vouch(['exceptions', 'list', 'exceptions.yml', '--expiring', 'two weeks', '--json'], {
    cwd: dir,
  });
  assert.equal(r.status, 2);
  assert.equal(JSON.parse(r.stdout).error.code, 'EXCEPTIONS_DATE_INVALID');
});

const OSV = join(SHARED, 'advisories', 'osv');

/** ADD without --severity, for the advisory given. */
function addFor(id: string, ...extra: string[]): string[] {
  const args = [...ADD];
  args.splice(args.indexOf('--severity'), 2);
  args[args.indexOf('--id') + 1] = id;
  return [...args, ...extra];
}

test('add --advisories: the expiry comes from the finding’s own severity in the real OSV records', () => {
  const dir = workdir();
  // CVE-2021-23337 is GHSA-35jh-r3h4-6jhm (lodash command injection, CVSS 7.2: high).
  const r = vouch([...addFor('CVE-2021-23337', '--advisories', OSV), '--json'], { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(out['windowDays'], 30);
  assert.equal(out['severity'], 'high');
  assert.equal(out['advisory'], 'GHSA-35jh-r3h4-6jhm');
  assert.match(readFileSync(join(dir, 'exceptions.yml'), 'utf8'), /expires: 2027-01-01\n$/);

  // CVE-2021-44906 is GHSA-xvch-5gv4-984h (minimist, CVSS 9.8: critical): 7 days.
  const dir2 = workdir();
  const c = vouch(addFor('CVE-2021-44906', '--advisories', OSV), { cwd: dir2 });
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stderr, /7-day critical window \(GHSA-xvch-5gv4-984h\)/);
  assert.match(readFileSync(join(dir2, 'exceptions.yml'), 'utf8'), /expires: 2026-12-09\n$/);
});

test('add: --severity overrides the severity in --advisories', () => {
  const dir = workdir();
  const r = vouch(addFor('CVE-2021-44906', '--advisories', OSV, '--severity', 'low'), {
    cwd: dir,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /180-day low window \(--severity\)/);
  assert.match(readFileSync(join(dir, 'exceptions.yml'), 'utf8'), /expires: 2027-05-31\n$/);
});

test('add without --severity or --advisories: the longest window, with a warning', () => {
  const dir = workdir();
  const r = vouch(addFor('CVE-2021-44906'), { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: No advisory data was given/);
  assert.match(readFileSync(join(dir, 'exceptions.yml'), 'utf8'), /expires: 2027-05-31\n$/);
});

test('validate --advisories: a critical waiver beyond its 7-day window is EXCEPTIONS_INVALID', () => {
  const dir = workdir();
  // Without advisory data the 20-day minimist waiver passes, with a visible warning.
  const plain = vouch(['exceptions', 'validate', 'exceptions.yml', '--now', '2026-12-02'], {
    cwd: dir,
  });
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(
    plain.stderr,
    /No advisory data was given .*longest window \(180 days\).*GHSA-xvch-5gv4-984h/,
  );
  const r = vouch(
    [
      'exceptions',
      'validate',
      'exceptions.yml',
      '--now',
      '2026-12-02',
      '--advisories',
      OSV,
      '--json',
    ],
    { cwd: dir },
  );
  assert.equal(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    /\[EXPIRY_BEYOND_WINDOW\] GHSA-xvch-5gv4-984h \(pkg:npm\/minimist\): expires 20 days after it was created; the critical severity remediation window allows 7/,
  );
  const first = JSON.parse(r.stdout.slice(0, r.stdout.indexOf('\n}\n') + 2)) as {
    windows: Array<Record<string, unknown>>;
  };
  assert.deepEqual(first.windows, [
    {
      id: 'GHSA-xvch-5gv4-984h',
      package: 'pkg:npm/minimist',
      windowDays: 7,
      windowBasis: 'severity',
      severity: 'critical',
      advisory: 'GHSA-xvch-5gv4-984h',
    },
    {
      id: 'license:GPL-3.0-only',
      package: 'pkg:npm/some-cli',
      windowDays: 180,
      windowBasis: 'license',
    },
  ]);
});

test('validate: an advisory API without an SBOM is refused, not asked about nothing', () => {
  const dir = workdir();
  const r = vouch(
    [
      'exceptions',
      'validate',
      'exceptions.yml',
      '--advisories',
      'osv-api=http://127.0.0.1:9',
      '--json',
    ],
    { cwd: dir },
  );
  assert.equal(r.status, 2);
  assert.equal(JSON.parse(r.stdout).error.code, 'INPUT_MISSING');
});
