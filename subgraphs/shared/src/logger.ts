import { trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import { maskPersonalData } from './mask';
import { tracingEnabled } from './tracing';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/**
 * Secrets a log line may name but never carry, whatever a caller passes: by field name at the top of the fields, and
 * inside the objects a secret travels in (request headers, GraphQL variables and inputs, bodies). Explicit paths, not
 * `*.password`: a wildcard first segment makes pino run every field of every line through its redactor, which made
 * each line four times as slow. `code` is not among them: it names error codes and postal point codes in many lines, and
 * one-time codes are never logged under it (nor at all).
 */
const SECRET_FIELDS = [
  'password', 'oldPassword', 'newPassword', 'currentPassword',
  'token', 'accessToken', 'refreshToken', 'idToken', 'metricsToken', 'gatewayProof',
  'secret', 'clientSecret', 'hmacSecret', 'privateKey',
  'otp', 'otpCode',
];
const SECRET_HEADERS = ['authorization', 'cookie', 'set-cookie', 'x-gateway-proof'];
const CARRIERS = ['input', 'variables', 'variables.input', 'body', 'credentials'];
const REDACTED_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_HEADERS.map((header) => `["${header}"]`),
  ...SECRET_HEADERS.map((header) => `headers["${header}"]`),
  ...CARRIERS.flatMap((carrier) => SECRET_FIELDS.map((field) => `${carrier}.${field}`)),
];

/** Deeper than any field we log; past it values are written as they are (pino's stringify copes with cycles). */
const MAX_DEPTH = 8;

/**
 * What JSON cannot say as we want it: a bigint becomes its decimal string (money is bigint), an Error its name, message
 * and stack (JSON.stringify would write `{}`). Copies only the objects it changes, so the usual fields cost a walk.
 */
function loggable(value: unknown, depth: number): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (depth >= MAX_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = loggable(value[i], depth + 1);
      if (next !== value[i]) (copy ??= value.slice())[i] = next;
    }
    return copy ?? value;
  }
  return loggableFields(value as Record<string, unknown>, depth);
}

function loggableFields(fields: Record<string, unknown>, depth = 0): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in fields) {
    if (!Object.prototype.hasOwnProperty.call(fields, key)) continue;
    const value = fields[key];
    const next = loggable(value, depth + 1);
    if (next !== value) (copy ??= { ...fields })[key] = next;
  }
  return copy ?? fields;
}

/**
 * The line as written: personal data masked in the serialised text (see mask.ts), so numbers inside messages, error
 * texts and nested fields are caught too, after redaction has taken out the secrets.
 */
function maskingStream(write: (line: string) => void): DestinationStream {
  return { write: (line: string) => write(maskLine(line)) };
}

/**
 * The trace and span ids tracing adds (hexadecimal, written by the mixin as these exact JSON members) are set aside
 * while the line is masked: an id with a run of 12 digits would otherwise be masked like an ID number and lead to no
 * trace. A field's value cannot fake the members (its quotes are escaped), and the ids carry no personal data.
 */
const TRACE_MEMBERS = /"traceId":"[0-9a-f]{32}","spanId":"[0-9a-f]{16}"/;
const TRACE_PLACEHOLDER = '"traceId":"","spanId":""';
export function maskLine(line: string): string {
  const trace = TRACE_MEMBERS.exec(line);
  if (!trace) return maskPersonalData(line);
  return maskPersonalData(line.replace(trace[0], TRACE_PLACEHOLDER)).replace(TRACE_PLACEHOLDER, trace[0]);
}

let stdout: DestinationStream | undefined;
/**
 * One synchronous destination on file descriptor 1 for every logger of the process: a line is out when the call
 * returns, so the last lines before `process.exit` (a stop, a crash) are not lost, and a slow reader slows the writer
 * rather than filling memory. process.stdout is asynchronous on a pipe (as under a container runtime): it only queues.
 */
function stdoutStream(): DestinationStream {
  if (!stdout) {
    const destination = pino.destination({ dest: 1, sync: true });
    stdout = maskingStream((line) => destination.write(line));
  }
  return stdout;
}

/** A `write` given by the caller (tests capturing lines) receives each line without its newline, at once. */
function callerStream(write: (line: string) => void): DestinationStream {
  return maskingStream((line) => write(line.endsWith('\n') ? line.slice(0, -1) : line));
}

class PinoLogger implements Logger {
  constructor(private readonly pino: Pino) {}
  debug(msg: string, fields?: Record<string, unknown>): void { if (fields) this.pino.debug(fields, msg); else this.pino.debug(msg); }
  info(msg: string, fields?: Record<string, unknown>): void { if (fields) this.pino.info(fields, msg); else this.pino.info(msg); }
  warn(msg: string, fields?: Record<string, unknown>): void { if (fields) this.pino.warn(fields, msg); else this.pino.warn(msg); }
  error(msg: string, fields?: Record<string, unknown>): void { if (fields) this.pino.error(fields, msg); else this.pino.error(msg); }
  /**
   * A pino child: its fields are serialised once, here, not on every line (one per request carries the request id).
   * pino does not run a child's fields through `formatters.bindings`, so they are made loggable first.
   */
  child(fields: Record<string, unknown>): Logger { return new PinoLogger(this.pino.child(loggableFields(fields))); }
}

/**
 * With tracing on, every line written inside a span names it (`traceId`, `spanId`): a line leads to its trace and a
 * trace to its lines. With tracing off the logger has no mixin at all, so a line costs what it did. A new object each
 * time: pino merges the line's fields into what the mixin returns.
 */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

/**
 * One JSON object per line on stdout (or to `write`): `level` as a word, `time` in ISO 8601, `service`, `msg` and the
 * fields; secrets redacted by field name (REDACTED_PATHS), personal data masked in the whole line (mask.ts).
 */
export function createLogger(options: { service: string; level?: LogLevel; write?: (line: string) => void }): Logger {
  const logger = pino({
    level: options.level ?? 'info',
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (fields) => loggableFields(fields),
    },
    // Errors are written by loggableFields under any name; pino's own `err` serializer would reshape them.
    serializers: {},
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(tracingEnabled() ? { mixin: traceFields } : {}),
  }, options.write ? callerStream(options.write) : stdoutStream());
  return new PinoLogger(logger);
}
