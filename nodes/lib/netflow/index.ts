/** NetFlow v5 / v9 and IPFIX decoding into NetworkFlow records (docs/collector.md). */
export { Collector, MAX_RECORDS_PER_DATAGRAM, parseAllowList, parseSamplingRate, type CollectorOptions, type CollectorStats } from './collector';
export { DecodedFlow, samplingRateOf } from './decoded-flow';
export { ELEMENTS, elementName, VARIABLE_LENGTH } from './elements';
export { newCounters, type ExporterCounters } from './exporter-state';
export { toNetworkFlow, uptimeToMs, type RecordContext, type SamplingSource } from './flow-record';
export { Template, decodeRecords, readUnsigned, type RecordSink, type TemplateField } from './template';
export { collectorConfigSchema, parseCollectorConfig, socketTypeFor, type CollectorConfig } from './config';
