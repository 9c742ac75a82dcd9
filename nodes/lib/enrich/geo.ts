/**
 * Country and autonomous system databases (docs/enrich.md#databases): MaxMind DB files
 * (`.mmdb`: GeoLite2, DB-IP, ip-location-db, IPinfo Lite), read with the `maxmind` reader, and
 * range CSV files (`first,last,asn,organisation` or `first,last,country`, as the
 * `@ip-location-db` packages ship them), held as sorted typed arrays and bisected.
 *
 * Both kinds are read whole into memory at deploy, so a lookup never touches the disk. A
 * missing, unreadable or corrupt file is a `BadInputError` naming the node property.
 */
import fs from 'node:fs/promises';
import { Reader } from 'maxmind';
import { BadInputError } from '../errors';
import { ipv4Value, parseIp, type ParsedIp } from '../ip';
import { splitCsvLine } from './names';

export interface GeoInfo {
  country?: string;
  as?: number;
  asOrg?: string;
}

export interface GeoDatabase {
  readonly file: string;
  readonly kind: 'mmdb' | 'csv';
  /** What the file holds, for status texts: `GeoLite2-ASN`, `csv: 411960 ranges`... */
  readonly description: string;
  lookup(ip: ParsedIp): GeoInfo | undefined;
}

const MAX_ORG = 200;
const COUNTRY = /^[A-Za-z]{2}$/;
/** CSV lines parsed between two yields to the event loop while a large file loads. */
const LINES_PER_SLICE = 20_000;

/** Reads a file for `field`, turning every file-system error into a coded one. */
export async function readDatabaseFile(file: string, field: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a folder' : (err as Error).message;
    throw new BadInputError(field, `cannot read "${file}": ${why}`);
  }
}

function asNumber(x: unknown): number | undefined {
  if (typeof x === 'string' && /^(AS)?\d{1,10}$/i.test(x)) x = Number(x.replace(/^AS/i, ''));
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xffffffff ? x : undefined;
}

function orgText(x: unknown): string | undefined {
  if (typeof x !== 'string') return undefined;
  const t = x.trim();
  return t === '' ? undefined : t.length > MAX_ORG ? t.slice(0, MAX_ORG) : t;
}

function countryCode(x: unknown): string | undefined {
  return typeof x === 'string' && COUNTRY.test(x) ? x.toUpperCase() : undefined;
}

type Obj = Record<string, unknown>;
const obj = (x: unknown): Obj | undefined => (typeof x === 'object' && x !== null ? (x as Obj) : undefined);

/**
 * The fields we use, from the record layouts of the common MaxMind DB files: GeoLite2 / DB-IP
 * Country and City (`country.iso_code`, else `registered_country.iso_code`), GeoLite2 / DB-IP
 * ASN (`autonomous_system_number`, `autonomous_system_organization`), ip-location-db
 * (`country_code`) and IPinfo Lite (`asn: "AS15169"`, `as_name`).
 */
export function geoFromMmdbRecord(data: unknown): GeoInfo | undefined {
  const d = obj(data);
  if (!d) return undefined;
  const out: GeoInfo = {};
  const country = countryCode(obj(d.country)?.iso_code) ?? countryCode(obj(d.registered_country)?.iso_code) ?? countryCode(d.country_code);
  const as = asNumber(d.autonomous_system_number) ?? asNumber(d.asn);
  const asOrg = orgText(d.autonomous_system_organization) ?? orgText(d.as_name) ?? orgText(d.asn_org);
  if (country !== undefined) out.country = country;
  if (as !== undefined) out.as = as;
  if (asOrg !== undefined) out.asOrg = asOrg;
  return out.country === undefined && out.as === undefined && out.asOrg === undefined ? undefined : out;
}

