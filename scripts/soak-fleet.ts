/**
 * The fleet soak (`npm run soak -- --fleet`, docs/fleets.md#the-fleet-soak): 500 simulated Citrix
 * SD-WAN appliances (one loopback server each, in this process) on one site list, polled by one
 * `network-flow-site-poller` in a real Node-RED runtime once per interval (default every minute
 * for 10 minutes), with 2 % of the sites taken down for a few cycles and brought back. Reports
 * per cycle: duration, records, sites ok, CPU time (this process: Node-RED and the simulators
 * together) and the heap after GC. Fails when a cycle ends outside its interval, a healthy site
 * sends nothing, a 429 is answered, more sockets are open than the cap, the down/up messages
 * are not exactly one per failing site, or the heap after warm-up grows more than 10 %.
 *
 *   node --expose-gc dist/scripts/soak.js --fleet [--sites 500] [--cycles 10] [--interval-s 60] [--concurrency 10] [--jitter-s 20]
 */
import helper from 'node-red-node-test-helper';
import type { NodeMessage } from 'node-red';
import { DEMO_CREDENTIALS } from '../simulator/server';
import { SimFleet } from '../simulator/fleet';
import { gcFunction, heapAfterGc } from './soak';

export interface FleetSoakOptions {
  sites: number;
  cycles: number;
  intervalMs: number;
  concurrency: number;
  jitterS: number;
  /** Cycles before the heap baseline is taken. Default 3. */
  warmup?: number;
  log?: (line: string) => void;
}

export interface FleetCycle {
  cycle: number;
  durationMs: number;
  siteMessages: number;
  records: number;
  downMessages: number;
  upMessages: number;
  status: string;
  cpuMs: number;
  heapMB: number;
}

export interface FleetSoakReport {
  sites: number;
  intervalMs: number;
  cycles: FleetCycle[];
  maxCycleMs: number;
  meanCycleMs: number;
  cpuPctOfWall: number;
  heapAfterWarmupMB: number;
  heapEndMB: number;
  heapGrowthPct: number;
  peakOpenSockets: number;
  rateLimited: number;
  ok: boolean;
  failures: string[];
}

const mb = (n: number): number => Math.round((n / 1048576) * 10) / 10;

