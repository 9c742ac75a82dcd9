/**
 * Riverbed FlowGateway analytics: the client (Common API auth + import_stats), the request
 * builder for templates A, B and C, the wire schemas, and the config dialog's connection test.
 */
export * from './client';
export * from './request';
export * from './schemas';
export { testConnection } from './test-connection';
