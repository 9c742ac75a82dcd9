/**
 * Benchmark: the property tests at load size. The suite runs each fast-check property with
 * enough cases to prove it in seconds (test/support/property.ts); this runs the same test files
 * with NF_PROPERTY_SCALE=10 (20,000 cases where the suite runs 2,000). It fails when a property
 * fails, and reports how many test cases per second the run checked; no target (a loaded machine
 * shows its load here, not a code change).
 *
 * `npx tsx bench/properties.ts` runs it alone; `run()` returns the row for `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { ROOT } from '../scripts/demo';
import type { BenchResult } from './types';

const SCALE = 10;
export const PROPERTY_FILES = [
  'test/lib/filter/property.test.ts',
  'test/lib/normalize/engine.test.ts',
  'test/lib/ip.test.ts',
  'test/lib/firewalla/schemas.test.ts',
  'test/lib/aggregate/property.test.ts',
  'test/lib/dedup/property.test.ts',
];

export async function run(): Promise<BenchResult[]> {
  const started = process.hrtime.bigint();
  // The tests' output goes to stderr: bench/run.ts reads this process's stdout as JSON.
  const child = spawnSync(process.execPath, [require.resolve('mocha/bin/mocha.js'), '--reporter', 'dot', ...PROPERTY_FILES], {
    cwd: ROOT,
    env: { ...process.env, NF_PROPERTY_SCALE: String(SCALE) },
    stdio: ['ignore', 2, 2],
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0) throw new Error(`property tests at ${SCALE}x failed (exit ${child.status ?? child.signal})`);
  return [{ name: `property tests at ${SCALE}x the suite's cases (${PROPERTY_FILES.length} files)`, value: seconds, unit: 's' }];
}

if (require.main === module) {
  run().then((rows) => console.log(rows), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
