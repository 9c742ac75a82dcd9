/** The anomaly engine behind the `network-flow-anomaly` node (docs/design.md#network-flow-anomaly). */
export { AnomalyEngine, STATE_FORMAT } from './engine';
export type {
  AnomalyEvent, AnomalyPayload, AnomalyState, Baseline, EngineStats, IngestResult, RecordError, StructureSizes,
} from './engine';
export {
  parseOptions, parseKey, parseMetric, maxLateness, RULES, WINDOW_TYPES, METRIC_KINDS, DEFAULT_HOPS, MAX_KEYS, MAX_HOPS, MAX_LATE_PANES, MAX_HISTORY,
} from './options';
export type { AnomalyOptions, AnomalyOptionsInput, MetricSpec, Rule, WindowType, MetricKind } from './options';
export { formatValue, formatBytes } from './format';
export { estimateMemory, panesPerKey, MEMORY_WARN_BYTES, BYTES } from './memory';
export type { MemoryEstimate } from './memory';
export { HyperLogLog, DistinctCounter, HLL_STD_ERROR, HLL_REGISTERS, EXACT_LIMIT } from './hyperloglog';
export { migrateAnomalyConfig, applyMigrations, ANOMALY_MIGRATIONS } from './migrations';
export type { Migration, SavedProperties } from './migrations';
