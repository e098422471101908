import path from 'node:path';
import { startTracing } from './tracing';

/**
 * The first import of every process entry (gateway/src/main.ts, subgraphs/<name>/src/main.ts): starts tracing, when
 * it is configured, before the entry's other imports load pg, ioredis, graphql or express, which the
 * instrumentations patch as they are required. An import, not a call in main.ts, because imports run before any
 * statement of the module that makes them.
 *
 * The service is named by the entry's folder: `gateway` for gateway/src/main.js, `payments` for
 * subgraphs/payments/src/main.js (the names runMain gives them).
 */
const entry = require.main?.filename;
if (entry) startTracing(path.basename(path.dirname(path.dirname(entry))));
