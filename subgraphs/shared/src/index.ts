import 'reflect-metadata'; // decorators below read design-time types
// The shared platform every service imports: config, logging, database, Redis, cache, limits,
// auth, errors, scalars, pagination, the federation helper and the HTTP service runner.
export * from './auth/assurance';
export * from './auth/authz';
export * from './auth/gateway-proof';
export * from './auth/guard';
export * from './auth/revocations';
export * from './auth/roles';
export * from './auth/tokens';
export * from './cache';
export * from './config';
export * from './connection';
export * from './database';
export * from './errors';
export * from './events/consumer';
export * from './events/outbox';
export * from './federation';
export * from './http';
export * from './logger';
export * from './mask';
export * from './metrics';
export * from './operation-limits';
export * from './rate-limit';
export * from './redis';
export * from './scalars';
export * from './subgraph';
export * from './text';
