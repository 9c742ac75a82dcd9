/**
 * `npm run test:hours`: runs the node tests with the pinned clock at 00:00, 06:00, 12:00 and
 * 18:00 UTC (NF_TEST_HOUR, see test/support/clock.ts), one after the other, and fails when any
 * run fails. The simulator's traffic follows the hour of day, 18:00 being the busiest, so this
 * shows the suite does not depend on when it runs. Extra arguments go to mocha (default: test/nodes).
 *
 * Each run's output is shown as it comes and kept; a failed hour's failures and leak report are
 * printed again at the very end, so a CI log that shows only its tail still says what failed.
 */
import { spawn } from 'node:child_process';

const HOURS = [0, 6, 12, 18];

interface HourRun { hour: number; code: number | null; output: string }

function runHour(mocha: string, specs: string[], hour: number): Promise<HourRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [mocha, ...specs], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NF_TEST_HOUR: String(hour) },
    });
    let output = '';
    const keep = (chunk: Buffer, to: NodeJS.WriteStream): void => {
      to.write(chunk);
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', (c: Buffer) => keep(c, process.stdout));
    child.stderr.on('data', (c: Buffer) => keep(c, process.stderr));
    child.on('close', (code) => resolve({ hour, code, output }));
  });
}

/** The part of a run's output that says what went wrong: mocha's failure list and any leak report. */
export function failureDigest(output: string): string {
  const lines = output.split('\n');
  const failing = lines.findIndex((l) => /^\s+\d+ failing/.test(l));
  const leak = lines.findIndex((l) => l.startsWith('LEAK:'));
  const parts: string[] = [];
  if (failing >= 0) parts.push(lines.slice(failing, failing + 120).join('\n'));
  if (leak >= 0) parts.push(lines.slice(leak, leak + 30).join('\n'));
  if (parts.length === 0) parts.push(lines.slice(-40).join('\n'));
  return parts.join('\n');
}

const label = (h: number): string => `${String(h).padStart(2, '0')}:00`;

async function main(): Promise<number> {
  const mocha = require.resolve('mocha/bin/mocha.js');
  const args = process.argv.slice(2);
  const specs = args.length > 0 ? args : ['test/nodes'];
  const runs: HourRun[] = [];
  for (const hour of HOURS) {
    process.stdout.write(`\n=== node tests at ${label(hour)} UTC (NF_TEST_HOUR=${hour}) ===\n`);
    runs.push(await runHour(mocha, specs, hour));
  }
  const failed = runs.filter((r) => r.code !== 0);
  for (const r of failed) {
    process.stdout.write(`\n=== what failed at ${label(r.hour)} UTC (exit code ${r.code}) ===\n${failureDigest(r.output)}\n`);
  }
  process.stdout.write(`\ntest:hours: ${runs.map((r) => `${label(r.hour)} ${r.code === 0 ? 'passed' : 'FAILED'}`).join(', ')}\n`);
  return failed.length === 0 ? 0 : 1;
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
