/**
 * State shared between Node-RED processes (docs/state.md): the Redis context store that
 * settings.js names, and the leases and claims the nodes take on it.
 */
export { redisContextStore, redisStoreFor, type LeaseBackend, type RedisContextStore, type RedisStoreConfig } from './redis-context-store';
export { Leases, MAX_LEASE_MS, MIN_LEASE_MS, type LeasesOptions } from './leases';
