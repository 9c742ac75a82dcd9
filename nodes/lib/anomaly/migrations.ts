/**
 * Upgrades the properties of a saved `network-flow-anomaly` node to the current names, in one
 * place, before the options are parsed. Flows saved by older versions keep working: each step
 * reads an old property set and writes the new one, and says when and why the name changed.
 *
 * Pattern for other nodes: a list of small, idempotent steps applied in order at node
 * construction (`migrate(config)`), never spread over the node's code.
 */

export type SavedProperties = Record<string, unknown>;

export interface Migration {
  /** The version that changed the property set. */
  since: string;
  why: string;
  /** Changes `props` in place; must do nothing when they are already current. */
  apply(props: SavedProperties): void;
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/** Renames `from` to `to`; a value already saved under `to` wins. */
function rename(props: SavedProperties, from: string, to: string): void {
  if (!(from in props)) return;
  if (isBlank(props[to])) props[to] = props[from];
  delete props[from];
}

export const ANOMALY_MIGRATIONS: readonly Migration[] = [
  {
    since: '0.2.0',
    why: 'the Node-RED editor reserves single-letter property names and silently dropped `k`',
    apply: (p) => rename(p, 'k', 'band'),
  },
];

/** Applies `steps` in order to a copy of `config`. */
export function applyMigrations<T extends object>(config: T, steps: readonly Migration[]): T & SavedProperties {
  const props = { ...config } as SavedProperties;
  for (const step of steps) step.apply(props);
  return props as T & SavedProperties;
}

/** The anomaly node's saved properties, upgraded to the current names. */
export function migrateAnomalyConfig<T extends object>(config: T): T & SavedProperties {
  return applyMigrations(config, ANOMALY_MIGRATIONS);
}
