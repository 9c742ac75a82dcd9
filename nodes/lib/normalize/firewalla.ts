/**
 * Firewalla MSP `GET /v2/flows` results: regular flows, blocked flows (`block: true`,
 * `blockType`, no upload/download) and grouped rows (a `groupBy` request: group keys plus
 * count/download/upload/total, no `ts` or `gid`).
 *
 * A flow is always about a local device and a remote host. The device is the source of outbound
 * (and local) flows and the destination of inbound ones; `source`/`destination` objects win when
 * present and `device.ip`/`device.port` fill the device's side otherwise. `upload`/`download`
 * are the device's bytes sent/received, so they map to `bytesOut`/`bytesIn` whatever the
 * direction, and `bytes` is their sum.
 *
 * Grouped rows have no time of their own: `ts` is the end of the query's `ts:<begin>-<end>`
 * range when the request had one, else the fetch time; `flows` is the row's `count` and
 * `extra.aggregate` is true (`kind` stays 'flow': the row is a sum of flows, not a time bucket).
 */
import type { Direction, NetworkFlow } from '../network-flow';
import { asDomain, canonicalMac, deriveDirection, type Reader } from './reader';
import type { BatchContext, VendorRecord } from './types';

const KNOWN: ReadonlySet<string> = new Set([
  'ts',
  'gid',
  'protocol',
  'direction',
  'block',
  'blockType',
  'download',
  'upload',
  'total',
  'duration',
  'count',
  'category',
  'region',
  'country',
  'domain',
  'device',
  'network',
  'group',
  'source',
  'destination',
  'sport',
  'dport',
]);

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

export function firewallaDirection(v: string): Direction | undefined {
  switch (v.toLowerCase()) {
    case 'outbound':
      return 'outbound';
    case 'inbound':
      return 'inbound';
    case 'local':
    case 'internal':
      return 'internal';
    default:
      return undefined;
  }
}

/** End of a `ts:<begin>-<end>` term in a Firewalla query (epoch seconds), in ms. */
export function queryEndMs(query: string | undefined): number | undefined {
  if (!query) return undefined;
  const m = /(?:^|\s)ts:(\d+(?:\.\d+)?)?-(\d+(?:\.\d+)?)(?=\s|$)/.exec(query);
  if (!m || m[2] === undefined) return undefined;
  return Math.round(Number(m[2]) * 1000);
}

interface Side {
  ip?: string;
  port?: number;
  name?: string;
  id?: string;
  mac?: string;
}

/** One side of the flow from its own object, filled from the device when it is the device's side. */
function side(
  rd: Reader,
  own: Obj | undefined,
  ownName: string,
  device: Obj | undefined,
  isDevice: boolean,
  loosePort: unknown,
  loosePortName: string,
): { side: Side; version: 4 | 6 | undefined; internal: boolean | undefined } {
  const s: Side = {};
  const from = own ?? (isDevice ? device : undefined);
  const fromName = own ? ownName : 'device';
  let ipText: unknown = from?.ip;
  let ipField = `${fromName}.ip`;
  if (ipText === undefined && isDevice && own && device) {
    ipText = device.ip;
    ipField = 'device.ip';
  }
  const ip = rd.ip(ipText, ipField);
  const version = rd.ipVersion;
  const internal = version === undefined ? undefined : rd.lastIpInternal();
  if (ip !== undefined) s.ip = ip;

  let port: number | undefined;
  if (own && own.port !== undefined) port = rd.port(own.port, `${ownName}.port`);
  else if (isDevice && device && device.port !== undefined) port = rd.port(device.port, 'device.port');
  else port = rd.port(loosePort, loosePortName);
  if (port !== undefined) s.port = port;

  const name = rd.text(from?.name) ?? (isDevice && device ? rd.text(device.name) : undefined);
  if (name !== undefined) s.name = name;
  const id = rd.text(from?.id) ?? (isDevice && device ? rd.text(device.id) : undefined);
  if (id !== undefined) {
    s.id = id;
    const mac = canonicalMac(id);
    if (mac !== undefined) s.mac = mac;
  }
  return { side: s, version, internal };
}

