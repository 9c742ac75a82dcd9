/**
 * Firewalla MSP answers as the service renders them (docs/vendors/firewalla.md): records in the
 * documented Flow shape plus the live-seen `total`, `domain` and `country`, drawn from the shared
 * traffic, and the measured error shape.
 */
import type http from 'node:http';
import { sendJson } from '../server';
import type { SimFlow } from '../traffic';
import { BoxCatalog, type SimBox } from './boxes';

/**
 * The boxes (./boxes.ts). Requests are answered synchronously, so the module-level catalog is
 * set to the serving simulator's own for the length of each one (`withCatalog`).
 */
const DEFAULT_CATALOG = new BoxCatalog(2);
let catalog = DEFAULT_CATALOG;

/** Runs `fn` with `boxes` as the catalog `boxOf` reads. */
export function withCatalog<T>(boxes: BoxCatalog, fn: () => T): T {
  catalog = boxes;
  try {
    return fn();
  } finally {
    catalog = DEFAULT_CATALOG;
  }
}

/** The box that saw a flow. */
export function boxOf(f: SimFlow): SimBox {
  return catalog.boxOf(f);
}

export const PROTO: Record<number, string> = { 6: 'tcp', 17: 'udp', 1: 'icmp' };

function devicePort(f: SimFlow): number {
  return f.direction === 'inbound' ? f.dstPort : f.srcPort;
}

/** One flow as a `GET /v2/flows` result. */
export function renderFlow(f: SimFlow): Record<string, unknown> {
  const box = boxOf(f);
  const dev = f.device;
  const local = f.direction === 'local';
  const remote = local
    ? { id: f.peer!.mac, ip: f.peer!.ip, name: f.peer!.name }
    : { id: f.service.domain, ip: f.service.ip, name: f.service.domain };
  const me = { id: dev.mac, ip: dev.ip, name: dev.name };
  const r: Record<string, unknown> = {
    ts: f.ts / 1000,
    gid: box.id,
    protocol: PROTO[f.proto],
    direction: f.direction,
    block: f.blocked,
  };
  if (f.blocked) r.blockType = f.blockType;
  else {
    r.download = f.download;
    r.upload = f.upload;
    r.total = f.download + f.upload;
  }
  r.duration = f.durationMs / 1000;
  r.category = f.service.category;
  r.count = 1;
  if (!local) r.region = f.service.region;
  r.device = { id: dev.mac, ip: dev.ip, name: dev.name, port: String(devicePort(f)) };
  r.network = { id: dev.network.id, name: dev.network.name };
  if (dev.group) r.group = { id: dev.group.id, name: dev.group.name };
  r.source = f.direction === 'inbound' ? remote : me;
  r.destination = f.direction === 'inbound' ? me : remote;
  if (!local) {
    r.domain = f.service.domain;
    r.country = f.service.region;
  }
  return r;
}

/** The measured error shape: `{error: {title, message, type}}`. */
export function sendError(res: http.ServerResponse, status: number, title: string, message: string, type: string, headers: http.OutgoingHttpHeaders): void {
  sendJson(res, status, { error: { title, message, type } }, headers);
}
