/**
 * `npm run demo:check`: the demo as a user who keeps deploying meets it. Starts what `npm start`
 * starts (Node-RED, the simulator, the example flows) in a temporary user directory on free
 * ports, does `--deploys` full deploys in a row through the admin API, lets it run `--minutes`,
 * and reports what the simulator served per vendor, the busiest 5 minutes of Firewalla requests
 * against its budget, the 429s, and the rate-limit errors that reached the debug sidebar.
 * Exits 1 when any 429 or rate-limit error was seen. `npm run demo:check -- --deploys 10 --minutes 10`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'undici';
import { startDemo } from './demo';
import { firewallaSim } from '../simulator/firewalla';
import type { SimRequest } from '../simulator/server';

export interface DemoCheckOptions {
  deploys: number;
  /** Run time after the deploys, ms. */
  runMs: number;
  /** Progress lines; default none. */
  log?: (line: string) => void;
}

export interface DemoCheckReport {
  deploys: number;
  runMs: number;
  requests: Record<string, number>;
  /** Most Firewalla requests in any 5-minute span, and the budget. */
  firewallaBusiest5Min: number;
  firewallaBudget: number;
  firewalla429: number;
  rateLimitErrors: string[];
}

const VENDOR_PATHS: Record<string, RegExp> = {
  firewalla: /^\/v2\//,
  'citrix-sdwan': /^\/sdwan\//,
  flowgateway: /^\/api\/(common|mgmt\.flowgateway)/,
};

function busiest(times: number[], spanMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= spanMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

export async function runDemoCheck(opts: DemoCheckOptions): Promise<DemoCheckReport> {
  const log = opts.log ?? (() => undefined);
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nf-demo-check-'));
  const demo = await startDemo({ userDir, port: 0, simPort: 0, quiet: true });
  const seen: SimRequest[] = [];
  const rateLimitErrors: string[] = [];
  const ws = new WebSocket(`${demo.url.replace('http', 'ws')}/comms`);
  ws.addEventListener('open', () => ws.send(JSON.stringify({ subscribe: 'debug' })));
  ws.addEventListener('message', (e) => {
    for (const m of JSON.parse(String(e.data)) as Array<{ topic: string; data: { msg?: unknown } }>) {
      const text = m.topic === 'debug' ? String(m.data?.msg ?? '') : '';
      if (/RATE_LIMIT|HTTP 429|rate limited/.test(text)) rateLimitErrors.push(text.slice(0, 200));
    }
  });
  // The simulator keeps its last 2000 requests: collect them as they come.
  const known = new Set<SimRequest>();
  const drain = (): void => {
    for (const r of demo.simulator.requests) {
      if (!known.has(r)) {
        known.add(r);
        seen.push(r);
      }
    }
  };
  const drainTimer = setInterval(drain, 1000);
  try {
    for (let i = 0; i < opts.deploys; i++) {
      const flows = (await (await fetch(`${demo.url}/flows`)).json()) as unknown[];
      const res = await fetch(`${demo.url}/flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
        body: JSON.stringify(flows),
      });
      if (!res.ok) throw new Error(`deploy ${i + 1}: HTTP ${res.status}`);
      log(`deploy ${i + 1}/${opts.deploys} done`);
    }
    const end = Date.now() + opts.runMs;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, Math.min(30_000, Math.max(0, end - Date.now()))));
      log(`${Math.round((opts.runMs - Math.max(0, end - Date.now())) / 1000)} s: ${seen.length} requests, ${firewallaSim(demo.simulator).rateLimited} 429s`);
    }
    drain();
    const requests: Record<string, number> = {};
    for (const [vendor, re] of Object.entries(VENDOR_PATHS)) requests[vendor] = seen.filter((r) => re.test(r.path)).length;
    const fw = firewallaSim(demo.simulator);
    return {
      deploys: opts.deploys,
      runMs: opts.runMs,
      requests,
      firewallaBusiest5Min: busiest(seen.filter((r) => VENDOR_PATHS.firewalla!.test(r.path)).map((r) => r.at), 300_000),
      firewallaBudget: fw.rateLimit,
      firewalla429: fw.rateLimited,
      rateLimitErrors,
    };
  } finally {
    clearInterval(drainTimer);
    ws.close();
    await demo.stop();
    fs.rmSync(userDir, { recursive: true, force: true });
  }
}

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name}: expected a number >= 0`);
  return v;
}

if (require.main === module) {
  runDemoCheck({ deploys: arg('deploys', 10), runMs: arg('minutes', 10) * 60_000, log: (l) => console.log(l) })
    .then((r) => {
      console.log(JSON.stringify(r, null, 2));
      process.exit(r.firewalla429 === 0 && r.rateLimitErrors.length === 0 ? 0 : 1);
    })
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    });
}
