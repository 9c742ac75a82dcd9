/**
 * Riverbed FlowGateway answers (docs/vendors/riverbed-flowgateway.md): `import_stats` rows, flows
 * grouped by source IP into second / minute / hour buckets of the requested window (so a minute
 * bucket is exactly the sum of its 60 second buckets), times as the appliance writes them, and
 * the `{error_id, error_text, error_info}` error shape.
 */
import type http from 'node:http';
import { sendJson, type SimContext } from '../server';
import { flowEndpoints, type SimFlow } from '../traffic';

/** An error answer: status, `error_id`, `error_text` and optional `error_info`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    text: string,
    readonly info?: Record<string, unknown>,
  ) {
    super(text);
  }
}

export function sendError(res: http.ServerResponse, e: ApiError): void {
  const body: Record<string, unknown> = { error_id: e.id, error_text: e.message };
  if (e.info) body.error_info = e.info;
  const headers: http.OutgoingHttpHeaders = {};
  if (e.id === 'AUTH_REQUIRED') headers['www-authenticate'] = 'Basic realm="FlowGateway"';
  sendJson(res, e.status, body, headers);
}

/** One parsed stats request: bucket size and the window it covers. */
export interface StatsWindow {
  /** Bucket size in seconds. */
  size: number;
  startMs: number;
  endMs: number;
  sourceIp: string;
}

interface Agg {
  flows: number;
  bytes: number;
  badBytes: number;
  packets: number;
  badPackets: number;
  peakFlows: number;
  peakBytes: number;
  peakPackets: number;
}

/** The rows of a stats window; past full hours are cached (traffic is a pure function of seed and time). */
export function statsRenderer(ctx: SimContext): (w: StatsWindow) => Record<string, unknown>[] {
  const hourCache = new Map<number, Map<string, Agg>>();

  /** Rows of one request: (bucket, source) pairs with at least one flow, oldest bucket first. */
  function answer(w: StatsWindow): Record<string, unknown>[] {
    const end = Math.min(w.endMs, ctx.now());
    if (end <= w.startMs) return [];
    const rows: Record<string, unknown>[] = [];
    const first = Math.floor(w.startMs / 1000 / w.size) * w.size;
    for (let b = first; b * 1000 < end; b += w.size) {
      const lo = Math.max(b * 1000, w.startMs);
      const hi = Math.min((b + w.size) * 1000, end);
      const full = lo === b * 1000 && hi === (b + w.size) * 1000;
      let aggs: Map<string, Agg>;
      if (w.size === 3600 && full && hourCache.has(b)) aggs = hourCache.get(b)!;
      else {
        aggs = aggregate(lo, hi);
        if (w.size === 3600 && full) {
          if (hourCache.size > 500) hourCache.delete(hourCache.keys().next().value!);
          hourCache.set(b, aggs);
        }
      }
      const keys = [...aggs.keys()].sort();
      for (const ip of keys) {
        if (w.sourceIp && ip !== w.sourceIp) continue;
        const a = aggs.get(ip)!;
        rows.push({
          time: formatTime(b * 1000),
          source_ip: ip,
          n_flows: a.flows,
          n_bytes: a.bytes,
          n_bad_bytes: a.badBytes,
          n_packets: a.packets,
          n_bad_packets: a.badPackets,
          peak_n_flows: String(a.peakFlows),
          peak_n_bytes: String(a.peakBytes),
          peak_n_packets: String(a.peakPackets),
        });
      }
    }
    return rows;
  }

  /** Per-source sums over [lo, hi) ms; peaks are the busiest single second of each source. */
  function aggregate(lo: number, hi: number): Map<string, Agg> {
    const out = new Map<string, Agg>();
    for (let s = Math.floor(lo / 1000); s * 1000 < hi; s++) {
      const perSecond = new Map<string, { flows: number; bytes: number; packets: number }>();
      for (const f of ctx.traffic.bucket(s)) {
        if (f.ts < lo || f.ts >= hi) continue;
        const ip = sourceIp(f);
        const bad = f.blocked;
        // Blocked flows carry no payload; count their attempt packets as "bad" bytes on the wire.
        const bytes = bad ? f.packets * 60 : f.upload + f.download;
        let a = out.get(ip);
        if (!a) out.set(ip, (a = { flows: 0, bytes: 0, badBytes: 0, packets: 0, badPackets: 0, peakFlows: 0, peakBytes: 0, peakPackets: 0 }));
        a.flows++;
        a.bytes += bytes;
        a.packets += f.packets;
        if (bad) {
          a.badBytes += bytes;
          a.badPackets += f.packets;
        }
        let p = perSecond.get(ip);
        if (!p) perSecond.set(ip, (p = { flows: 0, bytes: 0, packets: 0 }));
        p.flows++;
        p.bytes += bytes;
        p.packets += f.packets;
      }
      for (const [ip, p] of perSecond) {
        const a = out.get(ip)!;
        a.peakFlows = Math.max(a.peakFlows, p.flows);
        a.peakBytes = Math.max(a.peakBytes, p.bytes);
        a.peakPackets = Math.max(a.peakPackets, p.packets);
      }
    }
    return out;
  }

  return answer;
}

/** "2024-01-08 22:11:00+00:00", as the appliance writes UTC times. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}+00:00`;
}

/** The source IP of a flow: the side that opened it. */
function sourceIp(f: SimFlow): string {
  return flowEndpoints(f).srcIp;
}
