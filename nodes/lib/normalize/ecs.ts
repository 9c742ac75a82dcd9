/**
 * NetworkFlow -> Elastic Common Schema document (ECS 8.x), for Elasticsearch / OpenSearch.
 *
 * Standard fields where ECS has them (`source.*`, `destination.*`, `network.*`, `event.*`,
 * `observer.*`, `related.ip`); fields ECS has no place for (flow count, rates, category, device,
 * vendor extras) go under the custom namespace `network_flows.*`, as ECS advises for custom
 * fields. `network.iana_number` is a string (ECS type keyword); `event.duration` is ns.
 */
import { communityId } from '../community-id';
import type { FlowEndpoint, NetworkFlow, Vendor } from '../network-flow';

export const ECS_VERSION = '8.11.0';

/** ECS document: nested objects, as Elasticsearch's bulk API takes them. */
export type EcsDocument = Record<string, unknown> & { '@timestamp': string };

const OBSERVER: Readonly<Record<Vendor, { vendor: string; product: string; type: string }>> = {
  'citrix-sdwan': { vendor: 'Citrix', product: 'SD-WAN', type: 'router' },
  firewalla: { vendor: 'Firewalla', product: 'Firewalla MSP', type: 'firewall' },
  'riverbed-flowgateway': { vendor: 'Riverbed', product: 'FlowGateway', type: 'flow-collector' },
  // Collector records: the exporter could be any router; the protocol is what is known.
  netflow: { vendor: 'NetFlow', product: 'NetFlow exporter', type: 'router' },
  ipfix: { vendor: 'IPFIX', product: 'IPFIX exporter', type: 'router' },
};

