/**
 * The enrich engine (docs/enrich.md): adds country, autonomous system, local name, site, tags
 * and (optionally) the reverse-DNS host name to both sides of NetworkFlow records, in place.
 *
 * Per address, the databases and the name table are read once and the result is cached
 * (`TwoGenerationCache`), so a repeated address costs one `Map.get` and a few property writes.
 * Files are checked for changes every `reload` seconds and re-read without a redeploy; a file
 * that fails to re-read keeps the previous data and is reported.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { BadInputError, FlowError } from '../errors';
import { isNonPublicIp, parseIp } from '../ip';
import type { FlowEndpoint } from '../network-flow';
import { TwoGenerationCache } from './cache';
import { findDefaultDatabases, openSharedGeoDatabase, readDatabaseFile, type GeoDatabase, type GeoInfo } from './geo';
import { NameTable, parseNameCsv, parseNameFile, type LocalName } from './names';
import { parseEnrichOptions, type EnrichOptions, type EnrichOptionsInput } from './options';
import { ReverseDns, type DnsTimers } from './reverse-dns';

export interface EnrichTimers extends DnsTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface EnrichDeps {
  now?: () => number;
  timers?: EnrichTimers;
  /** The reverse query (tests may pass their own); default `node:dns` with `dnsServers`. */
  reverse?: (ip: string) => Promise<string[]>;
  /** Finds the default databases' files; default `require.resolve`. */
  resolveModule?: (id: string) => string;
}

/**
 * What one address gets, computed once and cached. Every field is always present (undefined
 * when unknown) so all cached objects share one shape and the hot path stays monomorphic.
 */
interface AddressInfo {
  country: string | undefined;
  as: number | undefined;
  asOrg: string | undefined;
  /** The table entry's fields, copied in so the hot path reads one object. */
  name: string | undefined;
  site: string | undefined;
  tags: readonly string[] | undefined;
  /** Public address: worth a reverse lookup. */
  lookup: boolean;
  /** Any of country, as, asOrg set: most private addresses have none, and skip three tests. */
  geo: boolean;
}

export interface EnrichStats {
  records: number;
  /** Entries in `msg.payload` that were not records. */
  skipped: number;
  cacheHits: number;
  cacheMisses: number;
  reloads: number;
}

export interface ReloadResult {
  /** Files re-read after a change. */
  reloaded: string[];
  /** Files that changed but could not be re-read (their previous data stays in use). */
  errors: FlowError[];
}

interface Tracked {
  file: string;
  field: string;
  signature: string;
}

const NOTHING: AddressInfo = Object.freeze({ country: undefined, as: undefined, asOrg: undefined, name: undefined, site: undefined, tags: undefined, lookup: false, geo: false });
/** Field of the error when the default databases are not installed. */
export const NO_DATABASE_FIELD = 'geo';

