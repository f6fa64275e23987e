/**
 * The Actions logger, run in a child process as a runner would: workflow commands are read from
 * its stdout, the job summary from the GITHUB_STEP_SUMMARY file.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../../helpers/cli.ts';

const LOGGER = pathToFileURL(join(ROOT, 'src/adapters/logging/actions-logger.ts')).href;

interface LoggerRun {
  readonly status: number | null;
  readonly lines: string[];
  readonly stderr: string;
  /** Contents of GITHUB_STEP_SUMMARY, or undefined when it was unset. */
  readonly summary: string | undefined;
  readonly output: string;
}

/** Runs `body` (ES module code with `log`, an ActionsLogger, in scope) in a fresh process. */
function runLogger(body: string, options: { summary?: boolean } = {}): LoggerRun {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-actions-logger-'));
  const summaryFile = join(dir, 'summary.md');
  const outputFile = join(dir, 'output');
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('GITHUB_') && !k.startsWith('RUNNER_')) env[k] = v;
  env['GITHUB_ACTIONS'] = 'true';
  env['GITHUB_OUTPUT'] = outputFile;
  if (options.summary !== false) env['GITHUB_STEP_SUMMARY'] = summaryFile;
  const script = `import { ActionsLogger } from ${JSON.stringify(LOGGER)};\nconst log = new ActionsLogger();\n${body}\n`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    env,
    encoding: 'utf8',
  });
  return {
    status: r.status,
    lines: r.stdout.split(/\r?\n/).filter((l) => l !== ''),
    stderr: r.stderr,
    summary: options.summary === false ? undefined : readFileSync(summaryFile, 'utf8'),
    output: readFileSync(outputFile, 'utf8'),
  };
}

describe('actions logger', () => {
  it('masks a secret and each derived form (lines, base64, base64url, JSON-escaped, URL-encoded) before any use', () => {
    const secret = 's3cr3t+/pass?\nline-two';
    const r = runLogger(
      `log.secret(${JSON.stringify(secret)}); log.info('registered'); log.secret('');`,
    );
    assert.equal(r.status, 0, r.stderr);
    const masks = r.lines.filter((l) => l.startsWith('::add-mask::'));
    // The runner unescapes %25, %0D and %0A in the command value.
    const unescape = (s: string): string =>
      s.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');
    assert.deepEqual(
      new Set(masks.map((l) => unescape(l.slice('::add-mask::'.length)))),
      new Set([
        's3cr3t+/pass?\nline-two',
        's3cr3t+/pass?',
        'line-two',
        'czNjcjN0Ky9wYXNzPwpsaW5lLXR3bw==',
        'czNjcjN0Ky9wYXNzPwpsaW5lLXR3bw',
        's3cr3t+/pass?\\nline-two',
        's3cr3t%2B%2Fpass%3F%0Aline-two',
      ]),
    );
    assert.deepEqual(r.lines.slice(7), ['registered'], 'masks come before any other output');
    assert.equal(masks.length, 7, 'each form once; an empty secret adds no mask');
    assert.equal(
      r.lines.indexOf('::add-mask::s3cr3t+/pass?%0Aline-two'),
      0,
      'the whole value is escaped, so the newline cannot end the command early',
    );
    assert.ok(
      r.lines.filter((l) => !l.startsWith('::add-mask::')).every((l) => !l.includes('s3cr3t')),
      'the secret appears only in mask commands',
    );
    assert.equal(r.output, '', 'logging writes no step outputs');
  });

  it('warnings and errors are annotations carrying file, line, column and title', () => {
    const r = runLogger(
      [
        `log.warn('unknown license', { file: 'package-lock.json', line: 12, column: 5, title: 'license' });`,
        `log.error('schema invalid: a, b', { file: 'sbom.json', line: 3 });`,
        `log.warn('no location');`,
        `log.error('multi\\nline');`,
      ].join('\n'),
    );
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.lines, [
      '::warning title=license,file=package-lock.json,line=12,col=5::unknown license',
      '::error file=sbom.json,line=3::schema invalid: a, b',
      '::warning::no location',
      '::error::multi%0Aline',
    ]);
  });

  it('a group is opened before its work and closed after it, even when the work fails', () => {
    const r = runLogger(
      [
        `const value = await log.group('SBOM', async () => { log.info('reading lockfile'); return 42; });`,
        `log.info('value ' + value);`,
        `await log.group('verify', async () => { throw new Error('boom'); }).catch((e) => log.info('caught ' + e.message));`,
        `log.debug('detail');`,
      ].join('\n'),
    );
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.lines, [
      '::group::SBOM',
      'reading lockfile',
      '::endgroup::',
      'value 42',
      '::group::verify',
      '::endgroup::',
      'caught boom',
      '::debug::detail',
    ]);
  });

  it('the job summary gets the Markdown, appended and never echoed to the log', () => {
    const r = runLogger(
      [
        `await log.summary('## Policy\\n\\n| a | b |\\n|---|---|\\n| 1 | 2 |');`,
        `await log.summary('second part');`,
      ].join('\n'),
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.summary, '## Policy\n\n| a | b |\n|---|---|\n| 1 | 2 |\nsecond part\n');
    assert.deepEqual(r.lines, []);
  });

  it('without GITHUB_STEP_SUMMARY (a runner without job summaries) summary does nothing and does not fail', () => {
    const r = runLogger(`await log.summary('## Policy'); log.info('still running');`, {
      summary: false,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(r.lines, ['still running']);
  });
});
