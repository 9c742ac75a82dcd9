/**
 * The coordination API of docs/state.md#coordination-api: what a node asks before it polls a site
 * or emits an alert when the user named a shared context store. With a Redis context store of this
 * package (lib/state/redis-context-store.ts) leases and claims live in Redis; with any other store,
 * or none, every call answers "yes" and the node behaves exactly as it does on its own.
 *
 *   const coord = coordination(RED, store);
 *   if (await coord.acquire(`poll:${node.id}`, ttlMs)) { ...poll... }   // else another instance polls
 *   if (await coord.claim(`alert:${node.id}:${id}`, ttlMs)) send(alert); // else it was sent already
 *   node.on('close', (_r, done) => void coord.close().then(done));      // releases what it holds
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { NodeAPI } from 'node-red';
import { BadInputError } from '../lib/errors';
import type { Clock } from '../lib/clock';
import { Leases, MAX_LEASE_MS, MIN_LEASE_MS, redisStoreFor } from '../lib/state';

export interface Coordination {
  /** True when the named store is shared (Redis): leases and claims are real. */
  readonly shared: boolean;
  /** Takes or renews the lease `key` for `ttlMs`; true when this instance may act for `key` now. */
  acquire(key: string, ttlMs: number): Promise<boolean>;
  /** This instance holds `key` and its lease has not run out on the local clock. */
  isLeader(key: string): boolean;
  /** True for the first instance to claim `key` within `ttlMs` (true when the store is unreachable). */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Gives a lease up. */
  release(key: string): Promise<void>;
  /** Stops renewals and releases every lease this object holds; call it on the node's close. */
  close(): Promise<void>;
}

export interface CoordinationOptions {
  clock?: Clock;
  onChange?: (key: string, leader: boolean) => void;
  onError?: (message: string) => void;
}

/** This process in lease values: host, pid and a random part (two runtimes on one host differ). */
const OWNER = `${os.hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;

const alone: Coordination = {
  shared: false,
  acquire: () => Promise.resolve(true),
  isLeader: () => true,
  claim: () => Promise.resolve(true),
  release: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

/** The settings.js `config` object of the context store named `store` (aliases followed). */
function storeConfig(RED: NodeAPI, store: string): unknown {
  const all = (RED.settings as unknown as { contextStorage?: Record<string, unknown> }).contextStorage;
  if (!all || typeof all !== 'object') return undefined;
  let entry = all[store];
  if (typeof entry === 'string') entry = all[entry];
  return entry !== null && typeof entry === 'object' ? (entry as { config?: unknown }).config : undefined;
}

/** The coordination of the context store the user named (undefined or blank: none). */
export function coordination(RED: NodeAPI, store: string | undefined, o: CoordinationOptions = {}): Coordination {
  if (store === undefined) return alone;
  const backend = redisStoreFor(storeConfig(RED, store));
  if (!backend) return alone;
  const leases = new Leases({ backend, owner: OWNER, clock: o.clock, onChange: o.onChange, onError: o.onError });
  return {
    shared: true,
    acquire: (key, ttlMs) => leases.acquire(key, ttlMs),
    isLeader: (key) => leases.isLeader(key),
    claim: (key, ttlMs) => leases.claim(key, ttlMs),
    release: (key) => leases.release(key),
    close: () => leases.close(),
  };
}

/** The `store` property of a node: blank means none; else a context store name from settings.js. */
export function parseStoreName(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const s = String(value).trim();
  if (s === '') return undefined;
  if (!/^[\w-]{1,64}$/.test(s)) throw new BadInputError('store', 'expected the name of a context store from settings.js (letters, digits, - or _)');
  return s;
}

/** The `lease` property (seconds a poll lease lasts without renewal); default 30. */
export const DEFAULT_LEASE_SECONDS = 30;
export function parseLeaseSeconds(value: unknown): number {
  if (value === undefined || value === null || value === '') return DEFAULT_LEASE_SECONDS;
  const n = Number(value);
  if (!Number.isFinite(n) || n * 1000 < MIN_LEASE_MS || n * 1000 > MAX_LEASE_MS) {
    throw new BadInputError('lease', `expected seconds from ${MIN_LEASE_MS / 1000} to ${MAX_LEASE_MS / 1000}, got ${JSON.stringify(value)}`);
  }
  return n;
}
