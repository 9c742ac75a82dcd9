import 'should';
import { compileFilter, referencePredicate, type FilterRecord } from '../../../nodes/lib/filter';

/** A NetworkFlow with everything a filter reads; `over` replaces top-level fields. */
export function flow(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'flow',
    vendor: 'firewalla',
    endpoint: 'flows',
    ts: 1_700_000_000_000,
    durationMs: 2000,
    src: { ip: '10.1.2.3', port: 51515 },
    dst: { ip: '93.184.216.34', port: 443 },
    protocol: { number: 6, name: 'tcp' },
    direction: 'outbound',
    bytes: 2_000_000,
    packets: 1500,
    pps: 750,
    flows: 1,
    app: 'HTTPS',
    category: 'video',
    region: 'US',
    blocked: false,
    raw: { vpathclass: '2', hitcount: '17' },
    extra: { flowcount: 150 },
    ...over,
  };
}

/** Runs the compiled predicate and the reference evaluator; they must agree. */
export function matches(expression: string, rec: FilterRecord): boolean {
  const compiled = compileFilter(expression)(rec);
  const reference = referencePredicate(expression)(rec);
  if (compiled !== reference) {
    throw new Error(`compiled (${compiled}) and reference (${reference}) disagree on ${expression}`);
  }
  return compiled;
}

/** Which of the records match. */
export function which(expression: string, recs: FilterRecord[]): number[] {
  return recs.flatMap((r, i) => (matches(expression, r) ? [i] : []));
}
