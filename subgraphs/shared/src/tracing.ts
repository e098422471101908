import type { NodeSDK } from '@opentelemetry/sdk-node';

/**
 * OpenTelemetry tracing, on only when an OTLP endpoint is configured with the standard variables
 * (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, used as it is, or `OTEL_EXPORTER_OTLP_ENDPOINT`, to which `/v1/traces` is
 * added) and `OTEL_SDK_DISABLED` is not `true`. Off, nothing of the SDK is even loaded: the packages are required
 * inside `startTracing`, and the logger adds no field.
 *
 * On, the official NodeSDK exports spans over OTLP/HTTP (JSON) with the `service.name` of the process, the sampler
 * of `OTEL_TRACES_SAMPLER` (default: every trace, or as the caller's `traceparent` decided), and spans for incoming and
 * outgoing HTTP (the gateway's calls to subgraphs carry `traceparent`, so a subgraph's spans join the gateway's
 * trace), GraphQL parse/validate/execute and resolvers, PostgreSQL statements and Redis commands. The gateway adds
 * Apollo's own spans (gateway.request, plan, fetch …) through `@opentelemetry/api`.
 *
 * Instrumentations patch a module when it is required, so this runs before anything loads pg, ioredis, graphql or
 * express: tracing-entry.ts, the first import of each process entry.
 *
 * Personal data stays out of spans: GraphQL variable values and literals are never recorded (`allowValues` false),
 * SQL statements are recorded without their parameters, Redis commands by name only (keys can hold a phone number or
 * a username), and the query-string parameters that carry codes and tokens are redacted from URLs.
 */

let sdk: NodeSDK | undefined;

/** Whether the environment asks for tracing. */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
}

/** Whether this process exports spans (startTracing ran with tracing configured). */
export function tracingEnabled(): boolean {
  return sdk !== undefined;
}

/** Health probes and scrapes would be most of the spans and tell nothing. */
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics']);

/** Query parameters whose values never reach a span: OpenID Connect codes and tokens, phone numbers, signatures. */
const REDACTED_QUERY_PARAMS = [
  'code', 'state', 'nonce', 'code_verifier', 'code_challenge', 'id_token_hint', 'login_hint', 'token', 'access_token',
  'refresh_token', 'client_secret', 'phone', 'username', 'password', 'otp',
  'sig', 'Signature', 'AWSAccessKeyId', 'X-Goog-Signature', 'X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Security-Token',
];

function pathOf(url: string | undefined): string {
  if (!url) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * Starts tracing for `service` when it is configured (see above); does nothing otherwise. Call it once, first thing
 * in the process. Returns whether tracing is on.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (sdk || !tracingConfigured(env)) return sdk !== undefined;
  // Required here, not imported above: with tracing off the SDK is never loaded.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { GraphQLInstrumentation } = require('@opentelemetry/instrumentation-graphql') as typeof import('@opentelemetry/instrumentation-graphql');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  /* eslint-enable @typescript-eslint/no-require-imports */

  sdk = new NodeSDK({
    serviceName: service,
    // The exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS and _TIMEOUT.
    traceExporter: new OTLPTraceExporter(),
    // Traces only: metrics are Prometheus' (/metrics) and logs are stdout's; the SDK would otherwise add OTLP
    // exporters for both.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has(pathOf(request.url)),
        // A JWKS refresh or an export without a request around it is not worth a trace of its own.
        requireParentforOutgoingSpans: true,
        redactedQueryParams: REDACTED_QUERY_PARAMS,
        redactedQueryParamsServer: REDACTED_QUERY_PARAMS,
      }),
      new GraphQLInstrumentation({
        allowValues: false,
        mergeItems: true,
        ignoreTrivialResolveSpans: true,
        // Resolvers down to the third level: the root fields and what they load; deeper fields are list items.
        depth: 3,
      }),
      new PgInstrumentation({
        enhancedDatabaseReporting: false,
        // Pool connects and statements outside a request (the outbox relay's polling) would make a trace each.
        requireParentSpan: true,
      }),
      new IORedisInstrumentation({
        requireParentSpan: true,
        dbStatementSerializer: (command) => command,
      }),
    ],
  });
  sdk.start();
  return true;
}

/** Sends the spans still buffered and stops tracing; resolves at once when tracing is off. Never rejects. */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  if (!running) return;
  try { await running.shutdown(); } catch (error) {
    process.stderr.write(`tracing: could not send the last spans: ${(error as Error).message}\n`);
  }
}
