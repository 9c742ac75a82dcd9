/**
 * `npm run bench`: every benchmark in bench/, each reporting ratios against a baseline measured
 * in the same process (absolute speeds depend on the machine; ratios much less). Exit code 0
 * unless a benchmark throws: targets are reported, not enforced, because a loaded machine can
 * miss one without the code having changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BenchResult } from './types';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts') && !/^(run|types)\./.test(f))
    .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)));
  const rows: Array<BenchResult & { suite: string }> = [];
  for (const f of files) {
    const mod = require(path.join(__dirname, f)) as { run?: () => Promise<BenchResult[]> };
    if (typeof mod.run !== 'function') continue;
    const suite = f.replace(/\.(js|ts)$/, '');
    console.log(`# ${suite}`);
    for (const r of await mod.run()) {
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
