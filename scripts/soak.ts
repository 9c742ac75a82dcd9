/**
 * `npm run soak`: polls every vendor endpoint node in a real Node-RED runtime
 * (node-red-node-test-helper) against the simulator on 127.0.0.1, with faults switched on and
 * off in phases and a full redeploy every 100 polls, and checks that every poll yields exactly one
 * output or one caught error (nothing lost, nothing doubled), that no credential reaches a
 * caught error, and that the heap after GC and the active handles do not grow.
 *
 *   node --expose-gc dist/scripts/soak.js [--polls 3000] [--seed 1]
 *
 * Exits 1 on a lost or doubled message, a leaked secret, heap growth over 10 % after GC, or a
 * socket left open after the last redeploy. Bounded: a fixed number of polls, each waited for at
 * most POLL_TIMEOUT_MS; loopback only.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import helper from 'node-red-node-test-helper';
import type { NodeMessage } from 'node-red';
import { DEMO_CREDENTIALS, startSimulator, type Fault, type Simulator } from '../simulator/server';
import { prng } from '../simulator/traffic';

export interface SoakOptions {
  polls: number;
  /** Polls between full redeploys. */
  redeployEvery?: number;
  /** Polls per phase; phases alternate faults off / on. */
  phase?: number;
  seed?: number;
  /** Also measure the heap after GC at every redeploy (slower). */
  trace?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface SoakReport {
  polls: number;
  /** Polls before the start figures were taken (they count for lost / doubled too). */
  warmupPolls: number;
  /** With `trace`: heap after GC at each later redeploy. */
  heapAtRedeploysMB: number[];
  outputs: number;
  caught: number;
  faults: number;
  faultsByKind: Record<string, number>;
  redeploys: number;
  lost: number;
  doubled: number;
  secretLeaks: number;
  heapStartMB: number;
  heapEndMB: number;
  heapGrowthPct: number;
  handlesStart: number;
  handlesEnd: number;
  handleTypesEnd: Record<string, number>;
  openSocketsAfterClose: number;
  seconds: number;
  ok: boolean;
  failures: string[];
}

const POLL_TIMEOUT_MS = 30_000;
const HEAP_GROWTH_LIMIT_PCT = 10;

const ENDPOINTS = [
  { id: 'sdwan-flows', path: '/sdwan/nitro/v2/monitor/flows' },
  { id: 'sdwan-ilb', path: '/sdwan/nitro/v2/monitor/ilbflows' },
  { id: 'fw-flows', path: '/v2/flows' },
  { id: 'fg-stats', path: '/api/mgmt.flowgateway_analytics/1.0/import_stats' },
] as const;

const SECRETS = [
  DEMO_CREDENTIALS.sdwanPassword,
  DEMO_CREDENTIALS.firewallaToken,
  DEMO_CREDENTIALS.flowgatewayPassword,
  Buffer.from(`${DEMO_CREDENTIALS.flowgatewayUsername}:${DEMO_CREDENTIALS.flowgatewayPassword}`).toString('base64'),
];

/** Faults one request may meet; `expire` ends every session instead (a re-login follows). */
const FAULTS: Array<Omit<Fault, 'path'> | { kind: 'expire' }> = [
  { kind: 'status', status: 500 },
  { kind: 'status', status: 400, body: '{"error": "bad request"}' },
  { kind: 'html', status: 502 },
  { kind: 'malformed-json' },
  { kind: 'wrong-content-type' },
  { kind: 'truncate' },
  { kind: 'drop' },
  { kind: 'slow-headers', delayMs: 30 },
  { kind: 'rate-limit', retryAfter: 0 },
  { kind: 'big-body', bytes: 64 * 1024 },
  { kind: 'echo', status: 400, body: '{"error": {"message": "rejected {{authorization}} {{cookie}}"}, "errormessage": "{{authorization}}", "error_text": "{{authorization}}"}' },
  { kind: 'expire' },
];

function flow(url: string): Array<{ id: string; type: string; [k: string]: unknown }> {
  return [
    { id: 'sdwan', type: 'citrix-sdwan-config', host: url, apiVersion: 'v2', timeout: '5000' },
    { id: 'fw', type: 'firewalla-msp-config', host: url, timeout: '5000' },
    { id: 'fg', type: 'riverbed-flowgateway-config', host: url, authMethod: 'session', timeout: '5000' },
    { id: 'sdwan-flows', type: 'citrix-sdwan-flows', server: 'sdwan', filter: '', maxStats: '50', wires: [['out']] },
    { id: 'sdwan-ilb', type: 'citrix-sdwan-ilbflows', server: 'sdwan', filter: '', maxStats: '50', wires: [['out']] },
    { id: 'fw-flows', type: 'firewalla-flows', server: 'fw', query: '', limit: '50', pagination: 'page', maxPages: '1', wires: [['out']] },
    { id: 'fg-stats', type: 'riverbed-flowgateway-stats', server: 'fg', template: 'A', statsType: 'flows_per_minute', intervalType: 'minutes', timeInterval: '10', wires: [['out']] },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'out', type: 'helper' },
    { id: 'caught', type: 'helper' },
  ];
}

