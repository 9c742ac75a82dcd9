/**
 * The local name table: addresses, CIDRs and MAC addresses mapped to a name, a site and tags
 * (docs/enrich.md#local-names). Longest prefix wins; a MAC entry beats any address entry.
 *
 * Lookups probe one hash map per prefix length present in the table, longest first, so a
 * lookup costs at most one `Map.get` per distinct length (typically 2 or 3), whatever the size
 * of the table.
 */
import { BadInputError } from '../errors';
import { parseCidr, type ParsedIp } from '../ip';

export interface LocalName {
  name?: string;
  site?: string;
  tags?: readonly string[];
}

/** Longest name, site or tag accepted, and most tags per entry. */
const MAX_TEXT = 200;
const MAX_TAGS = 32;
/** Entries in one table; larger tables are refused rather than slowing every deploy. */
export const MAX_ENTRIES = 1_000_000;

/** `aa:bb:cc:dd:ee:ff`, `aa-bb-...` or Cisco's `aabb.ccdd.eeff`, any case. */
const MAC_SEPARATED = /^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$/;
const MAC_DOTTED = /^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$/;

/** A MAC address in the record's form (upper case, colons), or undefined. */
export function canonicalMac(text: string): string | undefined {
  const s = text.trim();
  let hex: string;
  if (MAC_SEPARATED.test(s)) hex = s.replace(/[:-]/g, '');
  else if (MAC_DOTTED.test(s)) hex = s.replace(/\./g, '');
  else return undefined;
  return hex.toUpperCase().match(/../g)!.join(':');
}

export class NameTable {
  /** Prefix lengths present, longest first, and one map per length (index = length). */
  private readonly lengths4: number[] = [];
  private readonly lengths6: number[] = [];
  private readonly maps4: Array<Map<number, LocalName> | undefined> = [];
  private readonly maps6: Array<Map<bigint, LocalName> | undefined> = [];
  private readonly macs = new Map<string, LocalName>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /**
   * Adds an entry; returns false when the key is not an address, CIDR or MAC. Throws when the
   * same key was added before (the caller names the line).
   */
  add(key: string, entry: LocalName): boolean {
    const mac = canonicalMac(key);
    if (mac !== undefined) {
      if (this.macs.has(mac)) throw new Error(`${mac} is listed twice`);
      this.macs.set(mac, entry);
      this.count++;
      return true;
    }
    const range = parseCidr(key);
    if (!range) return false;
    if (range.version === 4) {
      const map = (this.maps4[range.prefix] ??= new Map());
      if (map.has(range.first)) throw new Error(`${range.text} is listed twice`);
      map.set(range.first, entry);
      if (!this.lengths4.includes(range.prefix)) this.lengths4.push(range.prefix), this.lengths4.sort((a, b) => b - a);
    } else {
      const map = (this.maps6[range.prefix] ??= new Map());
      if (map.has(range.first)) throw new Error(`${range.text} is listed twice`);
      map.set(range.first, entry);
      if (!this.lengths6.includes(range.prefix)) this.lengths6.push(range.prefix), this.lengths6.sort((a, b) => b - a);
    }
    this.count++;
    return true;
  }

  /**
   * One table holding both: every entry of `top`, and the entries of `base` whose key `top`
   * does not have (so the file's entry wins over the dialog's for the same key).
   */
  static overlay(base: NameTable, top: NameTable): NameTable {
    const out = new NameTable();
    for (const t of [top, base]) {
      for (const [mac, entry] of t.macs) if (!out.macs.has(mac)) out.macs.set(mac, entry), out.count++;
      t.maps4.forEach((map, len) => {
        if (!map) return;
        const into = (out.maps4[len] ??= new Map());
        for (const [k, entry] of map) if (!into.has(k)) into.set(k, entry), out.count++;
        if (!out.lengths4.includes(len)) out.lengths4.push(len);
      });
      t.maps6.forEach((map, len) => {
        if (!map) return;
        const into = (out.maps6[len] ??= new Map());
        for (const [k, entry] of map) if (!into.has(k)) into.set(k, entry), out.count++;
        if (!out.lengths6.includes(len)) out.lengths6.push(len);
      });
    }
    out.lengths4.sort((a, b) => b - a);
    out.lengths6.sort((a, b) => b - a);
    return out;
  }

