/**
 * Citrix SD-WAN answers as the appliance renders them (docs/vendors/citrix-sdwan.md): monitor
 * records of active flows (`flows`) and internet load-balancing groups (`ilbflows`), every field
 * a string as the NITRO docs say, the three response envelopes, and `{errorcode, errormessage}`
 * errors.
 */
import type http from 'node:http';
import { sendJson, type SimContext } from '../server';
import { flowEndpoints, type SimFlow } from '../traffic';

export type SdwanEnvelope = 'bare' | 'keyed' | 'nested';

/** NITRO-style error codes (NetScaler's numbering where one exists; documented by status only). */
export const SDWAN_ERRORS = {
  badRequest: 1097,
  invalidCredentials: 354,
  sessionExpired: 444,
  forbidden: 10,
  badMethod: 1241,
  unsupportedMedia: 1242,
} as const;

/** Sends a NITRO error; true so a route can `return sendError(...)`. */
export function sendError(res: http.ServerResponse, status: number, errorcode: number, errormessage: string, headers: http.OutgoingHttpHeaders = {}): true {
  sendJson(res, status, { errorcode, errormessage }, headers);
  return true;
}

/** `records` of `resource` in one of the three envelopes the sources disagree about. */
export function envelope(env: SdwanEnvelope, resource: string, records: unknown[], maxStats: number): unknown {
  if (env === 'bare') return records;
  if (env === 'keyed') return { [resource]: records };
  return { [resource]: { [resource]: records, metadata: [{ max_stats: String(maxStats), count: String(records.length) }] } };
}

/** The longest generated flow (traffic.ts): flows ending within this after `now` may be active. */
const LONGEST_FLOW_MS = 600_050;

const WAN_LINKS = [
  { name: 'WL-1-Broadband', ip: '203.0.113.10' },
  { name: 'WL-2-LTE', ip: '198.51.100.20' },
];
const CLASSES = [
  { id: '10', type: 'realtime', dscp: 'ef' },
  { id: '11', type: 'interactive', dscp: 'af41' },
  { id: '14', type: 'bulk', dscp: 'default' },
];
const TRANSMISSION = ['Load Balance Path', 'Persistent Path', 'Duplicate Path'];

/** Flows crossing the WAN whose lifetime covers `now`, youngest first. */
export function activeFlows(ctx: SimContext, now: number): SimFlow[] {
  return ctx.traffic
    .between(now, now + LONGEST_FLOW_MS)
    .filter((f) => f.direction !== 'local' && f.ts - f.durationMs <= now)
    .sort((a, b) => b.ts - b.durationMs - (a.ts - a.durationMs) || (a.id < b.id ? -1 : 1));
}

export function renderFlow(f: SimFlow, now: number): Record<string, string> {
  const start = f.ts - f.durationMs;
  const age = Math.max(0, now - start);
  const done = f.durationMs > 0 ? Math.min(1, age / f.durationMs) : 1;
  const outbound = f.direction === 'outbound';
  // One direction of the connection: what the source sent so far.
  const total = outbound ? f.upload : f.download;
  const bytes = Math.round(total * done);
  const packets = Math.max(1, Math.round(f.packets * done * (outbound ? 0.45 : 0.55)));
  const secs = Math.max(0.001, age / 1000);
  const ep = flowEndpoints(f);
  const cls = CLASSES[f.service.category === 'business' ? 0 : f.service.category === 'video' ? 2 : 1]!;
  const wan = WAN_LINKS[f.wanLink % WAN_LINKS.length]!;
  const viaDc = f.service.category === 'business';
  const n = Number(f.id.replace('-', '')) % 97;
  return {
    age: String(age),
    app_rule_id: String(100 + (f.service.app.length % 7)),
    application: f.service.app,
    bytes: String(bytes),
    class_type: cls.type,
    customer_kbps: ((bytes * 8) / 1000 / secs).toFixed(2),
    dest_ip: ep.dstIp,
    dest_port: String(ep.dstPort),
    direction: outbound ? 'LAN to WAN' : 'WAN to LAN',
    hdr_compression_bytes: String(viaDc ? Math.round(packets * 12) : 0),
    hitcount: String(packets + n),
    ip_dscp: cls.dscp,
    ipp: String(f.proto),
    ipsec_overhead_kbps: viaDc ? ((packets * 58 * 8) / 1000 / secs).toFixed(2) : '0.00',
    lan_gw_ip: `${f.device.ip.replace(/\.\d+$/, '')}.1`,
    packets: String(packets),
    path: viaDc ? `${wan.name}->DC-MPLS` : wan.name,
    pps: (packets / secs).toFixed(2),
    rule_id: String(1 + (n % 12)),
    service_name: viaDc ? 'Branch-DC' : 'Internet',
    service_type: viaDc ? 'Virtual Path' : 'Internet',
    src_ip: ep.srcIp,
    src_port: String(ep.srcPort),
    transmission_type: viaDc ? TRANSMISSION[n % TRANSMISSION.length]! : 'Internet Load Balanced',
    virtual_path_overhead_kbps: viaDc ? ((packets * 40 * 8) / 1000 / secs).toFixed(2) : '0.00',
    vpathclass: viaDc ? cls.id : '0',
  };
}

/** Internet load-balancing flows: internet-bound flows grouped by LAN IP and WAN link. */
export function renderIlb(flows: SimFlow[], now: number): Array<Record<string, string>> {
  const groups = new Map<string, { lanip: string; wan: (typeof WAN_LINKS)[number]; count: number; age: number }>();
  for (const f of flows) {
    if (f.service.category === 'business') continue; // those ride the virtual path, not ILB
    const wan = WAN_LINKS[f.wanLink % WAN_LINKS.length]!;
    const key = `${f.device.ip}|${wan.name}`;
    const age = Math.max(0, now - (f.ts - f.durationMs));
    const g = groups.get(key);
    if (g) {
      g.count++;
      g.age = Math.max(g.age, age);
    } else groups.set(key, { lanip: f.device.ip, wan, count: 1, age });
  }
  return [...groups.values()].map((g) => ({ age: String(g.age), flowcount: String(g.count), lanip: g.lanip, wanip: g.wan.ip, wanlink: g.wan.name }));
}
