/**
 * The collector: NetFlow v5 / v9 and IPFIX datagrams in, NetworkFlow records out. It keeps
 * per exporter its counters, and per observation domain its templates (with expiry), sampling
 * rates, boot time and sequence numbers; data sets that arrive before their template are held,
 * bounded in count, bytes and age. Everything it keeps is capped: exporters, domains per
 * exporter, templates per exporter, held sets. A datagram it cannot read is counted and dropped:
 * `receive` never throws.
 */
import { BadInputError } from '../errors';
import { inAnyRange, parseCidr, parseIp, type CidrRange } from '../ip';
import type { NetworkFlow } from '../network-flow';
import { DecodedFlow, samplingRateOf } from './decoded-flow';
import { DomainState, ExporterState, newCounters, type ExporterCounters, type PacketTime } from './exporter-state';
import { toNetworkFlow, type RecordContext, type SamplingSource } from './flow-record';
import { decodeIpfix } from './ipfix';
import { Template, decodeRecords, type RecordSink, type TemplateField } from './template';
import { decodeV5 } from './v5';
import { decodeV9 } from './v9';
import { BAD_SET, UNKNOWN_TEMPLATE, u16, type PacketHandler } from './wire';

export interface CollectorOptions {
  /** Clock for template expiry and hold ages; epoch ms. */
  now?: () => number;
  /** Exporter addresses or CIDRs allowed to send (comma-separated or a list); empty = any. */
  allow?: string | readonly string[];
  /** 1-in-N sampling to assume when an exporter announces none; 0 or 1 = unsampled. */
  samplingRate?: number;
  /** Put the Community ID of each flow in `extra.communityId`. Default true. */
  communityId?: boolean;
  /** Templates not refreshed for this long are forgotten. Default 30 minutes. */
  templateTimeoutMs?: number;
  /** Data sets wait this long for their template. Default 10 s; 0 = drop at once. */
  holdMs?: number;
  /** Held data sets per exporter. Default 64. */
  maxHeldSets?: number;
  /** Held bytes per exporter. Default 256 KiB. */
  maxHeldBytes?: number;
  /** Templates and options templates per exporter. Default 1024. */
  maxTemplatesPerExporter?: number;
  /** Observation domains / source ids / engines per exporter. Default 64. */
  maxDomainsPerExporter?: number;
  /** Exporters tracked at once. Default 1024. */
  maxExporters?: number;
  /**
   * Receives each decoded flow record instead of a NetworkFlow record being built (benchmarks
   * and callers that want the raw numbers); `receive` then returns an empty array. The object
   * is reused for the next record: copy what you keep.
   */
  onDecoded?: RecordSink;
}

export interface CollectorStats {
  /** Sums over the exporters tracked now. */
  totals: ExporterCounters & { exporters: number };
  exporters: Record<string, ExporterCounters>;
  /** Datagrams from addresses outside the allow list. */
  notAllowed: number;
  /** Datagrams from new exporters while `maxExporters` were tracked. */
  exportersRefused: number;
  /** Datagrams whose decoding hit a bug here (always 0 unless something is wrong in this code). */
  internalErrors: number;
}

const DEFAULTS = {
  templateTimeoutMs: 30 * 60_000,
  holdMs: 10_000,
  maxHeldSets: 64,
  maxHeldBytes: 256 * 1024,
  maxTemplatesPerExporter: 1024,
  maxDomainsPerExporter: 64,
  maxExporters: 1024,
};
/**
 * Flow records built from one datagram. An MTU-sized datagram holds about 150 records and a
 * 65535-byte one of ordinary 40-byte records about 1600; a message of tiny hand-made records
 * could hold 7000, and building each (with its Community ID) costs a few microseconds: the rest of
 * such a datagram is counted in `recordsOverLimit`, so one datagram stays well under 50 ms.
 */
export const MAX_RECORDS_PER_DATAGRAM = 2048;
/** Sampler ids remembered per domain (each from an options record). */
const MAX_SAMPLERS = 256;
const HALF_RANGE = 0x80000000;

type Limits = typeof DEFAULTS;

function limit(options: CollectorOptions, key: keyof Limits, min: number): number {
  const v = options[key];
  if (v === undefined) return DEFAULTS[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 2 ** 31) {
    throw new BadInputError(key, `${JSON.stringify(v)} is not a whole number from ${min} to ${2 ** 31}`);
  }
  return v;
}