/** ECS MAC format: upper case, hyphen-separated. */
function ecsMac(mac: string): string {
  return mac.toUpperCase().replace(/:/g, '-');
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The raw record as JSON. A BigInt (which JSON.parse never makes, but a function node may) is
 * written as its digits; only then is the slower replacer paid for.
 */
function rawText(raw: unknown): string {
  try {
    return JSON.stringify(raw);
  } catch {
    return JSON.stringify(raw, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  }
}

/** `country`, `as`, `asOrg` and `hostname` of one side into its ECS object. */
function enrichedEcs(e: FlowEndpoint, out: Record<string, unknown>): void {
  if (e.country !== undefined) out.geo = { country_iso_code: e.country };
  if (e.as !== undefined || e.asOrg !== undefined) {
    const as: Record<string, unknown> = {};
    if (e.as !== undefined) as.number = e.as;
    if (e.asOrg !== undefined) as.organization = { name: e.asOrg };
    out.as = as;
  }
  // ECS `domain`: "the domain name of the system, a host name or FQDN"; a vendor's domain stays.
  if (e.hostname !== undefined && out.domain === undefined) out.domain = e.hostname;
}

export function toEcs(f: NetworkFlow): EcsDocument {
  const blocked = f.blocked === true;
  const metric = f.kind === 'metric';
  const event: Record<string, unknown> = {
    kind: metric ? 'metric' : 'event',
    category: ['network'],
    type: metric ? ['info'] : blocked ? ['connection', 'denied'] : f.blocked === false ? ['connection', 'allowed'] : ['connection'],
    action: blocked ? 'blocked' : 'network_flow',
    module: f.vendor,
    dataset: `${f.vendor}.${f.endpoint}`,
  };
  if (!metric) {
    if (f.start !== undefined) event.start = iso(f.start);
    event.end = iso(f.ts);
  }
  if (f.durationMs !== undefined) event.duration = Math.round(f.durationMs * 1e6);
  if (f.raw !== undefined) event.original = rawText(f.raw);

  const observer: Record<string, unknown> = { ...OBSERVER[f.vendor] };
  if (f.observer !== undefined) observer.hostname = f.observer;
  if (f.observerSite !== undefined) observer.name = f.observerSite;

  // ECS source.bytes = bytes sent from the source. bytesOut is "sent by the local side", which
  // is the destination for inbound flows.
  const srcBytes = f.direction === 'inbound' ? f.bytesIn : f.bytesOut;
  const dstBytes = f.direction === 'inbound' ? f.bytesOut : f.bytesIn;

  const source: Record<string, unknown> = {};
  if (f.src.ip !== undefined) {
    source.ip = f.src.ip;
    source.address = f.src.ip;
  }
  if (f.src.port !== undefined) source.port = f.src.port;
  if (f.src.mac !== undefined) source.mac = ecsMac(f.src.mac);
  if (srcBytes !== undefined) source.bytes = srcBytes;

  const destination: Record<string, unknown> = {};
  if (f.dst.ip !== undefined) {
    destination.ip = f.dst.ip;
    destination.address = f.dst.ip;
  } else if (f.dst.domain !== undefined) {
    destination.address = f.dst.domain;
  }
  if (f.dst.port !== undefined) destination.port = f.dst.port;
  if (f.dst.domain !== undefined) destination.domain = f.dst.domain;
  if (dstBytes !== undefined) destination.bytes = dstBytes;
  if (f.region !== undefined) {
    // Firewalla's region is the remote host's country.
    const remote = f.direction === 'inbound' ? source : destination;
    remote.geo = { country_iso_code: f.region };
  }
  // Fields of network-flow-enrich (docs/design.md#enriched-fields): a looked-up country is
  // more precise than the vendor's region, so it replaces it on its own side.
  enrichedEcs(f.src, source);
  enrichedEcs(f.dst, destination);

  const network: Record<string, unknown> = { direction: f.direction };
  if (f.protocol !== undefined) {
    network.iana_number = String(f.protocol.number);
    network.transport = f.protocol.name;
  }
  if (f.ipVersion !== undefined) network.type = f.ipVersion === 4 ? 'ipv4' : 'ipv6';
  if (f.bytes !== undefined) network.bytes = f.bytes;
  if (f.packets !== undefined) network.packets = f.packets;
  if (f.app !== undefined) network.application = f.app.toLowerCase();
  if (f.network !== undefined) network.name = f.network;
  if (!metric && f.protocol !== undefined && f.src.ip !== undefined && f.dst.ip !== undefined) {
    const id = communityId({ srcIp: f.src.ip, dstIp: f.dst.ip, proto: f.protocol.number, srcPort: f.src.port, dstPort: f.dst.port });
    if (id !== undefined) network.community_id = id;
  }

  const doc: EcsDocument = { '@timestamp': iso(f.ts), ecs: { version: ECS_VERSION }, event, observer, network };
  if (Object.keys(source).length > 0) doc.source = source;
  if (Object.keys(destination).length > 0) doc.destination = destination;
  const related: string[] = [];
  if (f.src.ip !== undefined) related.push(f.src.ip);
  if (f.dst.ip !== undefined && f.dst.ip !== f.src.ip) related.push(f.dst.ip);
  if (f.device?.ip !== undefined && !related.includes(f.device.ip)) related.push(f.device.ip);
  if (related.length > 0) doc.related = { ip: related };

  // Our own namespace for what ECS has no field for.
  const custom: Record<string, unknown> = { vendor: f.vendor, endpoint: f.endpoint, kind: f.kind };
  if (f.flows !== undefined) custom.flows = f.flows;
  if (f.rateKbps !== undefined) custom.rate_kbps = f.rateKbps;
  if (f.pps !== undefined) custom.pps = f.pps;
  if (f.bytesOut !== undefined) custom.bytes_out = f.bytesOut;
  if (f.bytesIn !== undefined) custom.bytes_in = f.bytesIn;
  if (f.app !== undefined) custom.app = f.app;
  if (f.category !== undefined) custom.category = f.category;
  if (f.blocked !== undefined) custom.blocked = f.blocked;
  if (f.wanLink !== undefined) custom.wan_link = f.wanLink;
  if (f.src.name !== undefined) custom.source_name = f.src.name;
  if (f.dst.name !== undefined) custom.destination_name = f.dst.name;
  if (f.src.id !== undefined) custom.source_id = f.src.id;
  if (f.dst.id !== undefined) custom.destination_id = f.dst.id;
  if (f.device !== undefined) {
    const device: Record<string, unknown> = {};
    if (f.device.name !== undefined) device.name = f.device.name;
    if (f.device.mac !== undefined) device.mac = ecsMac(f.device.mac);
    if (f.device.ip !== undefined) device.ip = f.device.ip;
    custom.device = device;
  }
  for (const [side, e] of [['source', f.src], ['destination', f.dst]] as const) {
    if (e.site !== undefined) custom[`${side}_site`] = e.site;
    if (e.tags !== undefined) custom[`${side}_tags`] = e.tags;
  }
  if (f.extra !== undefined) custom.extra = f.extra;
  doc.network_flows = custom;
  return doc;
}
