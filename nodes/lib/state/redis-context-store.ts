/**
 * A Node-RED context store on Redis (docs/state.md#the-redis-context-store), named in settings.js:
 *
 *   contextStorage: { shared: { module: require('node-red-contrib-network-flows/dist/nodes/lib/state').redisContextStore,
 *                               config: { url: 'redis://127.0.0.1:6379', prefix: 'nodered' } } }
 *
 * Node-RED calls the exported function with `config` and then `open()`; `get`, `set`, `keys`,
 * `delete` and `clean` are its context store API (asynchronous only: a `get` without a callback
 * throws). Each scope is one hash `<prefix>:ctx:<scope>`, each top-level key one field holding
 * JSON; `<prefix>:scopes` lists the scopes for `clean`. The same connection also serves the
 * leases and once-only claims of docs/state.md#coordination-api (`lease`, `release`, `claim`).
 *
 * Plain library code: no Node-RED import (docs/decisions/0001-library-without-node-red.md).
 */
import { createClient } from '@redis/client';
import { BadInputError, redact } from '../errors';
import { getPath, parseContextKey, setPath } from './context-path';

export interface RedisStoreConfig {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS; default redis://127.0.0.1:6379. */
  url?: string;
  /** Prefix of every key this store writes (several Node-RED setups can share one Redis); default `nodered`. */
  prefix?: string;
  /** Connection timeout in ms; default 5000. */
  connectTimeout?: number;
  /** Called with each connection error (credentials removed); default: none. */
  onError?: (message: string) => void;
}

type Callback = (err: Error | null | undefined, ...values: unknown[]) => void;

/** What the leases of docs/state.md#coordination-api need from a shared store. */
export interface LeaseBackend {
  /** Takes the lease when free, renews it when `owner` holds it: true when `owner` holds it now. */
  lease(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up when `owner` holds it. */
  release(key: string, owner: string): Promise<void>;
  /** True for the first caller of `key` within `ttlMs`, false for every later one. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** The current holder of a lease (diagnostics, tests). */
  holder(key: string): Promise<string | null>;
}

export interface RedisContextStore extends LeaseBackend {
  open(): Promise<void>;
  close(): Promise<void>;
  get(scope: string, key: string | string[], callback?: Callback): void;
  set(scope: string, key: string | string[], value: unknown, callback?: (err?: Error | null) => void): void;
  keys(scope: string, callback?: (err: Error | null | undefined, keys?: string[]) => void): void;
  delete(scope: string): Promise<void>;
  clean(activeNodes: string[]): Promise<void>;
}

// Takes a free lease or renews one `owner` holds, atomically.
const LEASE_SCRIPT = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const REGISTRY = Symbol.for('node-red-contrib-network-flows.redis-context-stores');
type Registry = WeakMap<object, RedisContextStore>;
function registry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>;
  return (g[REGISTRY] ??= new WeakMap());
}

/**
 * The store Node-RED created from this `config` object (the one in settings.js `contextStorage`),
 * if it is a Redis context store of this package: how nodes find the leases of a named store.
 */
export function redisStoreFor(config: unknown): RedisContextStore | undefined {
  return config !== null && typeof config === 'object' ? registry().get(config) : undefined;
}

function checkConfig(config: RedisStoreConfig): { url: string; prefix: string; connectTimeout: number } {
  const url = config.url ?? 'redis://127.0.0.1:6379';
  if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) throw new BadInputError('url', 'expected redis://host:port or rediss://host:port');
  const prefix = config.prefix ?? 'nodered';
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.length > 100) throw new BadInputError('prefix', 'expected 1 to 100 characters');
  const connectTimeout = config.connectTimeout ?? 5000;
  if (!Number.isInteger(connectTimeout) || connectTimeout < 1 || connectTimeout > 600_000) throw new BadInputError('connectTimeout', 'expected milliseconds from 1 to 600000');
  return { url, prefix, connectTimeout };
}

/** The URL without its user and password, for messages. */
function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'the configured URL';
  }
}

function passwordOf(url: string): string | undefined {
  try {
    const p = new URL(url).password;
    return p ? decodeURIComponent(p) : undefined;
  } catch {
    return undefined;
  }
}