/** The allow list as ranges; an empty list allows everyone. Throws BadInputError naming the bad entry. */
export function parseAllowList(allow: string | readonly string[] | undefined): CidrRange[] {
  if (allow === undefined) return [];
  if (typeof allow !== 'string' && !Array.isArray(allow)) throw new BadInputError('allow', 'expected comma-separated addresses or CIDRs');
  const items = (typeof allow === 'string' ? allow.split(',') : [...(allow as readonly unknown[])]).map((x) => String(x).trim()).filter(Boolean);
  return items.map((item) => {
    const r = parseCidr(item);
    if (!r) throw new BadInputError('allow', `"${item}" is not an IPv4 or IPv6 address or CIDR (expected e.g. 192.0.2.1, 10.0.0.0/8 or 2001:db8::/32)`);
    return r;
  });
}

export function parseSamplingRate(v: unknown): number {
  if (v === undefined || v === null || v === '') return 0;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1_000_000) {
    throw new BadInputError('samplingRate', `${JSON.stringify(v)} is not a whole number from 0 to 1000000 (1 in N packets; 0 or 1 = unsampled)`);
  }
  return n;
}

export class Collector implements PacketHandler {
  private readonly now: () => number;
  private readonly allow: CidrRange[];
  private readonly userRate: number;
  private readonly withCommunityId: boolean;
  private readonly limits: Limits;
  private readonly onDecoded: CollectorOptions['onDecoded'];
  private readonly exporters = new Map<string, ExporterState>();
  private notAllowed = 0;
  private exportersRefused = 0;
  private internalErrors = 0;

  // The datagram being decoded: set by receive(), read by the PacketHandler callbacks.
  private ex!: ExporterState;
  private out: NetworkFlow[] = [];
  private at = 0;
  private domainNow!: DomainState;
  private headerRate = 0;
  private ctx!: RecordContext;
  private readonly flowSink: RecordSink;
  private readonly optionSink: RecordSink = (f) => this.applyOption(f);

  /** Throws BadInputError naming the option when one is wrong. */
  constructor(options: CollectorOptions = {}) {
    this.now = options.now ?? Date.now;
    this.allow = parseAllowList(options.allow);
    this.userRate = parseSamplingRate(options.samplingRate);
    this.withCommunityId = options.communityId !== false;
    this.onDecoded = options.onDecoded;
    const onDecoded = options.onDecoded;
    this.flowSink = onDecoded !== undefined ? onDecoded : (f) => this.emitOne(f);
    this.limits = {
      templateTimeoutMs: limit(options, 'templateTimeoutMs', 1000),
      holdMs: limit(options, 'holdMs', 0),
      maxHeldSets: limit(options, 'maxHeldSets', 0),
      maxHeldBytes: limit(options, 'maxHeldBytes', 0),
      maxTemplatesPerExporter: limit(options, 'maxTemplatesPerExporter', 1),
      maxDomainsPerExporter: limit(options, 'maxDomainsPerExporter', 1),
      maxExporters: limit(options, 'maxExporters', 1),
    };
  }

  /**
   * Decodes one datagram from `address` (as the socket reports it). Returns the flow records it
   * yields, including held data sets its templates unlocked; never throws.
   */
  receive(packet: Uint8Array, address: string): NetworkFlow[] {
    const now = this.now();
    const ex = this.exporterFor(address, now);
    if (ex === undefined) return [];
    this.ex = ex;
    this.at = now;
    const out: NetworkFlow[] = [];
    this.out = out;
    ex.lastSeen = now;
    ex.counters.packets++;
    if (ex.held.length > 0) this.expireHeld(ex, now);
    let err: string | undefined;
    try {
      const version = packet.length >= 2 ? u16(packet, 0) : -1;
      if (version === 10) err = decodeIpfix(packet, this);
      else if (version === 9) err = decodeV9(packet, this);
      else if (version === 5) err = decodeV5(packet, this);
      else err = packet.length < 2 ? `${packet.length}-byte datagram` : `unsupported version ${version} (expected 5, 9 or 10)`;
    } catch (e) {
      // A bug here must cost one datagram, never the flow: counted so a test can see it.
      this.internalErrors++;
      err = `internal error: ${(e as Error).message}`;
    }
    this.out = [];
    if (err !== undefined) {
      ex.counters.badPackets++;
      ex.counters.lastError = err;
      return [];
    }
    ex.counters.records += out.length;
    return out;
  }

  /** Forgets expired templates, held sets past their age and exporters idle past the template timeout. */
  sweep(): void {
    const now = this.now();
    for (const [key, ex] of this.exporters) {
      this.expireHeld(ex, now);
      for (const d of ex.domains.values()) {
        for (const [id, t] of d.templates) if (this.expired(t, now)) this.forget(ex, d, id, 'expired');
      }
      if (now - ex.lastSeen > this.limits.templateTimeoutMs) this.exporters.delete(key);
    }
  }