export function firewallaFlow(r: VendorRecord, ctx: BatchContext): NetworkFlow | undefined {
  const rd = ctx.reader;
  const device = obj(r.device);
  const source = obj(r.source);
  const destination = obj(r.destination);

  const vendorDir = rd.text(r.direction);
  const mapped = vendorDir === undefined ? undefined : firewallaDirection(vendorDir);
  // The device is the destination only of inbound flows.
  const deviceIsDst = mapped === 'inbound';

  const s = side(rd, source, 'source', device, !deviceIsDst, r.sport, 'sport');
  const d = side(rd, destination, 'destination', device, deviceIsDst, r.dport, 'dport');
  // Firewalla describes the local side by the device, whose `ip` is its IPv4 address even when
  // the flow ran over IPv6; such a record is real traffic, not a bad record. It is kept, its IP
  // version is the remote side's (the one the flow used), and the mismatch is noted in `extra`.
  const mixedVersions = s.version !== undefined && d.version !== undefined && s.version !== d.version;
  const direction = mapped ?? deriveDirection(s.internal, d.internal);

  const tsSec = rd.num(r.ts, 'ts');
  const durationSec = rd.num(r.duration, 'duration');
  if (durationSec !== undefined && durationSec < 0) rd.fail('duration', `${durationSec} is negative`);
  const upload = rd.count(r.upload, 'upload');
  const download = rd.count(r.download, 'download');
  const total = rd.count(r.total, 'total');
  const count = rd.count(r.count, 'count');
  const blocked = rd.bool(r.block, 'block');
  const protocol = rd.protocol(r.protocol, 'protocol');
  const gid = rd.text(r.gid);
  const aggregate = tsSec === undefined && gid === undefined;
  if (tsSec === undefined && !aggregate) rd.fail('ts', 'missing (a flow with a gid must have a ts)');

  const extra: Record<string, unknown> = {};
  let dev: NetworkFlow['device'];
  if (device) {
    dev = {};
    const name = rd.text(device.name);
    if (name !== undefined) dev.name = name;
    const id = rd.text(device.id);
    const mac = canonicalMac(id);
    if (mac !== undefined) dev.mac = mac;
    else if (id !== undefined) extra.deviceId = id;
    const ip = rd.ip(device.ip, 'device.ip');
    if (ip !== undefined) dev.ip = ip;
  }
  if (rd.error !== undefined) return undefined;

  // ts is epoch seconds with a fraction; a value that is clearly ms already is taken as ms.
  let ts: number;
  if (tsSec !== undefined) ts = tsSec > 1e11 ? Math.round(tsSec) : Math.round(tsSec * 1000);
  else ts = ctx.queryEnd ?? ctx.fetchedAt;

  const remoteIsDst = !deviceIsDst;
  const domain = asDomain(rd.text(remoteIsDst ? destination?.name : source?.name)) ?? asDomain(rd.text(r.domain));
  if (remoteIsDst) {
    if (domain !== undefined) (d.side as NetworkFlow['dst']).domain = domain;
  } else if (s.side.name === undefined && domain !== undefined) {
    s.side.name = domain;
  }
  const dstSide: NetworkFlow['dst'] = { ...d.side };
  delete (dstSide as Side).mac; // NetworkFlow.dst has no mac; the id keeps it.

  const flow: NetworkFlow = {
    kind: 'flow',
    vendor: 'firewalla',
    endpoint: 'flows',
    ts,
    src: s.side,
    dst: dstSide,
    direction,
  };
  if (ctx.observer !== undefined) flow.observer = ctx.observer;
  if (durationSec !== undefined) {
    flow.durationMs = Math.round(durationSec * 1000);
    if (tsSec !== undefined) flow.start = ts - flow.durationMs;
  }
  const version = mixedVersions ? (deviceIsDst ? s.version : d.version) : (s.version ?? d.version);
  if (version !== undefined) flow.ipVersion = version;
  if (mixedVersions) extra.ipVersionMismatch = true;
  if (protocol !== undefined) flow.protocol = { number: protocol.number, name: protocol.name };
  if (upload !== undefined || download !== undefined) {
    flow.bytes = (upload ?? 0) + (download ?? 0);
    if (upload !== undefined) flow.bytesOut = upload;
    if (download !== undefined) flow.bytesIn = download;
  } else if (total !== undefined) {
    flow.bytes = total;
  }
  if (count !== undefined) flow.flows = count;
  const category = rd.text(r.category);
  if (category !== undefined) flow.category = category;
  const region = rd.text(r.region) ?? rd.text(r.country);
  if (region !== undefined) flow.region = region.toUpperCase();
  const country = rd.text(r.country);
  if (country !== undefined && rd.text(r.region) !== undefined && country.toUpperCase() !== region?.toUpperCase()) {
    extra.country = country;
  }
  if (blocked !== undefined) flow.blocked = blocked;
  else if (r.blockType !== undefined && rd.text(r.blockType) !== undefined) flow.blocked = true;
  else if (ctx.blockedQuery) flow.blocked = true;
  if (dev !== undefined) flow.device = dev;
  const network = obj(r.network);
  if (network) {
    const name = rd.text(network.name);
    if (name !== undefined) flow.network = name;
    const id = rd.text(network.id);
    if (id !== undefined) extra.networkId = id;
  }
  const group = obj(r.group);
  if (group) {
    const id = rd.text(group.id);
    if (id !== undefined) extra.groupId = id;
    const name = rd.text(group.name);
    if (name !== undefined) extra.groupName = name;
  }
  if (gid !== undefined) extra.gid = gid;
  const blockType = rd.text(r.blockType);
  if (blockType !== undefined) extra.blockType = blockType;
  if (upload !== undefined && download !== undefined && total !== undefined && total !== upload + download) {
    extra.total = total;
  }
  const domainText = rd.text(r.domain);
  if (domainText !== undefined && asDomain(domainText) === undefined) extra.domain = domainText;
  if (aggregate) extra.aggregate = true;
  for (const k in r) {
    if (!KNOWN.has(k)) {
      const x = rd.keep(r[k], k);
      if (x !== undefined && x !== null) extra[k] = x;
    }
  }
  for (const _k in extra) {
    flow.extra = extra;
    break;
  }
  if (ctx.keepRaw) flow.raw = r;
  return flow;
}
