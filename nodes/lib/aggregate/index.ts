/** The aggregate engine behind the `network-flow-aggregate` node (docs/aggregate.md). */
export { AggregateEngine } from './engine';
export { NONE_LABEL } from './keys';
export type { AggregateStats } from './engine';
export { OTHER_LABEL } from './result';
export type { GroupResult, IngestResult, RecordError, WindowResult } from './result';
export { STATE_FORMAT } from './state';
export type { AggregateState } from './state';
export { parseOptions, parseGroupBy, parseMetrics, parseMetric, parseWindow, parseOutput, METRIC_KINDS, OUTPUTS } from './options';
export type { AggregateOptions, AggregateOptionsInput, MetricDef, MetricKind, OutputMode } from './options';
export { parseTimeZone, windowBounds, calendarBounds, localMidnight } from './calendar';
export type { WindowSpec, CalendarUnit } from './calendar';
export { toRows, toChart, toTimeseries, toGroupRecords, topGroups, windowInfo, windowMessages, column } from './format';
export type { Row, ChartPoint, WindowInfo, OutMessage } from './format';
