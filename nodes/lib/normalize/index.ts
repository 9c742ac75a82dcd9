/**
 * The normalize engine: any vendor's records to `NetworkFlow` records (or ECS documents).
 *
 * The vendor and endpoint come from, in order: a forced `vendor` option (`firewalla/flows`...),
 * the batch context (`msg.networkFlows` of our vendor nodes), or each record's shape. Records
 * that cannot be normalized are reported with their index and reason; the rest go out.
 */
import { systemClock } from '../clock';
import { BadInputError } from '../errors';
import { parseCidrList, type CidrRange } from '../ip';
import { MAX_NESTING, nestsDeeperThan } from '../validate';
import { VENDORS, type NetworkFlow, type Vendor } from '../network-flow';
import { sdwanFlow, sdwanIlbFlow } from './citrix-sdwan';
import { collectorFlow, isCollectorFlow } from './collector';
import { toEcs, type EcsDocument } from './ecs';
import { firewallaFlow, queryEndMs } from './firewalla';
import { flowGatewayStat } from './flowgateway';
import { Reader } from './reader';
import {
  ENDPOINTS,
  type BatchContext,
  type InvalidRecord,
  type NormalizeContext,
  type RecordNormalizer,
  type VendorEndpoint,
  type VendorRecord,
} from './types';

export * from './types';
export { toEcs, type EcsDocument } from './ecs';
export { sdwanFlow, sdwanIlbFlow, sdwanDirection } from './citrix-sdwan';
export { firewallaFlow, firewallaDirection, queryEndMs } from './firewalla';
export { flowGatewayStat, parseFlowGatewayTime } from './flowgateway';
export { Reader, isAbsent } from './reader';
export { MAX_COUNTER } from './fast-number';
export { collectorFlow, isCollectorFlow } from './collector';

/** Latest time a record may carry (year 3000, epoch ms); earlier than 1970 is refused too. */
export const MAX_TIME_MS = 32_503_680_000_000;

export const FORMATS = ['networkflow', 'ecs'] as const;
export type Format = (typeof FORMATS)[number];

export interface NormalizeOptions {
  /** `""`/undefined: from the context, else by record shape; or a forced vendor/endpoint. */
  vendor?: string;
  format?: string;
  keepRaw?: boolean;
  /** Comma-separated CIDRs (or a list); empty = RFC 1918, 100.64/10, fc00::/7. */
  internalNetworks?: string | readonly string[];
}

export interface NormalizeResult<T = NetworkFlow | EcsDocument> {
  records: T[];
  invalid: InvalidRecord[];
}

const NORMALIZERS: Readonly<Record<VendorEndpoint, RecordNormalizer>> = {
  'citrix-sdwan/flows': sdwanFlow,
  'citrix-sdwan/ilbflows': sdwanIlbFlow,
  'firewalla/flows': firewallaFlow,
  'riverbed-flowgateway/import_stats': flowGatewayStat,
};

/** The normalizer for a `vendor/endpoint` text, or undefined. */
export function normalizerFor(vendorEndpoint: string): RecordNormalizer | undefined {
  return (ENDPOINTS as readonly string[]).includes(vendorEndpoint) ? NORMALIZERS[vendorEndpoint as VendorEndpoint] : undefined;
}

/**
 * Recognises a record by its fields (for records that came from a file, MQTT, an http request):
 * SD-WAN flows have `dest_ip`/`ipp`, ilbflows `lanip`/`wanip`/`wanlink`, FlowGateway
 * `n_flows`/`peak_n_flows`, Firewalla `gid`/`device`/`upload`/`download`/`block`.
 */
export function detectEndpoint(r: VendorRecord): VendorEndpoint | undefined {
  if (r.dest_ip !== undefined || r.ipp !== undefined || r.src_ip !== undefined) return 'citrix-sdwan/flows';
  if (r.lanip !== undefined || r.wanip !== undefined || r.wanlink !== undefined || r.flowcount !== undefined) {
    return 'citrix-sdwan/ilbflows';
  }
  if (r.n_flows !== undefined || r.peak_n_flows !== undefined || r.n_bytes !== undefined) return 'riverbed-flowgateway/import_stats';
  if (
    r.gid !== undefined ||
    r.device !== undefined ||
    r.upload !== undefined ||
    r.download !== undefined ||
    r.block !== undefined ||
    r.blockType !== undefined
  ) {
    return 'firewalla/flows';
  }
  return undefined;
}

