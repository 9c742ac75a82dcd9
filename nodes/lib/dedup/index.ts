/**
 * Counting a record once when overlapping polls deliver it again: the identity rule and a
 * bounded memory of identities seen. Shared by the nodes that sum records (see docs/aggregate.md).
 */
export { recordIdentity } from './identity';
export { DedupCache } from './cache';
export type { DedupDeps, DedupOptions, DedupStats } from './cache';