export async function runFleetSoak(o: FleetSoakOptions): Promise<FleetSoakReport> {
  const gc = gcFunction();
  const warmup = o.warmup ?? 3;
  const failures: string[] = [];
  const fleet = await SimFleet.start({ sites: o.sites, vendors: ['citrix-sdwan'], siteRateLimit: 5, siteRateWindowMs: o.intervalMs, logLimit: 0 });
  /* eslint-disable @typescript-eslint/no-require-imports */
  const nodes = [require('../nodes/network-flow-sites-config'), require('../nodes/network-flow-site-poller')] as Parameters<typeof helper.load>[0];
  /* eslint-enable @typescript-eslint/no-require-imports */
  helper.init(require.resolve('node-red'));
  // eslint-disable-next-line @typescript-eslint/await-thenable -- typed void, returns a promise
  await helper.startServer();
  const name = (i: number): string => `site-${String(i).padStart(3, '0')}`;
  const flow = [
    { id: 'list', type: 'network-flow-sites-config', vendor: 'citrix-sdwan', sites: fleet.sims.map((s, i) => `${s.url}, ${name(i)}`).join('\n'), timeout: '5000' },
    { id: 'poll', type: 'network-flow-site-poller', server: 'list', resource: 'flows', maxStats: '100', concurrency: String(o.concurrency), jitter: String(o.jitterS), failuresToDown: '2', wires: [['records'], ['health']] },
    { id: 'records', type: 'helper' },
    { id: 'health', type: 'helper' },
  ];
  const cycles: FleetCycle[] = [];
  let heapBase = 0;
  try {
    await helper.load(nodes, flow, { list: { username: DEMO_CREDENTIALS.sdwanUsername, password: DEMO_CREDENTIALS.sdwanPassword } });
    const poll = helper.getNode('poll');
    let siteMessages = 0;
    let records = 0;
    const events: Array<{ topic: string; site: string }> = [];
    helper.getNode('records').on('input', (m: NodeMessage) => {
      siteMessages++;
      records += (m.payload as unknown[]).length;
    });
    helper.getNode('health').on('input', (m: NodeMessage) => void events.push({ topic: String(m.topic), site: String((m as { site?: unknown }).site) }));
    // 2 % of the sites go down in cycle 3 and come back in cycle 7 (of 10).
    const failing = Array.from({ length: o.sites }, (_, i) => i).filter((i) => i % 50 === 13);
    const downAt = Math.min(2, o.cycles - 1);
    const upAt = Math.min(downAt + 4, o.cycles - 1);
    const start = performance.now();
    for (let c = 0; c < o.cycles; c++) {
      // Every cycle starts on its interval, as an inject node would fire it.
      const due = start + c * o.intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (c === downAt) for (const i of failing) fleet.takeDown(i);
      if (c === upAt) for (const i of failing) fleet.bringUp(i);
      siteMessages = 0;
      records = 0;
      const eventsBefore = events.length;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const status = await new Promise<string>((resolve) => {
        const listener = (call: { args: Array<{ text?: string }> }): void => {
          const text = call.args[0]?.text ?? '';
          if (/sites ok|skipped/.test(text)) {
            (poll as unknown as NodeJS.EventEmitter).removeListener('call:status', listener);
            resolve(text);
          }
        };
        (poll as unknown as NodeJS.EventEmitter).on('call:status', listener);
        poll.receive({ payload: 'tick' });
      });
      const durationMs = Math.round(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 200)); // the last messages are delivered asynchronously
      const cpu = process.cpuUsage(cpu0);
      // The test helper spies on every Node method and keeps each call's arguments (every
      // message sent): forget them, as the short soak does, or the heap measures the harness.
      helper.log().resetHistory();
      for (const m of ['trace', 'debug', 'warn', 'log', 'status', 'metric', 'error', 'send', 'receive']) {
        (poll as unknown as Record<string, { resetHistory?: () => void }>)[m]?.resetHistory?.();
      }
      const heap = await heapAfterGc(gc);
      if (c === warmup - 1) heapBase = heap;
      const newEvents = events.slice(eventsBefore);
      const row: FleetCycle = {
        cycle: c + 1,
        durationMs,
        siteMessages,
        records,
        downMessages: newEvents.filter((e) => e.topic === 'site-down').length,
        upMessages: newEvents.filter((e) => e.topic === 'site-up').length,
        status,
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
        heapMB: mb(heap),
      };
      cycles.push(row);
      o.log?.(`cycle ${row.cycle}: ${row.durationMs} ms, ${row.siteMessages} sites, ${row.records} records, ${row.downMessages} down, ${row.upMessages} up, cpu ${row.cpuMs} ms, heap ${row.heapMB} MB, "${row.status}"`);
      if (durationMs >= o.intervalMs) failures.push(`cycle ${c + 1} took ${durationMs} ms, longer than the ${o.intervalMs} ms interval`);
      const down = c >= downAt && c < upAt ? failing.length : 0;
      if (siteMessages !== o.sites - down) failures.push(`cycle ${c + 1}: ${siteMessages} site messages, expected ${o.sites - down}`);
    }
    const downs = events.filter((e) => e.topic === 'site-down');
    const ups = events.filter((e) => e.topic === 'site-up');
    if (o.cycles > upAt && upAt - downAt >= 2) {
      if (downs.length !== failing.length) failures.push(`${downs.length} down messages, expected ${failing.length}`);
      if (ups.length !== failing.length) failures.push(`${ups.length} up messages, expected ${failing.length}`);
    }
    await helper.unload();
  } finally {
    // eslint-disable-next-line @typescript-eslint/await-thenable -- typed void, returns a promise
    await helper.stopServer();
    await fleet.close();
  }
  const heapEnd = cycles.length ? cycles[cycles.length - 1]!.heapMB * 1048576 : 0;
  const heapGrowthPct = heapBase ? Math.round(((heapEnd - heapBase) / heapBase) * 1000) / 10 : 0;
  if (heapGrowthPct > 10) failures.push(`heap grew ${heapGrowthPct} % after warm-up (limit 10 %)`);
  if (fleet.rateLimited) failures.push(`${fleet.rateLimited} requests were answered 429`);
  if (fleet.peakOpen > o.concurrency) failures.push(`${fleet.peakOpen} sockets open at once, more than the cap of ${o.concurrency}`);
  const durations = cycles.map((c) => c.durationMs);
  const wall = o.cycles * o.intervalMs;
  return {
    sites: o.sites,
    intervalMs: o.intervalMs,
    cycles,
    maxCycleMs: Math.max(...durations),
    meanCycleMs: Math.round(durations.reduce((a, b) => a + b, 0) / Math.max(1, durations.length)),
    cpuPctOfWall: Math.round((cycles.reduce((a, c) => a + c.cpuMs, 0) / wall) * 1000) / 10,
    heapAfterWarmupMB: mb(heapBase),
    heapEndMB: mb(heapEnd),
    heapGrowthPct,
    peakOpenSockets: fleet.peakOpen,
    rateLimited: fleet.rateLimited,
    ok: failures.length === 0,
    failures,
  };
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name}: expected a number`);
  return v;
}

export function main(): void {
  runFleetSoak({
    sites: Math.min(arg('--sites', 500), 2000),
    cycles: arg('--cycles', 10),
    intervalMs: arg('--interval-s', 60) * 1000,
    concurrency: arg('--concurrency', 10),
    jitterS: arg('--jitter-s', 20),
    log: (l) => console.log(l),
  })
    .then((r) => {
      console.log(JSON.stringify(r, null, 2));
      console.log(
        `fleet soak: ${r.sites} sites every ${r.intervalMs / 1000} s, ${r.cycles.length} cycles: cycle ${r.meanCycleMs} ms mean, ${r.maxCycleMs} ms max; ` +
          `cpu ${r.cpuPctOfWall} % of one core; heap ${r.heapAfterWarmupMB} -> ${r.heapEndMB} MB after GC (${r.heapGrowthPct} %); ` +
          `${r.peakOpenSockets} sockets at most, ${r.rateLimited} 429s: ${r.ok ? 'OK' : `FAILED (${r.failures.join('; ')})`}`,
      );
      process.exit(r.ok ? 0 : 1);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