async function signature(file: string): Promise<string> {
  try {
    const s = await fs.stat(file);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch (err) {
    return `missing:${(err as NodeJS.ErrnoException).code ?? ''}`;
  }
}

export class Enricher {
  readonly options: EnrichOptions;
  /** Set when `geo` is `default` and the optional database packages are not installed. */
  readonly missingDatabase?: BadInputError;
  private layers: GeoDatabase[] = [];
  private names = new NameTable();
  private readonly tracked: Tracked[] = [];
  private readonly cache: TwoGenerationCache<string, AddressInfo>;
  /** Distinct address answers by content (intern). */
  private readonly interned = new Map<string, AddressInfo>();
  private readonly dns?: ReverseDns;
  private readonly timers: EnrichTimers;
  private watchHandle: unknown;
  private checking?: Promise<ReloadResult>;
  private closed = false;
  private readonly counters: EnrichStats = { records: 0, skipped: 0, cacheHits: 0, cacheMisses: 0, reloads: 0 };
  private lookups = 0;

  private constructor(options: EnrichOptions, deps: EnrichDeps, missing?: BadInputError) {
    this.options = options;
    this.missingDatabase = missing;
    this.cache = new TwoGenerationCache(options.cacheSize);
    this.timers = deps.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
      setInterval: (fn, ms) => setInterval(fn, ms),
      clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
    };
    if (options.reverseDns) {
      this.dns = new ReverseDns({
        servers: options.dnsServers,
        timeoutMs: options.dnsTimeout,
        maxInFlight: options.dnsInFlight,
        ttlMs: options.dnsTtl * 1000,
        cacheSize: options.dnsCacheSize,
        now: deps.now,
        timers: this.timers,
        reverse: deps.reverse,
      });
    }
  }

  /**
   * Checks the options and loads every database and name table. Throws a `FlowError` naming the
   * property for a bad option or a missing or corrupt file. Default databases that are not
   * installed are not an error here: `missingDatabase` says so, and records still get local names.
   */
  static async create(input: EnrichOptionsInput, deps: EnrichDeps = {}): Promise<Enricher> {
    const options = parseEnrichOptions(input);
    const geoFiles: Array<{ file: string; field: string }> = [];
    let missing: BadInputError | undefined;
    if (options.geo === 'default') {
      const found = findDefaultDatabases(deps.resolveModule);
      if (found.missing.length > 0) {
        missing = new BadInputError(
          NO_DATABASE_FIELD,
          `no country or AS database: the optional package${found.missing.length > 1 ? 's' : ''} ${found.missing.join(' and ')} ` +
            `${found.missing.length > 1 ? 'are' : 'is'} not installed. Run "npm install ${found.missing.join(' ')}" in the Node-RED ` +
            'user directory, or choose database files (.mmdb), or turn the databases off',
        );
      } else geoFiles.push(...found.files.map((file) => ({ file, field: NO_DATABASE_FIELD })));
    } else if (options.geo === 'files') {
      if (options.countryFile) geoFiles.push({ file: options.countryFile, field: 'countryFile' });
      if (options.asnFile && options.asnFile !== options.countryFile) geoFiles.push({ file: options.asnFile, field: 'asnFile' });
    }
    const engine = new Enricher(options, deps, missing);
    for (const g of geoFiles) {
      const sig = await signature(g.file);
      engine.layers.push(await openSharedGeoDatabase(g.file, g.field, sig));
      engine.tracked.push({ ...g, signature: sig });
    }
    if (options.namesFile) engine.tracked.push({ file: options.namesFile, field: 'namesFile', signature: await signature(options.namesFile) });
    engine.names = await engine.loadNames();
    return engine;
  }

  /** The dialog's table, then the file's entries (a key in both: the file's entry wins). */
  private async loadNames(): Promise<NameTable> {
    const { names, namesFile } = this.options;
    if (!namesFile) return parseNameCsv(names, 'names');
    const text = (await readDatabaseFile(namesFile, 'namesFile')).toString('utf8');
    const fromFile = parseNameFile(text, path.basename(namesFile), 'namesFile');
    if (names.trim() === '') return fromFile;
    const dialog = parseNameCsv(names, 'names');
    return NameTable.overlay(dialog, fromFile);
  }

  /** What the engine has loaded, for status texts and logs. */
  describe(): { databases: string[]; names: number; reverseDns: boolean } {
    return { databases: this.layers.map((l) => `${path.basename(l.file)} (${l.description})`), names: this.names.size, reverseDns: this.dns !== undefined };
  }

  /** A cache miss: reads the name table and the databases for one address, and caches the answer. */
  private fill(text: string): AddressInfo {
    this.counters.cacheMisses++;
    const ip = parseIp(text);
    let info = NOTHING;
    if (ip) {
      const local = this.names.lookupIp(ip);
      const out: AddressInfo = { country: undefined, as: undefined, asOrg: undefined, name: local?.name, site: local?.site, tags: local?.tags, lookup: false, geo: false };
      if (!isNonPublicIp(ip)) {
        out.lookup = true;
        for (const layer of this.layers) {
          const g: GeoInfo | undefined = layer.lookup(ip);
          if (g === undefined) continue;
          if (out.country === undefined && g.country !== undefined) out.country = g.country;
          if (out.as === undefined && g.as !== undefined) {
            out.as = g.as;
            if (g.asOrg !== undefined) out.asOrg = g.asOrg;
          }
        }
      }
      out.geo = out.country !== undefined || out.as !== undefined || out.asOrg !== undefined;
      info = this.intern(out);
    }
    this.cache.set(text, info);
    return info;
  }

  /**
   * The one object for `info`'s content. Addresses far outnumber their distinct answers (a
   * country and AS, a name-table entry), so the cache's values are a few objects the per-side
   * code reads from the CPU cache, not one object per address (docs/enrich.md#caches). Emptied
   * with the address cache, and whenever it holds more entries than the cache could.
   */
  private intern(info: AddressInfo): AddressInfo {
    // JSON keeps undefined (null in an array) apart from any text, and [] apart from no tags.
    const key = JSON.stringify([info.country, info.as, info.asOrg, info.name, info.site, info.tags, info.lookup]);
    const same = this.interned.get(key);
    if (same !== undefined) return same;
    if (this.interned.size >= 2 * this.options.cacheSize) this.interned.clear();
    this.interned.set(key, info);
    return info;
  }

  /**
   * Enriches one side. Returns true when a reverse lookup is wanted and not cached (the caller
   * then waits for it).
   */
  private side(e: FlowEndpoint & { mac?: string }): boolean {
    const ip = e.ip;
    let local: LocalName | AddressInfo | undefined;
    let wantName = false;
    if (typeof ip === 'string') {
      this.lookups++;
      // Hits are counted as lookups minus misses (stats()), so a hit writes nothing.
      const info = this.cache.get(ip) ?? this.fill(ip);
      if (info.geo) {
        if (info.country !== undefined) e.country = info.country;
        if (info.as !== undefined) e.as = info.as;
        if (info.asOrg !== undefined) e.asOrg = info.asOrg;
      }
      local = info;
      if (info.lookup && this.dns) {
        const name = this.dns.cached(ip);
        if (typeof name === 'string') e.hostname = name;
        else wantName = name === undefined;
      }
    }
    if (typeof e.mac === 'string') local = this.names.lookupMac(e.mac) ?? local;
    if (local !== undefined) {
      if (local.name !== undefined) e.name = local.name;
      if (local.site !== undefined) e.site = local.site;
      if (local.tags !== undefined) e.tags = local.tags.slice();
    }
    return wantName;
  }

  /**
   * Enriches records in place. Entries that are not objects are skipped and counted. Returns a
   * promise only when reverse lookups are outstanding: the host names are then filled in when
   * the lookups answer (or time out), and the promise resolves.
   */
  enrich(records: readonly unknown[]): Promise<void> | undefined {
    let waits: Map<string, FlowEndpoint[]> | undefined;
    for (let i = 0; i < records.length; i++) {
      const rec = records[i];
      if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) {
        this.counters.skipped++;
        continue;
      }
      this.counters.records++;
      const r = rec as { src?: unknown; dst?: unknown };
      const src = r.src;
      const dst = r.dst;
      if (typeof src === 'object' && src !== null && this.side(src)) waits = this.wait(waits, src);
      if (typeof dst === 'object' && dst !== null && this.side(dst)) waits = this.wait(waits, dst);
    }
    if (!waits || !this.dns) return undefined;
    const dns = this.dns;
    return Promise.all(
      [...waits].map(async ([ip, sides]) => {
        const name = await dns.lookup(ip);
        if (name !== null) for (const e of sides) e.hostname = name;
      }),
    ).then(() => undefined);
  }

  /** Notes a side waiting for the reverse lookup of its address. */
  private wait(waits: Map<string, FlowEndpoint[]> | undefined, e: FlowEndpoint): Map<string, FlowEndpoint[]> | undefined {
    if (this.closed) return waits;
    const map = waits ?? new Map<string, FlowEndpoint[]>();
    const list = map.get(e.ip!);
    if (list) list.push(e);
    else map.set(e.ip!, [e]);
    return map;
  }

  stats(): EnrichStats & { cached: number; dns?: ReturnType<ReverseDns['stats']> } {
    return { ...this.counters, cacheHits: this.lookups - this.counters.cacheMisses, cached: this.cache.size, ...(this.dns ? { dns: this.dns.stats() } : {}) };
  }

  /**
   * Re-reads every tracked file whose modification time, size or inode changed. A file that
   * fails keeps its previous data; its error is returned. Concurrent calls share one check.
   */
  checkForChanges(): Promise<ReloadResult> {
    this.checking ??= this.check().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async check(): Promise<ReloadResult> {
    const result: ReloadResult = { reloaded: [], errors: [] };
    let namesChanged = false;
    for (const t of this.tracked) {
      const sig = await signature(t.file);
      if (sig === t.signature || this.closed) continue;
      t.signature = sig;
      if (t.field === 'namesFile') {
        namesChanged = true;
        continue;
      }
      try {
        const db = await openSharedGeoDatabase(t.file, t.field, sig);
        const i = this.layers.findIndex((l) => l.file === t.file);
        if (i >= 0) this.layers[i] = db;
        result.reloaded.push(t.file);
      } catch (err) {
        result.errors.push(err instanceof FlowError ? err : new BadInputError(t.field, String(err)));
      }
    }
    if (namesChanged && !this.closed) {
      try {
        this.names = await this.loadNames();
        result.reloaded.push(this.options.namesFile);
      } catch (err) {
        result.errors.push(err instanceof FlowError ? err : new BadInputError('namesFile', String(err)));
      }
    }
    if (result.reloaded.length > 0) {
      this.cache.clear();
      this.interned.clear();
      this.counters.reloads += result.reloaded.length;
    }
    return result;
  }

  /** Checks the files every `reload` seconds (when > 0) and reports each check that did something. */
  watch(onResult: (result: ReloadResult) => void): void {
    if (this.options.reload === 0 || this.tracked.length === 0 || this.watchHandle !== undefined || this.closed) return;
    this.watchHandle = this.timers.setInterval(() => {
      void this.checkForChanges().then((r) => {
        if (!this.closed && (r.reloaded.length > 0 || r.errors.length > 0)) onResult(r);
      });
    }, this.options.reload * 1000);
  }

  /** Stops the file checks and cancels reverse lookups (they answer "no name"). */
  close(): void {
    this.closed = true;
    if (this.watchHandle !== undefined) this.timers.clearInterval(this.watchHandle);
    this.watchHandle = undefined;
    this.dns?.close();
    this.cache.clear();
    this.interned.clear();
  }
}
