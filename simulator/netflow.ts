/**
 * Encoders for NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) datagrams: the demo exporter sends
 * them, and tests and benchmarks build packets with them (templates, options, withdrawals,
 * variable-length and enterprise fields) to check the collector bit for bit.
 */
import { parseIp } from '../nodes/lib/ip';

/** [IE number, length] or [IE number, length, enterprise number]; length 65535 = variable. */
export type FieldSpec = readonly [number, number] | readonly [number, number, number];
/** A field value: a number, an IP address text, or raw bytes (variable-length / enterprise fields). */
export type FieldValue = number | bigint | string | Uint8Array;

export function uint(value: number | bigint, length: number): Buffer {
  const b = Buffer.alloc(length);
  let v = BigInt(value);
  for (let i = length - 1; i >= 0; i--) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return b;
}

/** An address in 4 bytes (IPv4) or 16 (IPv6, IPv4 as ::ffff:a.b.c.d). */
export function address(text: string, length: number): Buffer {
  const p = parseIp(text);
  if (!p) throw new Error(`netflow encoder: bad address ${text}`);
  if (length === 4 && p.version === 4) return uint(p.value, 4);
  if (length === 16) return uint(p.version === 4 ? (0xffffn << 32n) | BigInt(p.value) : (p.value), 16);
  throw new Error(`netflow encoder: ${text} does not fit ${length} bytes`);
}

/** One data record of a template: values by IE number (absent ones are zeros). */
export function dataRecord(fields: readonly FieldSpec[], values: Readonly<Record<number, FieldValue>>): Buffer {
  const parts: Buffer[] = [];
  for (const [id, length] of fields) {
    const v = values[id];
    if (length === 65535) {
      const bytes = v instanceof Uint8Array ? Buffer.from(v) : Buffer.from(String(v ?? ''), 'utf8');
      parts.push(bytes.length < 255 ? Buffer.from([bytes.length]) : Buffer.concat([Buffer.from([255]), uint(bytes.length, 2)]), bytes);
    } else if (v instanceof Uint8Array) parts.push(Buffer.concat([Buffer.from(v), Buffer.alloc(length)]).subarray(0, length));
    else if (typeof v === 'string') parts.push(address(v, length));
    else parts.push(uint(v ?? 0, length));
  }
  return Buffer.concat(parts);
}

function set(id: number, body: Buffer, padTo = 1): Buffer {
  const pad = (padTo - ((4 + body.length) % padTo)) % padTo;
  return Buffer.concat([uint(id, 2), uint(4 + body.length + pad, 2), body, Buffer.alloc(pad)]);
}

function fieldSpecs(fields: readonly FieldSpec[], enterpriseBit: boolean): Buffer {
  return Buffer.concat(
    fields.map(([id, length, pen]) =>
      pen !== undefined && enterpriseBit ? Buffer.concat([uint(id | 0x8000, 2), uint(length, 2), uint(pen, 4)]) : Buffer.concat([uint(id, 2), uint(length, 2)]),
    ),
  );
}

// ---- IPFIX ----

export function ipfixTemplateSet(templates: ReadonlyArray<{ id: number; fields: readonly FieldSpec[] }>): Buffer {
  return set(2, Buffer.concat(templates.map((t) => Buffer.concat([uint(t.id, 2), uint(t.fields.length, 2), fieldSpecs(t.fields, true)]))));
}

export function ipfixOptionsTemplateSet(id: number, scope: readonly FieldSpec[], options: readonly FieldSpec[]): Buffer {
  const fields = [...scope, ...options];
  return set(3, Buffer.concat([uint(id, 2), uint(fields.length, 2), uint(scope.length, 2), fieldSpecs(fields, true)]));
}

/** Withdraws template `id` (or all templates of the set when `id` is 2, all options templates when 3). */
export function ipfixWithdrawal(id: number, options = false): Buffer {
  return set(options ? 3 : 2, Buffer.concat([uint(id, 2), uint(0, 2)]));
}

export function dataSet(templateId: number, records: readonly Buffer[], padTo = 1): Buffer {
  return set(templateId, Buffer.concat(records), padTo);
}

export interface IpfixHeader {
  exportSec: number;
  sequence: number;
  domain: number;
}

export function ipfixMessage(h: IpfixHeader, sets: readonly Buffer[]): Buffer {
  const body = Buffer.concat(sets);
  return Buffer.concat([uint(10, 2), uint(16 + body.length, 2), uint(h.exportSec, 4), uint(h.sequence >>> 0, 4), uint(h.domain, 4), body]);
}

// ---- NetFlow v9 ----

export function v9TemplateFlowSet(templates: ReadonlyArray<{ id: number; fields: readonly FieldSpec[] }>): Buffer {
  return set(0, Buffer.concat(templates.map((t) => Buffer.concat([uint(t.id, 2), uint(t.fields.length, 2), fieldSpecs(t.fields, false)]))));
}

export function v9OptionsTemplateFlowSet(id: number, scope: readonly FieldSpec[], options: readonly FieldSpec[]): Buffer {
  return set(1, Buffer.concat([uint(id, 2), uint(scope.length * 4, 2), uint(options.length * 4, 2), fieldSpecs(scope, false), fieldSpecs(options, false)]), 4);
}

export interface V9Header {
  uptimeMs: number;
  unixSecs: number;
  sequence: number;
  sourceId: number;
}

export function v9Packet(h: V9Header, flowSets: readonly Buffer[]): Buffer {
  return Buffer.concat([uint(9, 2), uint(flowSets.length, 2), uint(h.uptimeMs >>> 0, 4), uint(h.unixSecs, 4), uint(h.sequence >>> 0, 4), uint(h.sourceId, 4), ...flowSets]);
}

// ---- NetFlow v5 ----

export interface V5Flow {
  src: string;
  dst: string;
  nextHop?: string;
  inIf?: number;
  outIf?: number;
  packets: number;
  bytes: number;
  firstUptime: number;
  lastUptime: number;
  srcPort: number;
  dstPort: number;
  tcpFlags?: number;
  proto: number;
  tos?: number;
}

export function v5Packet(h: { uptimeMs: number; unixSecs: number; unixNsecs: number; sequence: number; engine?: number; sampling?: number }, flows: readonly V5Flow[]): Buffer {
  const head = Buffer.concat([
    uint(5, 2),
    uint(flows.length, 2),
    uint(h.uptimeMs >>> 0, 4),
    uint(h.unixSecs, 4),
    uint(h.unixNsecs, 4),
    uint(h.sequence >>> 0, 4),
    uint(h.engine ?? 0, 2),
    uint(h.sampling ?? 0, 2),
  ]);
  const recs = flows.map((f) =>
    Buffer.concat([
      address(f.src, 4),
      address(f.dst, 4),
      address(f.nextHop ?? '0.0.0.0', 4),
      uint(f.inIf ?? 0, 2),
      uint(f.outIf ?? 0, 2),
      uint(f.packets, 4),
      uint(f.bytes, 4),
      uint(f.firstUptime >>> 0, 4),
      uint(f.lastUptime >>> 0, 4),
      uint(f.srcPort, 2),
      uint(f.dstPort, 2),
      Buffer.from([0, f.tcpFlags ?? 0, f.proto, f.tos ?? 0]),
      Buffer.alloc(8),
    ]),
  );
  return Buffer.concat([head, ...recs]);
}
