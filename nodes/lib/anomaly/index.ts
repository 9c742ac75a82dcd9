/** The anomaly engine behind the `network-flow-anomaly` node (docs/design.md, "Anomaly node"). */
export { AnomalyEngine, STATE_FORMAT } from './engine';
export type {
  AnomalyEvent, AnomalyPayload, AnomalyState, Baseline, EngineStats, IngestResult, RecordError,
} from './engine';
export { parseOptions, parseKey, parseMetric, RULES, WINDOW_TYPES, METRIC_KINDS, DEFAULT_HOPS } from './options';
export type { AnomalyOptions, AnomalyOptionsInput, MetricSpec, Rule, WindowType, MetricKind } from './options';
export { formatValue } from './format';
export { migrateAnomalyConfig, applyMigrations, ANOMALY_MIGRATIONS } from './migrations';
export type { Migration, SavedProperties } from './migrations';