export function openMmdb(file: string, buffer: Buffer, field: string): GeoDatabase {
  let reader: Reader<Obj>;
  try {
    reader = new Reader<Obj>(buffer);
    // A damaged search tree or data section shows on the first lookups: try both families.
    reader.get('8.8.8.8');
    if (reader.metadata.ipVersion === 6) reader.get('2001:4860:4860::8888');
  } catch (err) {
    throw new BadInputError(field, `"${file}" is not a readable MaxMind DB file (${(err as Error).message})`);
  }
  const v6 = reader.metadata.ipVersion === 6;
  return {
    file,
    kind: 'mmdb',
    description: reader.metadata.databaseType,
    lookup(ip) {
      if (ip.version === 6 && !v6) return undefined;
      try {
        return geoFromMmdbRecord(reader.get(ip.text));
      } catch {
        // A damaged part of the tree: no data for this address rather than a failed record.
        return undefined;
      }
    },
  };
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Range CSV: `first,last,asn[,organisation]` or `first,last,country`, addresses as text, one
 * range a line, no header. Lines are parsed in slices with a yield between them, so loading a
 * 400,000-line file never blocks the event loop for long.
 */
export async function openRangeCsv(file: string, text: string, field: string): Promise<GeoDatabase> {
  const starts4: number[] = [];
  const ends4: number[] = [];
  const values4: number[] = [];
  const starts6: bigint[] = [];
  const ends6: bigint[] = [];
  const values6: number[] = [];
  const infos: GeoInfo[] = [];
  const interned = new Map<string, number>();
  let pos = 0;
  let line = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    const raw = text.slice(pos, end).trim();
    pos = end + 1;
    line++;
    if (line % LINES_PER_SLICE === 0) await yieldToLoop();
    if (raw === '' || raw.startsWith('#')) continue;
    const bad = (why: string): never => {
      throw new BadInputError(field, `"${file}" line ${line}: ${why}`);
    };
    // The first three columns are never quoted: find them with indexOf, and split (quotes and
    // all) only the organisation.
    const c1 = raw.indexOf(',');
    const c2 = c1 < 0 ? -1 : raw.indexOf(',', c1 + 1);
    if (c2 < 0) bad('expected first,last,asn[,organisation] or first,last,country');
    const c3 = raw.indexOf(',', c2 + 1);
    const a = raw.slice(0, c1);
    const b = raw.slice(c1 + 1, c2);
    const value = raw.slice(c2 + 1, c3 < 0 ? raw.length : c3).trim();
    let org: string | undefined;
    if (c3 >= 0) {
      const rest = raw.slice(c3 + 1);
      org = rest.startsWith('"') ? splitCsvLine(rest)?.[0] : rest;
      if (org === undefined) bad('the organisation\'s quotes are not closed');
    }
    const first = address(a);
    const last = address(b);
    if (!first || !last || first.version !== last.version || last.value < first.value) bad(`"${a}" to "${b}" is not an address range`);
    let key: string;
    let info: GeoInfo;
    const country = c3 < 0 ? countryCode(value) : undefined;
    if (country !== undefined) {
      key = country;
      info = { country };
    } else {
      const as = asNumber(value);
      if (as === undefined) bad(`"${value}" is neither an AS number nor a two-letter country code`);
      const asOrg = orgText(org);
      key = `${as}\u0000${asOrg ?? ''}`;
      info = asOrg === undefined ? { as: as! } : { as: as!, asOrg };
    }
    let index = interned.get(key);
    if (index === undefined) {
      index = infos.push(Object.freeze(info)) - 1;
      interned.set(key, index);
    }
    if (first!.version === 4) {
      starts4.push(first!.value as number);
      ends4.push(last!.value as number);
      values4.push(index);
    } else {
      starts6.push(first!.value as bigint);
      ends6.push(last!.value as bigint);
      values6.push(index);
    }
  }
  if (starts4.length + starts6.length === 0) throw new BadInputError(field, `"${file}" holds no address ranges`);
  const v4 = sorted4(starts4, ends4, values4);
  const v6 = sorted6(starts6, ends6, values6);
  return {
    file,
    kind: 'csv',
    description: `csv: ${starts4.length + starts6.length} ranges`,
    lookup(ip) {
      if (ip.version === 4) {
        const i = lastAtMost4(v4.starts, ip.value as number);
        return i >= 0 && (ip.value as number) <= v4.ends[i]! ? infos[v4.values[i]!] : undefined;
      }
      const value = ip.value as bigint;
      let lo = 0;
      let hi = v6.starts.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if (v6.starts[mid]! <= value) (found = mid), (lo = mid + 1);
        else hi = mid - 1;
      }
      return found >= 0 && value <= v6.ends[found]! ? infos[v6.values[found]!] : undefined;
    },
  };
}

