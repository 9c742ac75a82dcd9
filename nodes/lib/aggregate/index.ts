/** The aggregate engine behind the `network-flow-aggregate` node (docs/aggregate.md). */
export { AggregateEngine, STATE_FORMAT, OTHER_LABEL, NONE_LABEL } from './engine';
export type { AggregateState, AggregateStats, GroupResult, IngestResult, RecordError, WindowResult } from './engine';
export { parseOptions, parseGroupBy, parseMetrics, parseMetric, parseWindow, parseOutput, METRIC_KINDS, OUTPUTS } from './options';
export type { AggregateOptions, AggregateOptionsInput, MetricDef, MetricKind, OutputMode } from './options';
export { parseTimeZone, windowBounds, calendarBounds, localMidnight } from './calendar';
export type { WindowSpec, CalendarUnit } from './calendar';
export { toRows, toChart, toTimeseries, toGroupRecords, topGroups, windowInfo, windowMessages, column } from './format';
export type { Row, ChartPoint, WindowInfo, OutMessage } from './format';
