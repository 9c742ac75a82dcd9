import type { NetworkFlow, Vendor } from '../network-flow';
import type { Reader } from './reader';

/** A vendor record as it arrived (field names and values as the vendor sent them). */
export type VendorRecord = Record<string, unknown>;

/** Where a batch came from: `msg.networkFlows` of our vendor nodes, or what the node assumes. */
export interface NormalizeContext {
  vendor?: Vendor;
  endpoint?: string;
  /** The appliance / MSP / device host as configured (`https://msp.firewalla.net/`, `10.1.2.3:8443`). */
  host?: string;
  /** Epoch ms when the response arrived; the node's receive time when missing. */
  fetchedAt?: number;
  /** Firewalla: the search query of the request; `ts:<begin>-<end>` dates grouped rows. */
  query?: string;
  /** Firewalla: the request asked for blocked flows only (`status:blocked`). */
  blocked?: boolean;
  /** The site of a fleet node's message (site list name or Firewalla box): every record's `observerSite`. */
  site?: string;
}

/** What a record normalizer needs besides the record; built once per batch. */
export interface BatchContext {
  observer: string | undefined;
  fetchedAt: number;
  keepRaw: boolean;
  /** Firewalla grouped rows: end of the query's `ts:` range, in ms, when there is one. */
  queryEnd: number | undefined;
  /** Firewalla: every record of the batch is a blocked flow (the request asked for those). */
  blockedQuery: boolean;
  reader: Reader;
}

/** Maps one record; on a problem sets `ctx.reader.error` (the result is then discarded). */
export type RecordNormalizer = (r: VendorRecord, ctx: BatchContext) => NetworkFlow | undefined;

export const ENDPOINTS = [
  'citrix-sdwan/flows',
  'citrix-sdwan/ilbflows',
  'firewalla/flows',
  'riverbed-flowgateway/import_stats',
] as const;
export type VendorEndpoint = (typeof ENDPOINTS)[number];

export type { InvalidRecord } from '../validate';