/** The vendor/endpoint a context names, when it is one we normalize. */
export function endpointOfContext(ctx: NormalizeContext | undefined): VendorEndpoint | undefined {
  if (!ctx || typeof ctx.vendor !== 'string') return undefined;
  if (!(VENDORS as readonly string[]).includes(ctx.vendor)) return undefined;
  let endpoint = typeof ctx.endpoint === 'string' ? ctx.endpoint : '';
  // Our FlowGateway node is `riverbed-flowgateway-stats`; accept the resource name or 'stats'.
  if (ctx.vendor === 'riverbed-flowgateway' && (endpoint === '' || endpoint === 'stats')) endpoint = 'import_stats';
  if (ctx.vendor === 'firewalla' && endpoint === '') endpoint = 'flows';
  const key = `${ctx.vendor}/${endpoint}`;
  return normalizerFor(key) ? (key as VendorEndpoint) : undefined;
}

/**
 * The appliance's host name from what a person typed (`https://sdwan.example:8443/x` ->
 * `sdwan.example`, `[2001:db8::1]:443` -> `2001:db8::1`).
 */
export function observerHost(host: unknown): string | undefined {
  if (typeof host !== 'string') return undefined;
  let h = host.trim();
  if (h === '') return undefined;
  h = h.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  // Cut at the first / ? or #: a search, not `[/?#].*$`, which retries from every one of them
  // when a line break stops `.*` short of the end (quadratic).
  const cut = h.search(/[/?#]/);
  if (cut >= 0) h = h.slice(0, cut);
  h = h.replace(/^[^@]*@/, '');
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(1, end).toLowerCase() : h;
  }
  // One colon: host:port. More: a bare IPv6 address.
  const first = h.indexOf(':');
  if (first >= 0 && first === h.lastIndexOf(':')) h = h.slice(0, first);
  return h === '' ? undefined : h.toLowerCase();
}

export function parseVendorOption(vendor: unknown): VendorEndpoint | undefined {
  if (vendor === undefined || vendor === null || vendor === '') return undefined;
  if (typeof vendor !== 'string' || !normalizerFor(vendor)) {
    throw new BadInputError('vendor', `${JSON.stringify(vendor)} is not one of "" (automatic), ${ENDPOINTS.map((e) => `"${e}"`).join(', ')}`);
  }
  return vendor as VendorEndpoint;
}

export function parseFormatOption(format: unknown): Format {
  if (format === undefined || format === null || format === '') return 'networkflow';
  if (typeof format !== 'string' || !(FORMATS as readonly string[]).includes(format)) {
    throw new BadInputError('format', `${JSON.stringify(format)} is not "networkflow" or "ecs"`);
  }
  return format as Format;
}

export function parseInternalNetworks(v: unknown): CidrRange[] {
  if (v === undefined || v === null) return parseCidrList('');
  if (typeof v !== 'string' && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
    throw new BadInputError('internalNetworks', 'expected comma-separated CIDRs such as 10.0.0.0/8, fd00::/8');
  }
  try {
    return parseCidrList(v);
  } catch (err) {
    throw new BadInputError('internalNetworks', (err as Error).message);
  }
}

export class Normalizer {
  readonly forced: VendorEndpoint | undefined;
  readonly format: Format;
  readonly keepRaw: boolean;
  readonly internal: readonly CidrRange[];
  /**
   * One reader for every batch (a batch is mapped synchronously, so there is no overlap); see
   * docs/performance.md#one-reader-per-normalizer.
   */
  private readonly reader: Reader;

  /** Throws `BadInputError` naming the option when one is wrong. */
  constructor(options: NormalizeOptions = {}) {
    this.forced = parseVendorOption(options.vendor);
    this.format = parseFormatOption(options.format);
    this.keepRaw = options.keepRaw === true;
    this.internal = parseInternalNetworks(options.internalNetworks);
    this.reader = new Reader(this.internal);
  }

  /** Normalizes a batch to NetworkFlow records, whatever the `format` option. */
  toNetworkFlows(records: readonly unknown[], context: NormalizeContext = {}, now = systemClock.now()): NormalizeResult<NetworkFlow> {
    const reader = this.reader;
    reader.begin();
    const fetchedAt = typeof context.fetchedAt === 'number' && Number.isFinite(context.fetchedAt) ? context.fetchedAt : now;
    const batch: BatchContext = {
      observer: observerHost(context.host),
      fetchedAt,
      // ECS keeps the raw record as `event.original`, so it needs it whatever happens after.
      keepRaw: this.keepRaw,
      queryEnd: queryEndMs(typeof context.query === 'string' ? context.query : undefined),
      blockedQuery: context.blocked === true,
      reader,
    };
    // docs/fleets.md#tagging: a fleet node's site goes on every record of its message.
    const site = typeof context.site === 'string' && context.site.trim() !== '' ? context.site.slice(0, 128) : undefined;
    const fixed = this.forced ?? endpointOfContext(context);
    const fixedFn = fixed === undefined ? undefined : NORMALIZERS[fixed];
    const n = records.length;
    // Sized once (trimmed at the end) rather than grown by push.
    const out: NetworkFlow[] = new Array<NetworkFlow>(n);
    let kept = 0;
    const invalid: InvalidRecord[] = [];
    for (let i = 0; i < n; i++) {
      const r = records[i];
      if (r === null || typeof r !== 'object' || Array.isArray(r)) {
        invalid.push({ index: i, reason: `expected a record object, got ${r === null ? 'null' : Array.isArray(r) ? 'an array' : typeof r}` });
        continue;
      }
      let fn = fixedFn;
      // network-flow-collector records are NetworkFlow already, whatever the batch says.
      if (isCollectorFlow(r as VendorRecord)) fn = collectorFlow;
      else if (fn === undefined) {
        const ep = detectEndpoint(r as VendorRecord);
        if (ep === undefined) {
          invalid.push({
            index: i,
            reason: 'unrecognised record: not SD-WAN flows/ilbflows, Firewalla flows or FlowGateway import_stats (set the vendor option to force one)',
          });
          continue;
        }
        fn = NORMALIZERS[ep];
      }
      // A raw record goes out whole (and into ECS `event.original` as JSON): refuse nesting
      // that would overflow the stack of whatever serializes or clones it.
      if (this.keepRaw && nestsDeeperThan(r)) {
        invalid.push({ index: i, reason: `record: nested more than ${MAX_NESTING} levels deep` });
        continue;
      }
      reader.error = undefined;
      let flow: NetworkFlow | undefined;
      try {
        flow = fn(r as VendorRecord, batch);
      } catch (err) {
        // The mappers report problems through the reader and should never throw; if one does
        // (a getter on a hand-built record, say), that record is reported, not the batch lost.
        invalid.push({ index: i, reason: `could not be normalized: ${err instanceof Error ? err.message : typeof err}` });
        continue;
      }
      if (flow === undefined || reader.error !== undefined) {
        invalid.push({ index: i, reason: reader.error ?? 'could not be normalized' });
        continue;
      }
      // Out-of-range times (nanoseconds read as seconds, a huge duration) are reported here,
      // once for every vendor, before `new Date(ts)` in ECS or downstream can throw on them.
      if (!(flow.ts >= 0 && flow.ts <= MAX_TIME_MS) || (flow.start !== undefined && !(flow.start >= 0 && flow.start <= MAX_TIME_MS))) {
        const [field, v] = flow.ts >= 0 && flow.ts <= MAX_TIME_MS ? ['start', flow.start] : ['ts', flow.ts];
        invalid.push({ index: i, reason: `${field}: ${String(v)} ms is not a time from 1970 to 3000` });
        continue;
      }
      if (site !== undefined) flow.observerSite = site;
      out[kept++] = flow;
    }
    out.length = kept;
    return { records: out, invalid };
  }

  /** Normalizes a batch to the configured format. */
  normalize(records: readonly unknown[], context: NormalizeContext = {}, now = systemClock.now()): NormalizeResult {
    const res = this.toNetworkFlows(records, context, now);
    if (this.format === 'networkflow') return res;
    const docs: EcsDocument[] = new Array<EcsDocument>(res.records.length);
    for (let i = 0; i < docs.length; i++) docs[i] = toEcs(res.records[i]!);
    return { records: docs, invalid: res.invalid };
  }
}

/** Array-valued keys vendor response bodies wrap their records in. */
const WRAPPERS = ['results', 'flows', 'ilbflows', 'DisplayStats'] as const;

/**
 * The records of a payload: an array as it is; a vendor response body (`{results: [...]}`,
 * `{flows: [...]}`, `{flows: {flows: [...]}}`, `{DisplayStats: [...]}`) unwrapped; any other
 * object as one record. Undefined for anything else.
 */
export function recordsOf(payload: unknown): unknown[] | undefined {
  if (Array.isArray(payload)) return payload as unknown[];
  if (payload === null || typeof payload !== 'object') return undefined;
  const o = payload as Record<string, unknown>;
  for (const k of WRAPPERS) {
    const v = o[k];
    if (Array.isArray(v)) return v as unknown[];
    if (v !== null && typeof v === 'object' && Array.isArray((v as Record<string, unknown>)[k])) return (v as Record<string, unknown[]>)[k];
  }
  return [payload];
}

/** One-shot helper: `normalize(records, {vendor: 'citrix-sdwan', endpoint: 'flows', ...})`. */
export function normalize(records: readonly unknown[], context: NormalizeContext = {}, options: NormalizeOptions = {}, now = systemClock.now()): NormalizeResult {
  return new Normalizer(options).normalize(records, context, now);
}

export type { Vendor };
