export * from './client';
export * from './cookies';
export * from './filter';
export * from './schemas';
