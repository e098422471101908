import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics (prom-client), one registry per process, served at /metrics by every service
 * (http.ts). Every series carries `service`, so the tests, which run all services in one process, still tell them
 * apart. What each means is in the README's operations section.
 *
 * Labels that come from callers (operation names, client names) are bounded: a name that is not a plain GraphQL
 * name, and any name past the first MAX_DISTINCT seen, is counted as "other", so a client sending a fresh name with
 * every request cannot grow the registry without end.
 */
export const metricsRegistry = new Registry();

const MAX_DISTINCT = 500;
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** Bounds a caller-chosen label value (see above). */
export function boundedLabel(seen: Set<string>, value: string | null | undefined, none = 'none'): string {
  if (!value) return none;
  if (seen.has(value)) return value;
  if (!NAME.test(value) || seen.size >= MAX_DISTINCT) return 'other';
  seen.add(value);
  return value;
}

const operations = new Set<string>();
const clients = new Set<string>();
export const operationLabel = (name: string | null | undefined) => boundedLabel(operations, name, 'anonymous');
export const clientLabel = (name: string | null | undefined) => boundedLabel(clients, name);

/** Latency buckets in seconds: from a cached answer to a subgraph timing out. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const graphqlRequests = new Counter({
  name: 'graphql_requests_total', help: 'GraphQL operations answered, by operation name, client and outcome (ok, or the first error code).',
  labelNames: ['service', 'operation', 'client', 'outcome'], registers: [metricsRegistry],
});
export const graphqlDuration = new Histogram({
  name: 'graphql_request_duration_seconds', help: 'Time to answer a GraphQL operation, from its arrival to its answer.',
  labelNames: ['service', 'operation'], buckets: BUCKETS, registers: [metricsRegistry],
});
export const graphqlErrors = new Counter({
  name: 'graphql_errors_total', help: 'Errors in answers, by extensions.code.',
  labelNames: ['service', 'code'], registers: [metricsRegistry],
});
export const subgraphRequests = new Counter({
  name: 'subgraph_requests_total', help: 'Requests from the gateway to a subgraph, by outcome: ok, graphql_error (answered with errors), unavailable (no answer, a timeout, not GraphQL), circuit_open (refused without trying).',
  labelNames: ['subgraph', 'outcome'], registers: [metricsRegistry],
});
export const subgraphDuration = new Histogram({
  name: 'subgraph_request_duration_seconds', help: 'Time from sending a request to a subgraph to having its whole answer (refusals by an open circuit not included).',
  labelNames: ['subgraph'], buckets: BUCKETS, registers: [metricsRegistry],
});
export const cacheLookups = new Counter({
  name: 'cache_lookups_total', help: 'Keys looked up in the shared Redis cache, by cache and result (hit or miss); the hit ratio is hit / (hit + miss).',
  labelNames: ['service', 'cache', 'result'], registers: [metricsRegistry],
});
export const rateLimitRefusals = new Counter({
  name: 'rate_limit_refusals_total', help: 'Requests or attempts refused by a limit (RATE_LIMITED), by the limit\'s name.',
  labelNames: ['service', 'limit'], registers: [metricsRegistry],
});

let defaultsOn = false;
/** Process CPU, memory, event-loop lag and garbage collection, once per process (the process entry turns it on). */
export function collectProcessMetrics(service: string): void {
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics({ register: metricsRegistry, labels: { service } });
}
