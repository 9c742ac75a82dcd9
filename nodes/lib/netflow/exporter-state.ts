/**
 * What the collector remembers per exporter: counters, and per observation domain (IPFIX) or
 * source id (v9) its templates, sampling rates, boot time and sequence number. Held data sets
 * (data that came before its template) live here too, bounded in count and age.
 */
import type { Template } from './template';

/** Counters shown in the status and returned on a stats request. */
export interface ExporterCounters {
  /** Datagrams received from this exporter. */
  packets: number;
  /** Flow records decoded and sent on. */
  records: number;
  /** Records past the per-datagram cap (MAX_RECORDS_PER_DATAGRAM), counted and dropped. */
  recordsOverLimit: number;
  /** Options data records read (sampling, boot time). */
  optionsRecords: number;
  /** Datagrams dropped as malformed (truncated, wrong lengths, unknown version, lying templates). */
  badPackets: number;
  /** Data sets whose template was not known when they arrived. */
  unknownTemplates: number;
  /** Of those, sets decoded later when the template came. */
  heldDecoded: number;
  /** Held sets dropped: too many, too old, or no template ever came. */
  heldDropped: number;
  /** Export packets lost, from v9 sequence numbers. */
  lostPackets: number;
  /** Flow records lost, from v5 and IPFIX sequence numbers. */
  lostRecords: number;
  /** Sequence numbers that went backwards or jumped more than half the range: restart or reorder. */
  sequenceResets: number;
  /** Templates and options templates currently known. */
  templates: number;
  /** Templates refused because the exporter already had the maximum. */
  templatesRefused: number;
  /** Templates withdrawn (IPFIX) or expired. */
  templatesWithdrawn: number;
  templatesExpired: number;
  /** Why the last bad packet was dropped. */
  lastError?: string;
}

export function newCounters(): ExporterCounters {
  return {
    packets: 0,
    records: 0,
    recordsOverLimit: 0,
    optionsRecords: 0,
    badPackets: 0,
    unknownTemplates: 0,
    heldDecoded: 0,
    heldDropped: 0,
    lostPackets: 0,
    lostRecords: 0,
    sequenceResets: 0,
    templates: 0,
    templatesRefused: 0,
    templatesWithdrawn: 0,
    templatesExpired: 0,
  };
}

/** The packet facts that anchor a data set's times, kept with a held set. */
export interface PacketTime {
  /** Export time of the packet, epoch ms. */
  exportMs: number;
  /** v5 / v9 header sysUptime (ms); -1 for IPFIX. */
  uptimeMs: number;
}

export interface HeldSet {
  domain: DomainState;
  templateId: number;
  data: Uint8Array;
  time: PacketTime;
  at: number;
}

export class DomainState {
  readonly templates = new Map<number, Template>();
  /** samplerId / selectorId -> 1-in-N, from options data. */
  readonly samplerRates = new Map<number, number>();
  /** 1-in-N for records that name no sampler, from options data; 0 = not announced. */
  samplingRate = 0;
  /** Exporter boot time (IPFIX systemInitTimeMilliseconds from options data), epoch ms; -1 unknown. */
  systemInitMs = -1;
  /** The sequence number the next packet should carry; -1 before the first. */
  expectedSequence = -1;

  constructor(
    readonly version: number,
    readonly id: number,
  ) {}
}

export class ExporterState {
  readonly counters = newCounters();
  readonly domains = new Map<string, DomainState>();
  held: HeldSet[] = [];
  heldBytes = 0;
  lastSeen: number;

  constructor(
    readonly address: string,
    now: number,
  ) {
    this.lastSeen = now;
  }

  domain(version: number, id: number, max: number): DomainState | undefined {
    const key = `${version}/${id}`;
    let d = this.domains.get(key);
    if (d === undefined) {
      if (this.domains.size >= max) return undefined;
      d = new DomainState(version, id);
      this.domains.set(key, d);
    }
    return d;
  }

  templateCount(): number {
    let n = 0;
    for (const d of this.domains.values()) n += d.templates.size;
    return n;
  }
}
