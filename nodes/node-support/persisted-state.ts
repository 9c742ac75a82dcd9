/**
 * An engine's state kept in a Node-RED context store across restarts (the `persist` option of
 * the anomaly and aggregate nodes): restored before the first message, saved every `everyMs` and
 * on close, only when records were counted since the last save. Until the saved state has been
 * read, nothing is saved (it would overwrite the stored state with an empty one), and messages
 * wait for the read in arrival order.
 */
import type { Node } from 'node-red';

export interface PersistableEngine {
  exportState(): unknown;
  /** false when the saved state does not fit the current settings (then it is ignored). */
  importState(value: unknown): boolean;
  stats(): { records: number };
}

export interface PersistedStateOptions {
  node: Node;
  /** The user's `persist` setting. */
  enabled: boolean;
  /** Context key; `store` is the context store the user named (undefined: the default one). */
  key: string;
  store?: string;
  engine: PersistableEngine | undefined;
  everyMs: number;
  /** The node's catalogue: `errors.save`, `errors.restore` (with `message`), `log.stateIgnored`. */
  text: (key: string, vars?: Record<string, string | number>) => string;
  /** Called after a saved state was taken in (e.g. to show it in the status). */
  onRestored?: () => void;
}

export interface PersistedState {
  /** True once the saved state was read (always true without persistence). */
  readonly loaded: boolean;
  /** Runs `work` at once, or after the saved state was read when persistence is on. */
  run(work: () => void): void;
  /** Stops the timer; saves last unless the node was removed (its context goes with it). */
  close(removed: boolean, done: () => void): void;
}

/** Node-RED's context API, with and without a store name (its typings omit the store argument). */
interface StoreContext {
  get(key: string, cb: (err: Error | null | undefined, value: unknown) => void): void;
  get(key: string, store: string, cb: (err: Error | null | undefined, value: unknown) => void): void;
  set(key: string, value: unknown, cb: (err?: Error) => void): void;
  set(key: string, value: unknown, store: string, cb: (err?: Error) => void): void;
}

export function persistedState(o: PersistedStateOptions): PersistedState {
  const { node, enabled, key, store, engine, text } = o;
  const context = (): StoreContext => node.context();
  // An engine that has counted nothing is never saved: a standby instance sharing the store
  // (docs/state.md#alerting-once-across-instances) must not overwrite the active one's state.
  let savedRecords = 0;
  let loaded = !enabled;
  let restored: Promise<void> | undefined = enabled ? undefined : Promise.resolve();

  function save(cb?: () => void): void {
    if (!engine || !enabled || !loaded) return cb?.();
    const records = engine.stats().records;
    if (records === savedRecords) return cb?.();
    savedRecords = records;
    const saved = (err?: Error): void => {
      if (err) node.warn(text('errors.save', { message: err.message }));
      cb?.();
    };
    // The default store is named by leaving the argument out, as Node-RED's own nodes do.
    if (store === undefined) context().set(key, engine.exportState(), saved);
    else context().set(key, engine.exportState(), store, saved);
  }

  function restore(): Promise<void> {
    return new Promise((resolve) => {
      const read = (err: Error | null | undefined, value: unknown): void => {
        try {
          if (err) node.warn(text('errors.restore', { message: err.message }));
          else if (value !== undefined && value !== null && engine) {
            if (engine.importState(value)) {
              savedRecords = engine.stats().records;
              o.onRestored?.();
            } else {
              node.log(text('log.stateIgnored'));
            }
          }
        } catch (e) {
          node.warn(text('errors.restore', { message: (e as Error).message }));
        }
        loaded = true;
        resolve();
      };
      if (store === undefined) context().get(key, read);
      else context().get(key, store, read);
    });
  }

  const timer = enabled && engine ? setInterval(() => save(), o.everyMs) : undefined;

  return {
    get loaded() {
      return loaded;
    },
    run(work) {
      if (!restored) restored = restore();
      if (enabled) void restored.then(work);
      else work();
    },
    close(removed, done) {
      if (timer) clearInterval(timer);
      if (removed) return done();
      // Wait for a pending restore, so an early close cannot overwrite the saved state with less.
      void (restored ?? Promise.resolve()).then(() => save(done));
    },
  };
}

/** One value in the node's context, in the store the user named (undefined: the default one). */
export interface StoredValue {
  load(): Promise<unknown>;
  save(value: unknown): Promise<void>;
}

export function storedValue(node: Node, key: string, store?: string): StoredValue {
  const context = (): StoreContext => node.context();
  return {
    load: () => new Promise((resolve, reject) => {
      const read = (err: Error | null | undefined, value: unknown): void => (err ? reject(err) : resolve(value));
      if (store === undefined) context().get(key, read);
      else context().get(key, store, read);
    }),
    save: (value) => new Promise((resolve, reject) => {
      const written = (err?: Error): void => (err ? reject(err) : resolve());
      if (store === undefined) context().set(key, value, written);
      else context().set(key, value, store, written);
    }),
  };
}
