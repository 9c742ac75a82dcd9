/**
 * `npm run test:hours`: runs the node tests with the pinned clock at 00:00, 06:00, 12:00 and
 * 18:00 UTC (NF_TEST_HOUR, see test/support/clock.ts), one after the other, and fails when any
 * run fails. The simulator's traffic follows the hour of day, 18:00 being the busiest, so this
 * shows the suite does not depend on when it runs. Extra arguments go to mocha (default: test/nodes).
 */
import { spawnSync } from 'node:child_process';

const HOURS = [0, 6, 12, 18];

function main(): number {
  const mocha = require.resolve('mocha/bin/mocha.js');
  const args = process.argv.slice(2);
  const specs = args.length > 0 ? args : ['test/nodes'];
  const failed: number[] = [];
  for (const hour of HOURS) {
    const label = `${String(hour).padStart(2, '0')}:00 UTC`;
    process.stdout.write(`\n=== node tests at ${label} (NF_TEST_HOUR=${hour}) ===\n`);
    const run = spawnSync(process.execPath, [mocha, ...specs], { stdio: 'inherit', env: { ...process.env, NF_TEST_HOUR: String(hour) } });
    if (run.status !== 0) failed.push(hour);
  }
  const summary = HOURS.map((h) => `${String(h).padStart(2, '0')}:00 ${failed.includes(h) ? 'FAILED' : 'passed'}`).join(', ');
  process.stdout.write(`\ntest:hours: ${summary}\n`);
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = main();
