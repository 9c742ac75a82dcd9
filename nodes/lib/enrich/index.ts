/**
 * Enrichment of NetworkFlow records with country, autonomous system, local names and reverse
 * DNS (docs/enrich.md). No Node-RED import: `nodes/network-flow-enrich.ts` is the adapter.
 */
export { Enricher, NO_DATABASE_FIELD, type EnrichDeps, type EnrichStats, type EnrichTimers, type ReloadResult } from './engine';
export { TwoGenerationCache } from './cache';
export { findDefaultDatabases, geoFromMmdbRecord, openGeoDatabase, DEFAULT_DATABASES, type GeoDatabase, type GeoInfo } from './geo';
export { NameTable, canonicalMac, parseNameCsv, parseNameFile, parseNameJson, type LocalName } from './names';
export { DEFAULTS as ENRICH_DEFAULTS, LIMITS as ENRICH_LIMITS, parseEnrichOptions, type EnrichOptions, type EnrichOptionsInput } from './options';
export { ReverseDns, parseDnsServers, type DnsTimers, type ReverseDnsOptions, type ReverseDnsStats } from './reverse-dns';