  /** The entry of the longest prefix holding the address, or undefined. */
  lookupIp(ip: ParsedIp): LocalName | undefined {
    if (ip.version === 4) {
      const v = ip.value as number;
      for (const len of this.lengths4) {
        // Host bits cleared; 2 ** n keeps it exact for /0 and avoids 32-bit shifts going negative.
        const size = 2 ** (32 - len);
        const hit = this.maps4[len]!.get(v - (v % size));
        if (hit !== undefined) return hit;
      }
      return undefined;
    }
    const v = ip.value as bigint;
    for (const len of this.lengths6) {
      const bits = BigInt(128 - len);
      const hit = this.maps6[len]!.get((v >> bits) << bits);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  lookupMac(mac: string): LocalName | undefined {
    if (this.macs.size === 0) return undefined;
    return this.macs.get(mac) ?? this.macs.get(canonicalMac(mac) ?? '');
  }
}

/** One entry as read from a line or a JSON object, before it is checked. */
interface RawEntry {
  key: unknown;
  name: unknown;
  site: unknown;
  tags: unknown;
}

function text(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`${what} must be text, got ${typeof value}`);
  const t = value.trim();
  if (t.length > MAX_TEXT) throw new Error(`${what} is longer than ${MAX_TEXT} characters`);
  return t === '' ? undefined : t;
}

function tagList(value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const items = typeof value === 'string' ? value.split(/[;|]/) : Array.isArray(value) ? value : undefined;
  if (!items) throw new Error(`tags must be text (separated by ";") or a list, got ${typeof value}`);
  const tags = items.map((t) => text(t, 'a tag')).filter((t): t is string => t !== undefined);
  if (tags.length > MAX_TAGS) throw new Error(`at most ${MAX_TAGS} tags`);
  return tags.length ? tags : undefined;
}

function addEntry(table: NameTable, raw: RawEntry): void {
  if (typeof raw.key !== 'string' || raw.key.trim() === '') throw new Error('expected an address, a CIDR or a MAC address first');
  const entry: LocalName = {};
  const name = text(raw.name, 'the name');
  const site = text(raw.site, 'the site');
  const tags = tagList(raw.tags);
  if (name !== undefined) entry.name = name;
  if (site !== undefined) entry.site = site;
  if (tags !== undefined) entry.tags = Object.freeze(tags);
  if (!name && !site && !tags) throw new Error(`"${raw.key.trim()}" has no name, site or tags`);
  if (!table.add(raw.key.trim(), Object.freeze(entry))) {
    throw new Error(`"${raw.key.trim()}" is not an IP address, a CIDR (10.0.0.0/8) or a MAC address (AA:BB:CC:DD:EE:FF)`);
  }
}

/**
 * Splits one CSV line: commas separate, double quotes may enclose a field (`""` is a quote).
 * Linear, no regular expression.
 */
export function splitCsvLine(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return undefined; // unclosed quote
        const c = line[i]!;
        if (c === '"') {
          if (line[i + 1] === '"') (field += '"'), (i += 2);
          else {
            i++;
            break;
          }
        } else (field += c), i++;
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (i < line.length && line[i] !== ',') return undefined;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      field = line.slice(i, end).trim();
      i = end;
    }
    out.push(field);
    if (i >= line.length) return out;
    i++; // the comma
  }
}

/**
 * Reads a name table written as CSV lines `key,name,site,tags` (tags separated by `;`); `#`
 * starts a comment line, blank lines are skipped, and a first line starting with `key` or
 * `address` is a header. Errors name `field` and the 1-based line.
 */
export function parseNameCsv(textIn: string, field: string, table = new NameTable()): NameTable {
  const lines = textIn.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cols = splitCsvLine(line);
    if (!cols) throw new BadInputError(field, `line ${n + 1}: a quoted field is not closed`);
    if (table.size === 0 && /^(key|address|ip|cidr|mac)$/i.test(cols[0]!)) continue;
    if (cols.length > 4) throw new BadInputError(field, `line ${n + 1}: expected at most 4 columns (address, name, site, tags), found ${cols.length}`);
    if (table.size >= MAX_ENTRIES) throw new BadInputError(field, `line ${n + 1}: more than ${MAX_ENTRIES} entries`);
    try {
      addEntry(table, { key: cols[0], name: cols[1], site: cols[2], tags: cols[3] });
    } catch (err) {
      throw new BadInputError(field, `line ${n + 1}: ${(err as Error).message}`);
    }
  }
  return table;
}

/**
 * Reads a name table written as JSON: an array of `{address|cidr|mac|key, name, site, tags}`
 * or an object `{"<key>": {name, site, tags}}` (or `{"<key>": "<name>"}`). Errors name the
 * entry (1-based index or key).
 */
export function parseNameJson(textIn: string, field: string): NameTable {
  let doc: unknown;
  try {
    doc = JSON.parse(textIn);
  } catch (err) {
    throw new BadInputError(field, `not valid JSON: ${(err as Error).message}`);
  }
  const table = new NameTable();
  const add = (where: string, raw: RawEntry): void => {
    if (table.size >= MAX_ENTRIES) throw new BadInputError(field, `${where}: more than ${MAX_ENTRIES} entries`);
    try {
      addEntry(table, raw);
    } catch (err) {
      throw new BadInputError(field, `${where}: ${(err as Error).message}`);
    }
  };
  if (Array.isArray(doc)) {
    doc.forEach((item: unknown, i) => {
      if (typeof item !== 'object' || item === null) throw new BadInputError(field, `entry ${i + 1}: expected an object`);
      const o = item as Record<string, unknown>;
      add(`entry ${i + 1}`, { key: o.key ?? o.address ?? o.cidr ?? o.mac ?? o.ip, name: o.name, site: o.site, tags: o.tags });
    });
  } else if (typeof doc === 'object' && doc !== null) {
    for (const [key, value] of Object.entries(doc)) {
      if (typeof value === 'string') add(`"${key}"`, { key, name: value, site: undefined, tags: undefined });
      else if (typeof value === 'object' && value !== null) {
        const o = value as Record<string, unknown>;
        add(`"${key}"`, { key, name: o.name, site: o.site, tags: o.tags });
      } else throw new BadInputError(field, `"${key}": expected a name or an object {name, site, tags}`);
    }
  } else {
    throw new BadInputError(field, 'expected a JSON array of entries or an object keyed by address');
  }
  return table;
}

/** A file ending in `.json` (or whose text starts with `[` or `{`) is JSON, anything else CSV. */
export function parseNameFile(textIn: string, fileName: string, field: string): NameTable {
  const head = textIn.trimStart()[0];
  if (/\.json$/i.test(fileName) || head === '[' || head === '{') return parseNameJson(textIn, field);
  return parseNameCsv(textIn, field);
}