  stats(): CollectorStats {
    const totals = { ...newCounters(), exporters: this.exporters.size };
    const exporters: Record<string, ExporterCounters> = {};
    for (const [addr, ex] of this.exporters) {
      const c = { ...ex.counters };
      exporters[addr] = c;
      for (const k of Object.keys(c) as Array<keyof ExporterCounters>) {
        if (k !== 'lastError') (totals[k]) += c[k];
      }
    }
    return { totals, exporters, notAllowed: this.notAllowed, exportersRefused: this.exportersRefused, internalErrors: this.internalErrors };
  }

  private exporterFor(address: string, now: number): ExporterState | undefined {
    let ex = this.exporters.get(address);
    if (ex !== undefined) return ex;
    const ip = parseIp(address);
    if (ip === undefined || (this.allow.length > 0 && !inAnyRange(ip, this.allow))) {
      this.notAllowed++;
      return undefined;
    }
    // udp6 sockets report IPv4 senders as ::ffff:a.b.c.d: one exporter either way.
    ex = this.exporters.get(ip.text);
    if (ex !== undefined) return ex;
    if (this.exporters.size >= this.limits.maxExporters) {
      this.exportersRefused++;
      return undefined;
    }
    ex = new ExporterState(ip.text, now);
    this.exporters.set(ip.text, ex);
    return ex;
  }

  // ---- PacketHandler: called by the decoders for the datagram in hand ----

  domain(version: number, id: number): DomainState | undefined {
    return this.ex.domain(version, id, this.limits.maxDomainsPerExporter);
  }

  sequence(d: DomainState, sequence: number): void {
    const expected = d.expectedSequence;
    if (expected < 0 || sequence === expected) return;
    const gap = (sequence - expected) >>> 0;
    const c = this.ex.counters;
    if (gap >= HALF_RANGE) c.sequenceResets++;
    else if (d.version === 9) c.lostPackets += gap;
    else c.lostRecords += gap;
  }

  expectNext(d: DomainState, next: number): void {
    d.expectedSequence = next;
  }

  template(d: DomainState, id: number, fields: TemplateField[], scopeCount: number, options: boolean): boolean {
    const ex = this.ex;
    const old = d.templates.get(id);
    if (old !== undefined && old.options === options && old.sameAs(fields, scopeCount)) {
      old.lastSeen = this.at;
    } else {
      if (old === undefined && ex.counters.templates >= this.limits.maxTemplatesPerExporter) {
        ex.counters.templatesRefused++;
        return false;
      }
      d.templates.set(id, new Template(id, fields, scopeCount, options, this.at, d.version === 9 && options));
      if (old === undefined) ex.counters.templates++;
    }
    if (ex.held.length > 0) this.releaseHeld(ex, d, id);
    return true;
  }

  withdraw(d: DomainState, id: number): void {
    if (d.templates.has(id)) this.forget(this.ex, d, id, 'withdrawn');
  }

  withdrawAll(d: DomainState, options: boolean): void {
    for (const [id, t] of d.templates) if (t.options === options) this.forget(this.ex, d, id, 'withdrawn');
  }

  data(d: DomainState, templateId: number, b: Uint8Array, start: number, end: number, time: PacketTime): number {
    let t = d.templates.get(templateId);
    if (t !== undefined && this.expired(t, this.at)) {
      this.forget(this.ex, d, templateId, 'expired');
      t = undefined;
    }
    if (t === undefined) {
      this.ex.counters.unknownTemplates++;
      this.hold(this.ex, d, templateId, b.slice(start, end), time);
      return UNKNOWN_TEMPLATE;
    }
    // Flow records without an address are of no use downstream: counted (for the sequence
    // numbers) but not built, which also keeps a datagram of tiny records cheap.
    if (!t.options && !t.hasAddress) return decodeRecords(t, b, start, end, undefined);
    this.domainNow = d;
    if (t.options) {
      const n = decodeRecords(t, b, start, end, this.optionSink);
      if (n > 0) this.ex.counters.optionsRecords += n;
      return n < 0 ? BAD_SET : n;
    }
    this.begin(d, time, 0);
    const n = decodeRecords(t, b, start, end, this.flowSink);
    return n < 0 ? BAD_SET : n;
  }

  v5Header(d: DomainState, time: PacketTime, headerRate: number): void {
    this.domainNow = d;
    this.begin(d, time, headerRate);
  }

