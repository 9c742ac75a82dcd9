/**
 * The library without Node-RED: what `require('node-red-contrib-network-flows')` gives a plain
 * Node.js program. The engines behind the function nodes, the three vendor clients, the
 * NetworkFlow record and the error classes (docs/design.md). Everything else under nodes/lib is
 * internal and may change without notice.
 */
export type { NetworkFlow, FlowEndpoint, NetworkFlowsMeta, Vendor, Direction } from './network-flow';
export { VENDORS, DIRECTIONS } from './network-flow';
export {
  FlowError, AuthError, HttpStatusError, RateLimitError, TimeoutError, NetworkError, BadResponseError, BadInputError,
  AbortedError, ERROR_CODES, redact,
} from './errors';
export type { ErrorCode, FlowErrorDetails } from './errors';
export { systemClock, type Clock } from './clock';

export { normalize, Normalizer, recordsOf, toEcs } from './normalize';
export type { NormalizeContext, NormalizeOptions, NormalizeResult, EcsDocument } from './normalize';
export { compileFilter, validateExpression, parseFilter, FilterSyntaxError } from './filter';
export type { FilterPredicate, FilterRecord } from './filter';
export { AnomalyEngine, parseOptions as parseAnomalyOptions } from './anomaly';
export type { AnomalyEvent, AnomalyOptions, AnomalyOptionsInput } from './anomaly';
export { AggregateEngine, parseOptions as parseAggregateOptions } from './aggregate';
export type { AggregateOptions, AggregateOptionsInput, WindowResult } from './aggregate';
export { Collector, parseCollectorConfig } from './netflow';
export type { CollectorOptions, CollectorConfig } from './netflow';

export { SdwanClient } from './vendors/citrix-sdwan';
export type { SdwanClientOptions } from './vendors/citrix-sdwan';
export { FirewallaClient } from './vendors/firewalla';
export type { FirewallaClientOptions } from './vendors/firewalla';
export { FlowGatewayClient } from './vendors/riverbed-flowgateway';
export type { FlowGatewayClientOptions } from './vendors/riverbed-flowgateway';
