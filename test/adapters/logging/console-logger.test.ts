import { afterEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ConsoleLogger } from '../../../src/adapters/logging/console-logger.ts';

/** A stderr stand-in that records what is written, a terminal or not. */
function sink(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  Object.assign(w, { isTTY });
  return { stream: w as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

// eslint-disable-next-line no-control-regex
const ESC = /\u001b\[/;

describe('console logger', () => {
  const savedNoColor = process.env['NO_COLOR'];
  const savedTerm = process.env['TERM'];
  afterEach(() => {
    mock.timers.reset();
    if (savedNoColor === undefined) delete process.env['NO_COLOR'];
    else process.env['NO_COLOR'] = savedNoColor;
    if (savedTerm === undefined) delete process.env['TERM'];
    else process.env['TERM'] = savedTerm;
  });

  it('writes plain text when the stream is not a terminal, colour on a terminal', () => {
    delete process.env['NO_COLOR'];
    process.env['TERM'] = 'xterm-256color';
    const pipe = sink(false);
    new ConsoleLogger({ stream: pipe.stream }).warn('lockfile is old');
    assert.equal(pipe.text(), 'warning: lockfile is old\n');

    const tty = sink(true);
    new ConsoleLogger({ stream: tty.stream }).warn('lockfile is old');
    assert.match(tty.text(), ESC);
    assert.match(tty.text(), /lockfile is old/);
  });

  it('honours NO_COLOR and TERM=dumb on a terminal', () => {
    process.env['NO_COLOR'] = '1';
    const a = sink(true);
    new ConsoleLogger({ stream: a.stream }).error('refused');
    assert.doesNotMatch(a.text(), ESC);
    delete process.env['NO_COLOR'];
    process.env['TERM'] = 'dumb';
    const b = sink(true);
    new ConsoleLogger({ stream: b.stream }).error('refused');
    assert.doesNotMatch(b.text(), ESC);
  });

  it('quiet mode keeps warnings and errors and drops the rest', async () => {
    const s = sink(false);
    const log = new ConsoleLogger({ stream: s.stream, quiet: true });
    log.info('reading lockfile');
    log.debug('detail');
    await log.group('SBOM', async () => log.info('inside'));
    log.warn('unknown license', { file: 'package-lock.json', line: 12 });
    log.error('schema invalid');
    assert.equal(
      s.text(),
      'warning: package-lock.json:12: unknown license\nerror: schema invalid\n',
    );
  });

  it('--json writes one JSON object per line with the source location', () => {
    const s = sink(true);
    const log = new ConsoleLogger({ stream: s.stream, json: true });
    log.info('hello');
    log.warn('careful', { file: 'a.yml', line: 3 });
    const lines = s
      .text()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(lines, [
      { level: 'info', message: 'hello' },
      { level: 'warn', message: 'careful', file: 'a.yml', line: 3 },
    ]);
    assert.doesNotMatch(s.text(), ESC);
  });

  it('masks a registered secret and its derived forms in every line', () => {
    const s = sink(false);
    const log = new ConsoleLogger({ stream: s.stream });
    log.secret('hunter2-pass\nsecond-line');
    log.info('passphrase hunter2-pass');
    log.warn(`b64 ${Buffer.from('hunter2-pass\nsecond-line').toString('base64')}`);
    log.error('line second-line leaked');
    assert.doesNotMatch(s.text(), /hunter2|second-line/);
    assert.equal((s.text().match(/\*\*\*/g) ?? []).length, 3);
  });

  it('groups indent their lines', async () => {
    const s = sink(false);
    const log = new ConsoleLogger({ stream: s.stream });
    await log.group('verify', async () => log.info('bundle ok'));
    assert.equal(s.text(), 'verify\n  bundle ok\n');
  });

  it('progress shows only for work longer than a second: live on a terminal, one line otherwise', () => {
    mock.timers.enable({ apis: ['Date'], now: 0 });
    const quick = sink(true);
    const p1 = new ConsoleLogger({ stream: quick.stream }).progress('hashing', 10);
    p1.tick(10);
    p1.done();
    assert.equal(quick.text(), '', 'no progress for quick work');

    const tty = sink(true);
    const p2 = new ConsoleLogger({ stream: tty.stream }).progress('hashing', 3);
    p2.tick();
    mock.timers.tick(1500);
    p2.tick();
    p2.done();
    assert.equal(tty.text(), '\rhashing: 2/3\rhashing: 2/3 done\n');

    const pipe = sink(false);
    const p3 = new ConsoleLogger({ stream: pipe.stream }).progress('hashing', 3);
    p3.tick(3);
    mock.timers.tick(1500);
    p3.done();
    assert.equal(pipe.text(), 'hashing: 3/3 done\n');

    const quiet = sink(true);
    const p4 = new ConsoleLogger({ stream: quiet.stream, quiet: true }).progress('hashing');
    mock.timers.tick(1500);
    p4.tick();
    p4.done();
    assert.equal(quiet.text(), '');
  });
});