  v5Record(f: DecodedFlow): void {
    this.flowSink(f);
  }

  // ---- internals ----

  /** The context of the data set about to be decoded, for `emitOne`. */
  private begin(d: DomainState, time: PacketTime, headerRate: number): void {
    this.headerRate = headerRate;
    if (this.onDecoded !== undefined) return;
    this.ctx = {
      vendor: d.version === 10 ? 'ipfix' : 'netflow',
      endpoint: d.version === 10 ? 'ipfix' : d.version === 9 ? 'v9' : 'v5',
      exporter: this.ex.address,
      domainId: d.id,
      time,
      systemInitMs: d.systemInitMs,
      receivedAt: this.at,
      communityId: this.withCommunityId,
    };
  }

  /** One flow record of the data set in hand to a NetworkFlow record (capped per datagram). */
  private emitOne(f: DecodedFlow): void {
    const out = this.out;
    if (out.length >= MAX_RECORDS_PER_DATAGRAM) {
      this.ex.counters.recordsOverLimit++;
      return;
    }
    const d = this.domainNow;
    let rate = samplingRateOf(f);
    let source: SamplingSource | undefined = 'record';
    if (rate === 0) {
      const bySampler = f.samplerId >= 0 ? d.samplerRates.get(f.samplerId) : undefined;
      if (bySampler !== undefined) [rate, source] = [bySampler, 'options'];
      else if (d.samplingRate > 0) [rate, source] = [d.samplingRate, 'options'];
      else if (this.headerRate > 1) [rate, source] = [this.headerRate, 'header'];
      else if (this.userRate > 1) [rate, source] = [this.userRate, 'user'];
      else source = undefined;
    }
    out.push(toNetworkFlow(f, this.ctx, rate, source));
  }

  /** Options data: sampler rates and the exporter's boot time, for the records that follow. */
  private applyOption(f: DecodedFlow): void {
    const d = this.domainNow;
    const rate = samplingRateOf(f);
    if (rate > 0) {
      if (f.samplerId < 0) d.samplingRate = rate;
      else if (d.samplerRates.has(f.samplerId) || d.samplerRates.size < MAX_SAMPLERS) d.samplerRates.set(f.samplerId, rate);
    }
    if (f.systemInitMs > 0) d.systemInitMs = f.systemInitMs;
  }

  private expired(t: Template, now: number): boolean {
    return now - t.lastSeen > this.limits.templateTimeoutMs;
  }

  private forget(ex: ExporterState, d: DomainState, id: number, why: 'expired' | 'withdrawn'): void {
    if (!d.templates.delete(id)) return;
    ex.counters.templates--;
    if (why === 'expired') ex.counters.templatesExpired++;
    else ex.counters.templatesWithdrawn++;
  }

  private hold(ex: ExporterState, d: DomainState, templateId: number, data: Uint8Array, time: PacketTime): void {
    const { holdMs, maxHeldSets, maxHeldBytes } = this.limits;
    if (holdMs === 0 || maxHeldSets === 0 || data.length > maxHeldBytes) {
      ex.counters.heldDropped++;
      return;
    }
    ex.held.push({ domain: d, templateId, data, time, at: this.at });
    ex.heldBytes += data.length;
    while (ex.held.length > maxHeldSets || ex.heldBytes > maxHeldBytes) {
      const old = ex.held.shift()!;
      ex.heldBytes -= old.data.length;
      ex.counters.heldDropped++;
    }
  }

  private expireHeld(ex: ExporterState, now: number): void {
    const holdMs = this.limits.holdMs;
    let drop = 0;
    while (drop < ex.held.length && now - ex.held[drop]!.at > holdMs) {
      ex.heldBytes -= ex.held[drop]!.data.length;
      drop++;
    }
    if (drop > 0) {
      ex.held.splice(0, drop);
      ex.counters.heldDropped += drop;
    }
  }

  /** Decodes the sets that waited for template `id` of domain `d`, in arrival order. */
  private releaseHeld(ex: ExporterState, d: DomainState, id: number): void {
    const waiting = ex.held.filter((h) => h.domain === d && h.templateId === id);
    if (waiting.length === 0) return;
    ex.held = ex.held.filter((h) => !(h.domain === d && h.templateId === id));
    for (const h of waiting) {
      ex.heldBytes -= h.data.length;
      const r = this.data(d, id, h.data, 0, h.data.length, h.time);
      // A held set that does not fit the template that came is dropped, not the packet in hand.
      if (r >= 0) ex.counters.heldDecoded++;
      else ex.counters.heldDropped++;
    }
  }
}
