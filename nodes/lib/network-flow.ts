/**
 * The NetworkFlow record: the one shape every vendor's records are normalized to
 * (docs/design.md#the-networkflow-record). The filter and anomaly nodes read it.
 */

// 'netflow' (v5, v9) and 'ipfix': records from the network-flow-collector node.
export const VENDORS = ['citrix-sdwan', 'firewalla', 'riverbed-flowgateway', 'netflow', 'ipfix'] as const;
export type Vendor = (typeof VENDORS)[number];

export const DIRECTIONS = ['inbound', 'outbound', 'internal', 'external', 'unknown'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export interface FlowEndpoint {
  ip?: string;
  port?: number;
  name?: string;
  id?: string;
  /** Set by network-flow-enrich (docs/design.md#enriched-fields): ISO 3166 country, upper case. */
  country?: string;
  /** Autonomous system number and organisation. */
  as?: number;
  asOrg?: string;
  /** Site and tags from the local name table. */
  site?: string;
  tags?: string[];
  /** Reverse-DNS name (PTR). */
  hostname?: string;
}

export interface NetworkFlow {
  /** `metric`: aggregated buckets (FlowGateway import_stats). */
  kind: 'flow' | 'metric';
  vendor: Vendor;
  /** 'flows' | 'ilbflows' | 'import_stats' | ... */
  endpoint: string;
  /** Host of the appliance or MSP domain. */
  observer?: string;
  /** The site it came from, when a fleet node fetched it: the site list's name or the Firewalla box's name. */
  observerSite?: string;
  /** Epoch ms: flow end / last seen, or bucket time. */
  ts: number;
  /** Epoch ms. */
  start?: number;
  durationMs?: number;
  src: FlowEndpoint & { mac?: string };
  dst: FlowEndpoint & { domain?: string };
  ipVersion?: 4 | 6;
  /** IANA number and lowercase name ('tcp', 'udp', 'icmp'). */
  protocol?: { number: number; name: string };
  direction: Direction;
  /** Both directions together. */
  bytes?: number;
  packets?: number;
  /** Sent / received by the local (internal) side; src->dst and dst->src where neither is local. */
  bytesOut?: number;
  bytesIn?: number;
  /** Count of flows a record stands for. */
  flows?: number;
  rateKbps?: number;
  pps?: number;
  app?: string;
  category?: string;
  region?: string;
  blocked?: boolean;
  device?: { name?: string; mac?: string; ip?: string };
  network?: string;
  wanLink?: string;
  /** Vendor fields with no home above, numbers parsed. */
  extra?: Record<string, unknown>;
  /** The original record, when the node keeps it. */
  raw?: unknown;
}

/** What our vendor nodes put in `msg.networkFlows` (docs/design.md#output-messages). */
export interface NetworkFlowsMeta {
  vendor: Vendor;
  endpoint: string;
  host: string;
  /** Epoch ms when the response arrived. */
  fetchedAt: number;
  count: number;
  [extra: string]: unknown;
}
