/** Firewalla MSP API v2: client, delivery in the three pagination modes, schemas and the search query language. */
export * from './client';
export * from './delivery';
export * from './schemas';
export * from './query';
export * from './options';
export * from './fleet';
