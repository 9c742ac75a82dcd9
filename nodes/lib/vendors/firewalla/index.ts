/** Firewalla MSP API v2: client, schemas and the search query language. */
export * from './client';
export * from './schemas';
export * from './query';
export * from './options';
export * from './fleet';
