/**
 * Options of the enrich engine and node, checked once at deploy (docs/design.md#network-flow-enrich).
 * Every bad value is a `BadInputError` naming the property and what was expected.
 */
import { z } from 'zod';
import { BadInputError } from '../errors';
import { parseDnsServers } from './reverse-dns';

export const GEO_MODES = ['default', 'files', 'off'] as const;
export type GeoMode = (typeof GEO_MODES)[number];

export interface EnrichOptions {
  /** `default`: the optional npm databases; `files`: `countryFile` / `asnFile`; `off`: none. */
  geo: GeoMode;
  countryFile: string;
  asnFile: string;
  /** The table typed in the dialog (CSV lines). */
  names: string;
  /** A CSV or JSON name table on disk; entries here win over the dialog's for the same key. */
  namesFile: string;
  reverseDns: boolean;
  dnsServers: string[];
  dnsTimeout: number;
  dnsInFlight: number;
  /** Seconds a PTR answer is kept. */
  dnsTtl: number;
  dnsCacheSize: number;
  /** Seconds between checks of the files for changes; 0: never. */
  reload: number;
  /** Addresses whose enrichment is cached. */
  cacheSize: number;
}

export type EnrichOptionsInput = { [K in keyof EnrichOptions]?: unknown };

export const DEFAULTS: EnrichOptions = {
  geo: 'default',
  countryFile: '',
  asnFile: '',
  names: '',
  namesFile: '',
  reverseDns: false,
  dnsServers: [],
  dnsTimeout: 2000,
  dnsInFlight: 16,
  dnsTtl: 3600,
  dnsCacheSize: 10_000,
  reload: 60,
  cacheSize: 100_000,
};

/** Integer bounds per numeric property (also shown by the editor's validation). */
export const LIMITS = {
  dnsTimeout: [100, 30_000],
  dnsInFlight: [1, 256],
  dnsTtl: [1, 604_800],
  dnsCacheSize: [1, 1_000_000],
  reload: [0, 86_400],
  cacheSize: [1, 10_000_000],
} as const;

const MAX_PATH = 4096;
const MAX_TABLE_TEXT = 4 * 1024 * 1024;

function integer(field: keyof typeof LIMITS, value: unknown): number {
  if (value === undefined || value === null || value === '') return DEFAULTS[field];
  const [min, max] = LIMITS[field];
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d{1,9}\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new BadInputError(field, `expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

function path(field: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new BadInputError(field, `expected a file path, got ${typeof value}`);
  const p = value.trim();
  if (p.length > MAX_PATH || p.includes('\0')) throw new BadInputError(field, 'expected a file path');
  return p;
}

const bool = z.union([z.boolean(), z.enum(['true', 'false', ''])]).optional();

export function parseEnrichOptions(input: EnrichOptionsInput): EnrichOptions {
  const geo = input.geo === undefined || input.geo === '' ? DEFAULTS.geo : input.geo;
  if (typeof geo !== 'string' || !(GEO_MODES as readonly string[]).includes(geo)) {
    throw new BadInputError('geo', `expected default, files or off, got ${JSON.stringify(input.geo)}`);
  }
  const countryFile = path('countryFile', input.countryFile);
  const asnFile = path('asnFile', input.asnFile);
  if (geo === 'files' && countryFile === '' && asnFile === '') {
    throw new BadInputError('countryFile', 'expected the path of a country or AS database (.mmdb or range .csv) when the databases are "files"');
  }
  const names = input.names ?? '';
  if (typeof names !== 'string') throw new BadInputError('names', `expected the table as text, got ${typeof names}`);
  if (names.length > MAX_TABLE_TEXT) throw new BadInputError('names', 'the table is longer than 4 MiB: keep it in a file (namesFile)');
  const reverse = bool.safeParse(input.reverseDns);
  if (!reverse.success) throw new BadInputError('reverseDns', 'expected true or false');
  const servers = input.dnsServers ?? '';
  if (typeof servers !== 'string' && !Array.isArray(servers)) throw new BadInputError('dnsServers', 'expected a comma-separated list of addresses');
  return {
    geo: geo as GeoMode,
    countryFile,
    asnFile,
    names,
    namesFile: path('namesFile', input.namesFile),
    reverseDns: reverse.data === true || reverse.data === 'true',
    dnsServers: parseDnsServers(servers as string | string[]),
    dnsTimeout: integer('dnsTimeout', input.dnsTimeout),
    dnsInFlight: integer('dnsInFlight', input.dnsInFlight),
    dnsTtl: integer('dnsTtl', input.dnsTtl),
    dnsCacheSize: integer('dnsCacheSize', input.dnsCacheSize),
    reload: integer('reload', input.reload),
    cacheSize: integer('cacheSize', input.cacheSize),
  };
}