/** The function Node-RED calls with the store's `config` (see the file comment). */
export function redisContextStore(config: RedisStoreConfig = {}): RedisContextStore {
  const { url, prefix, connectTimeout } = checkConfig(config);
  const secrets = [url, passwordOf(url)];
  const scrub = (e: unknown): Error => new Error(redact(e instanceof Error ? e.message : String(e), secrets));
  // Commands fail at once while the connection is down (no offline queue): a lease must not be
  // granted late, and a flow must not wait on a Redis that is gone.
  // The first connection must succeed (Node-RED then reports a store it cannot open at start);
  // after that, a lost connection is retried with backoff up to 5 s between tries.
  let connected = false;
  const reconnectStrategy = (retries: number, cause: Error): number | Error => (connected ? Math.min(100 * 2 ** retries, 5000) : scrub(cause));
  const client = createClient({ url, disableOfflineQueue: true, socket: { connectTimeout, reconnectStrategy } });
  client.on('ready', () => {
    connected = true;
  });
  client.on('error', (e: unknown) => config.onError?.(scrub(e).message));
  const hash = (scope: string): string => `${prefix}:ctx:${scope}`;
  const scopes = `${prefix}:scopes`;
  const cmd = async <T>(args: string[]): Promise<T> => {
    try {
      return await client.sendCommand<T>(args);
    } catch (e) {
      throw scrub(e);
    }
  };

  async function getOne(scope: string, key: string): Promise<unknown> {
    const [head, ...rest] = parseContextKey(key);
    const raw = await cmd<string | null>(['HGET', hash(scope), String(head)]);
    if (raw === null) return undefined;
    return getPath(JSON.parse(raw), rest);
  }

  async function setOne(scope: string, key: string, value: unknown): Promise<void> {
    const [head, ...rest] = parseContextKey(key);
    const field = String(head);
    let top = value;
    if (rest.length > 0) {
      // A nested write reads, changes and writes the top-level value (not atomic across instances).
      const raw = await cmd<string | null>(['HGET', hash(scope), field]);
      top = setPath(raw === null ? undefined : JSON.parse(raw), rest, value);
    }
    if (top === undefined) {
      await cmd(['HDEL', hash(scope), field]);
      return;
    }
    await cmd(['SADD', scopes, scope]);
    await cmd(['HSET', hash(scope), field, JSON.stringify(top)]);
  }

  const store: RedisContextStore = {
    async open() {
      try {
        await client.connect();
      } catch (e) {
        throw new Error(`Redis context store: cannot connect to ${shownUrl(url)}: ${scrub(e).message}`);
      }
    },
    async close() {
      if (client.isOpen) await client.close();
      else client.destroy();
    },
    get(scope, key, callback) {
      if (typeof callback !== 'function') throw new Error('the Redis context store is asynchronous: call get with a callback');
      const keys = Array.isArray(key) ? key : [key];
      void Promise.all(keys.map((k) => getOne(scope, k))).then(
        (values) => callback(null, ...values),
        (e: unknown) => callback(e as Error),
      );
    },
    set(scope, key, value, callback) {
      const keys = Array.isArray(key) ? key : [key];
      const values = Array.isArray(key) ? (Array.isArray(value) ? value : [value]) : [value];
      const run = async (): Promise<void> => {
        for (let i = 0; i < keys.length; i++) await setOne(scope, keys[i]!, values[i]);
      };
      void run().then(
        () => callback?.(null),
        (e: unknown) => (callback ? callback(e as Error) : config.onError?.((e as Error).message)),
      );
    },
    keys(scope, callback) {
      if (typeof callback !== 'function') throw new Error('the Redis context store is asynchronous: call keys with a callback');
      void cmd<string[]>(['HKEYS', hash(scope)]).then((k) => callback(null, k), (e: unknown) => callback(e as Error));
    },
    async delete(scope) {
      await cmd(['DEL', hash(scope)]);
      await cmd(['SREM', scopes, scope]);
    },
    async clean(activeNodes) {
      // As Node-RED's own stores: node scopes (`<node id>:<flow id>`) of nodes no longer deployed go.
      const active = new Set(activeNodes);
      for (const scope of await cmd<string[]>(['SMEMBERS', scopes])) {
        if (scope === 'global' || !scope.includes(':')) continue;
        if (!active.has(scope.split(':')[0]!)) await store.delete(scope);
      }
    },
    async lease(key, owner, ttlMs) {
      return (await cmd<number>(['EVAL', LEASE_SCRIPT, '1', `${prefix}:lease:${key}`, owner, String(Math.ceil(ttlMs))])) === 1;
    },
    async release(key, owner) {
      await cmd(['EVAL', RELEASE_SCRIPT, '1', `${prefix}:lease:${key}`, owner]);
    },
    async claim(key, ttlMs) {
      return (await cmd<string | null>(['SET', `${prefix}:once:${key}`, '1', 'NX', 'PX', String(Math.ceil(ttlMs))])) === 'OK';
    },
    async holder(key) {
      return cmd<string | null>(['GET', `${prefix}:lease:${key}`]);
    },
  };
  registry().set(config, store);
  return store;
}