const CREDENTIALS = {
  sdwan: { username: DEMO_CREDENTIALS.sdwanUsername, password: DEMO_CREDENTIALS.sdwanPassword },
  fw: { token: DEMO_CREDENTIALS.firewallaToken },
  fg: { username: DEMO_CREDENTIALS.flowgatewayUsername, password: DEMO_CREDENTIALS.flowgatewayPassword },
};

/** global.gc when node runs with --expose-gc; otherwise the flag is set at run time. */
export function gcFunction(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

export async function heapAfterGc(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise<void>((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

function handles(): { count: number; types: Record<string, number> } {
  const types: Record<string, number> = {};
  const list = process.getActiveResourcesInfo();
  for (const t of list) types[t] = (types[t] ?? 0) + 1;
  return { count: list.length, types };
}

/**
 * Active resources once transient ones (a socket mid-close, a timer about to fire) have had up to
 * 2 s to go away: a leak is a resource that stays. The start count is one instant's too, so
 * without this a socket still closing after the last redeploy failed a run (6 against 5).
 */
async function settledHandles(limit: number): Promise<{ count: number; types: Record<string, number> }> {
  let h = handles();
  for (let i = 0; i < 20 && h.count > limit; i++) {
    await new Promise<void>((r) => setTimeout(r, 100));
    h = handles();
  }
  return h;
}

const mb = (n: number): number => Math.round((n / 1024 / 1024) * 10) / 10;

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const started = process.hrtime.bigint();
  const redeployEvery = opts.redeployEvery ?? 100;
  const phase = opts.phase ?? 50;
  const random = prng(opts.seed ?? 1);
  const log = opts.log ?? (() => undefined);
  const gc = gcFunction();
  const failures: string[] = [];

  /* eslint-disable @typescript-eslint/no-require-imports -- the built node modules are `export =` functions */
  const nodes = [
    require('../nodes/citrix-sdwan-config'),
    require('../nodes/citrix-sdwan-flows'),
    require('../nodes/citrix-sdwan-ilbflows'),
    require('../nodes/firewalla-msp-config'),
    require('../nodes/firewalla-flows'),
    require('../nodes/riverbed-flowgateway-config'),
    require('../nodes/riverbed-flowgateway-stats'),
    require('@node-red/nodes/core/common/25-catch.js'),
  ] as Parameters<typeof helper.load>[0];
  /* eslint-enable @typescript-eslint/no-require-imports */

  const sim: Simulator = await startSimulator({ firewallaRateLimit: 1e9, logLimit: 200 } as Parameters<typeof startSimulator>[0]);
  helper.init(require.resolve('node-red'));
  // eslint-disable-next-line @typescript-eslint/await-thenable -- typed void, returns a promise
  await helper.startServer();

  /** Results per poll id: how many outputs and caught errors it produced (allocated up front,
   * so the tally itself does not show as heap growth). */
  const seenOut = new Uint16Array(opts.polls);
  const seenCaught = new Uint16Array(opts.polls);
  const waiting = new Map<number, () => void>();
  let outputs = 0;
  let caught = 0;
  let secretLeaks = 0;
  const note = (m: NodeMessage & { error?: { message?: string }; soakId?: number }, kind: 'out' | 'caught'): void => {
    const id = m.soakId;
    if (typeof id !== 'number' || id < 0 || id >= opts.polls) return;
    (kind === 'out' ? seenOut : seenCaught)[id]!++;
    if (kind === 'out') outputs++;
    else {
      caught++;
      const text = JSON.stringify(m.error ?? {});
      if (SECRETS.some((secret) => text.includes(secret))) secretLeaks++;
    }
    waiting.get(id)?.();
  };

  let redeploys = 0;
  async function deploy(): Promise<void> {
    await helper.load(nodes, flow(sim.url), CREDENTIALS);
    helper.getNode('out').on('input', (m: NodeMessage) => note(m, 'out'));
    helper.getNode('caught').on('input', (m: NodeMessage) => note(m, 'caught'));
  }

  let nextId = 0;
  function poll(endpoint: string): Promise<void> {
    const id = nextId++;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve();
      }, POLL_TIMEOUT_MS);
      waiting.set(id, () => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve();
      });
      (helper.getNode(endpoint)).receive({ payload: 'soak', soakId: id });
    });
  }

  let faults = 0;
  const faultsByKind: Record<string, number> = {};
  function maybeFault(endpointIndex: number, faultsOn: boolean): void {
    if (!faultsOn || random() >= 0.5) return;
    const f = FAULTS[Math.floor(random() * FAULTS.length)]!;
    faults++;
    faultsByKind[f.kind] = (faultsByKind[f.kind] ?? 0) + 1;
    if (f.kind === 'expire') sim.expireSessions();
    else sim.addFault({ ...f, path: ENDPOINTS[endpointIndex]!.path });
  }

  await deploy();
  // The start figures are taken after one full cycle (clean phase, fault phase, redeploy), so
  // they include the code compiled for every path, sessions and kept-alive sockets.
  const warmup = Math.min(redeployEvery, Math.floor(opts.polls / 3));
  let heapStart = 0;
  let handlesStart = handles();
  const heapAtRedeploys: number[] = [];
  const measureStart = async (): Promise<void> => {
    helper.log().resetHistory();
    heapStart = await heapAfterGc(gc);
    handlesStart = handles();
  };
  if (warmup === 0) await measureStart();

  let done = 0;
  while (done < opts.polls) {
    const faultsOn = Math.floor(done / phase) % 2 === 1;
    // One poll per endpoint in parallel (each vendor has its own fault path), then wait for all.
    const round: Promise<void>[] = [];
    for (let i = 0; i < ENDPOINTS.length && done < opts.polls; i++, done++) {
      maybeFault(i, faultsOn);
      round.push(poll(ENDPOINTS[i]!.id));
    }
    await Promise.all(round);
    sim.clearFaults();
    if (done % redeployEvery === 0 && done < opts.polls) {
      await helper.unload();
      redeploys++;
      // The log spy keeps every call: drop its history so it does not count as our heap growth.
      helper.log().resetHistory();
      await deploy();
      if (done === warmup) await measureStart();
      else if (opts.trace) heapAtRedeploys.push(mb(await heapAfterGc(gc)));
    }
    if (done === warmup && done % redeployEvery !== 0) await measureStart();
    if (done % 500 === 0) log(`${done} polls, ${faults} faults, ${redeploys} redeploys, heap ${mb(process.memoryUsage().heapUsed)} MB`);
  }

  // Late duplicates would arrive now, if any.
  await new Promise<void>((r) => setTimeout(r, 200));
  // The end figures are taken at the same point as the start ones: right after a redeploy.
  await helper.unload();
  redeploys++;
  helper.log().resetHistory();
  await deploy();
  const heapEnd = await heapAfterGc(gc);
  const handlesEnd = await settledHandles(handlesStart.count);
  await helper.unload();
  for (let i = 0; i < 200 && sim.openConnections > 0; i++) await new Promise<void>((r) => setTimeout(r, 10));
  const openSocketsAfterClose = sim.openConnections;
  // eslint-disable-next-line @typescript-eslint/await-thenable -- typed void, returns a promise
  await helper.stopServer();
  await sim.close();

  let lost = 0;
  let doubled = 0;
  for (let id = 0; id < nextId; id++) {
    const n = seenOut[id]! + seenCaught[id]!;
    if (n === 0) lost++;
    else if (n > 1) doubled++;
  }
  const heapGrowthPct = Math.round(((heapEnd - heapStart) / heapStart) * 1000) / 10;
  if (lost) failures.push(`${lost} poll(s) lost`);
  if (doubled) failures.push(`${doubled} poll(s) doubled`);
  if (secretLeaks) failures.push(`${secretLeaks} caught error(s) held a credential`);
  if (heapGrowthPct > HEAP_GROWTH_LIMIT_PCT) failures.push(`heap grew ${heapGrowthPct} % after GC (limit ${HEAP_GROWTH_LIMIT_PCT} %)`);
  if (openSocketsAfterClose) failures.push(`${openSocketsAfterClose} socket(s) open after the last close`);

  return {
    polls: nextId,
    warmupPolls: warmup,
    heapAtRedeploysMB: heapAtRedeploys,
    outputs,
    caught,
    faults,
    faultsByKind,
    redeploys,
    lost,
    doubled,
    secretLeaks,
    heapStartMB: mb(heapStart),
    heapEndMB: mb(heapEnd),
    heapGrowthPct,
    handlesStart: handlesStart.count,
    handlesEnd: handlesEnd.count,
    handleTypesEnd: handlesEnd.types,
    openSocketsAfterClose,
    seconds: Math.round(Number(process.hrtime.bigint() - started) / 1e8) / 10,
    ok: failures.length === 0,
    failures,
  };
}

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name}: expected a positive integer`);
  return v;
}

if (require.main === module && process.argv.includes('--fleet')) {
  // `npm run soak -- --fleet`: the fleet soak (scripts/soak-fleet.ts).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./soak-fleet') as typeof import('./soak-fleet')).main();
} else if (require.main === module) {
  const polls = Math.min(argValue('--polls', 3000), 100_000);
  runSoak({ polls, seed: argValue('--seed', 1), trace: process.argv.includes('--trace'), log: (l) => console.log(l) })
    .then((r) => {
      console.log(JSON.stringify(r, null, 2));
      console.log(
        `soak: ${r.polls} polls (${r.outputs} outputs, ${r.caught} caught), ${r.faults} faults, ${r.redeploys} redeploys, ` +
          `${r.lost} lost, ${r.doubled} doubled, heap ${r.heapStartMB} -> ${r.heapEndMB} MB after GC (${r.heapGrowthPct} %), ` +
          `handles ${r.handlesStart} -> ${r.handlesEnd}, ${r.seconds} s: ${r.ok ? 'OK' : `FAILED (${r.failures.join('; ')})`}`,
      );
      process.exit(r.ok ? 0 : 1);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
