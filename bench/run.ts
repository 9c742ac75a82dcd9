/**
 * `npm run bench`: every benchmark in bench/, each reporting ratios against a baseline measured
 * in the same process (absolute speeds depend on the machine; ratios much less). Exit code 0
 * unless a benchmark throws: targets are reported, not enforced, because a loaded machine can
 * miss one without the code having changed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { BenchResult } from './types';

/**
 * Each suite runs in a child process of its own (why: docs/performance.md#running). Ratios are
 * still taken against a baseline in the same process as the measurement: the suite's own.
 */
const CHILD_FLAG = '--suite-json';

async function runSuite(file: string): Promise<BenchResult[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- suites are found by file name at run time
  const mod = require(path.join(__dirname, file)) as { run?: () => Promise<BenchResult[]> };
  return typeof mod.run === 'function' ? mod.run() : [];
}

function runSuiteInChild(file: string): BenchResult[] {
  const child = spawnSync(process.execPath, [...process.execArgv, __filename, CHILD_FLAG, file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`benchmark ${file} exited with ${child.status ?? child.signal}`);
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as BenchResult[];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === CHILD_FLAG) {
    const rows = await runSuite(args[1]!);
    process.stdout.write(`\n${JSON.stringify(rows)}\n`);
    return;
  }
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts') && !/^(run|types)\./.test(f))
    .filter((f) => args.length === 0 || args.some((o) => f.startsWith(o)));
  const rows: Array<BenchResult & { suite: string }> = [];
  for (const f of files) {
    const suite = f.replace(/\.(js|ts)$/, '');
    console.log(`# ${suite}`);
    for (const r of runSuiteInChild(f)) {
      rows.push({ suite, ...r });
      console.log(`  ${format(r)}`);
    }
  }
  const missed = rows.filter((r) => r.pass === false);
  console.log(`\n${rows.length} measurements, ${rows.filter((r) => r.pass === true).length} met their target, ${missed.length} missed`);
  for (const m of missed) console.log(`  missed: ${m.suite} ${m.name} (${m.target})`);
}

export function format(r: BenchResult): string {
  const v = `${fmt(r.value)} ${r.unit}`;
  const base = r.baseline === undefined ? '' : `; baseline ${fmt(r.baseline)} ${r.unit}`;
  const ratio = r.ratio === undefined ? '' : `; ratio ${r.ratio.toFixed(3)}`;
  const target = r.target ? `; target ${r.target} ${r.pass ? 'met' : 'MISSED'}` : '';
  return `${r.name}: ${v}${base}${ratio}${target}`;
}

function fmt(n: number): string {
  return Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(4);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
