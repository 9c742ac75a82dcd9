/**
 * The leak detector (test/support/leaks.ts) fails a run that leaves something open, and names it.
 * Each case runs mocha in a child process on a fixture, as CI runs the suite.
 */
import 'should';
import { execFile } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const MOCHA = require.resolve('mocha/bin/mocha.js');

interface Run { code: number | null; signal: NodeJS.Signals | null; output: string }

function runMocha(fixture: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MOCHA, '--reporter', 'spec', path.join('test', 'fixtures', 'leak', fixture)],
      // The kill timeout is only a backstop: without a detector the leaky child would never exit.
      { cwd: ROOT, env: { ...process.env, NF_LEAK_GRACE_MS: '300', NF_LEAK_TRACE: '' }, timeout: 25_000, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: number; signal?: NodeJS.Signals }) | null;
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, output: stdout + stderr });
      },
    );
  });
}

describe('leak detector', function () {
  this.timeout(30_000);

  it('fails a run whose passing test leaves a server open, naming the server and its port, and the timer', async () => {
    const run = await runMocha('leaky.fixture.ts');
    (run.signal === null).should.be.true(`the child was killed (${String(run.signal)}): the detector did not end it\n${run.output}`);
    run.output.should.match(/1 passing/);
    (run.code ?? 0).should.not.equal(0, run.output);
    const port = /LEAKED_PORT=(\d+)/.exec(run.output)?.[1];
    (port !== undefined).should.be.true(run.output);
    run.output.should.match(/LEAK: after the last test/);
    run.output.should.containEql(`TCPServerWrap: server listening on 127.0.0.1:${port}`);
    run.output.should.match(/1 x Timeout/);
  });

  it('lets a run that closes what it opened exit 0 with no report', async () => {
    const run = await runMocha('clean.fixture.ts');
    run.output.should.match(/1 passing/);
    run.output.should.not.match(/LEAK/);
    (run.code ?? -1).should.equal(0, run.output);
  });
});