/** An address column: a canonical dotted quad without allocation, anything else through `parseIp`. */
function address(text: string): ParsedIp | undefined {
  const v4 = ipv4Value(text);
  return v4 >= 0 ? { version: 4, text, value: v4 } : parseIp(text);
}

/** Index of the last start <= v, or -1. */
function lastAtMost4(starts: Float64Array, v: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! <= v) (found = mid), (lo = mid + 1);
    else hi = mid - 1;
  }
  return found;
}

function order<T extends number | bigint>(starts: T[]): number[] {
  const idx = starts.map((_, i) => i);
  for (let i = 1; i < starts.length; i++) if (starts[i]! < starts[i - 1]!) return idx.sort((x, y) => (starts[x]! < starts[y]! ? -1 : starts[x]! > starts[y]! ? 1 : 0));
  return idx;
}

function sorted4(starts: number[], ends: number[], values: number[]): { starts: Float64Array; ends: Float64Array; values: Uint32Array } {
  const idx = order(starts);
  return {
    starts: Float64Array.from(idx, (i) => starts[i]!),
    ends: Float64Array.from(idx, (i) => ends[i]!),
    values: Uint32Array.from(idx, (i) => values[i]!),
  };
}

function sorted6(starts: bigint[], ends: bigint[], values: number[]): { starts: bigint[]; ends: bigint[]; values: Uint32Array } {
  const idx = order(starts);
  return { starts: idx.map((i) => starts[i]!), ends: idx.map((i) => ends[i]!), values: Uint32Array.from(idx, (i) => values[i]!) };
}

/** Opens a database file by its content: MaxMind DB when it carries the metadata marker, else range CSV. */
export async function openGeoDatabase(file: string, field: string): Promise<GeoDatabase> {
  const buffer = await readDatabaseFile(file, field);
  if (buffer.length === 0) throw new BadInputError(field, `"${file}" is empty`);
  if (/\.mmdb$/i.test(file) || buffer.includes(MMDB_METADATA_MARKER)) return openMmdb(file, buffer, field);
  if (buffer.includes(0)) throw new BadInputError(field, `"${file}" is neither a MaxMind DB file nor a range CSV`);
  return openRangeCsv(file, buffer.toString('utf8'), field);
}

/** The MaxMind DB format's metadata marker: 0xABCDEF followed by "MaxMind.com". */
const MMDB_METADATA_MARKER = Buffer.concat([Buffer.from([0xab, 0xcd, 0xef]), Buffer.from('MaxMind.com')]);

/**
 * The files of the optional default databases, when installed (docs/enrich.md#the-default-databases):
 * country from `@ip-location-db/geo-whois-asn-country-mmdb` (CC0 / CC BY 4.0 NRO) and AS numbers
 * and organisations from `@ip-location-db/asn` (CC BY 4.0, DB-IP and RouteViews).
 */
export const DEFAULT_DATABASES = [
  '@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb',
  '@ip-location-db/asn/asn-ipv4.csv',
  '@ip-location-db/asn/asn-ipv6.csv',
] as const;

/** Paths of the installed default databases; `missing` lists the packages not installed. */
export function findDefaultDatabases(resolve: (id: string) => string = require.resolve): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing = new Set<string>();
  for (const id of DEFAULT_DATABASES) {
    try {
      files.push(resolve(id));
    } catch {
      missing.add(id.split('/').slice(0, 2).join('/'));
    }
  }
  return { files, missing: [...missing] };
}

/**
 * Databases already loaded, by path, with the file signature (mtime, size, inode) they were
 * read at: every enrich node and every redeploy shares one copy of a large file, read once per
 * change of the file.
 */
const shared = new Map<string, { signature: string; db: Promise<GeoDatabase> }>();

export function openSharedGeoDatabase(file: string, field: string, signature: string): Promise<GeoDatabase> {
  const hit = shared.get(file);
  if (hit && hit.signature === signature && !signature.startsWith('missing:')) return hit.db;
  const db = openGeoDatabase(file, field);
  shared.set(file, { signature, db });
  // A failed load is not kept: the next deploy or check tries again.
  db.catch(() => {
    if (shared.get(file)?.db === db) shared.delete(file);
  });
  return db;
}
