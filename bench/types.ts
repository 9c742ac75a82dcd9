/** One measurement of a benchmark, with its same-process baseline and target. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  /** value / baseline, or whichever way round the target is phrased (say so in `target`). */
  ratio?: number;
  /** e.g. "ratio <= 1.15" */
  target?: string;
  pass?: boolean;
}

/** Runs fn repeatedly for at least minMs and returns operations per second (best of rounds). */
export function opsPerSecond(fn: () => number, rounds = 5, minMs = 200): number {
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let ops = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < minMs) {
      ops += fn();
      elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    }
    best = Math.max(best, (ops / elapsed) * 1000);
  }
  return best;
}
