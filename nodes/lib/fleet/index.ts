/** Fleets: many appliances or boxes from one Node-RED (docs/fleets.md). */
export * from './budget';
export * from './cycle';
export * from './health';
export * from './sites';
export * from './site-poller';
export * from './sessions';
