import { GraphQLError } from 'graphql';

/** The stable codes portals switch on (`extensions.code`). */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

export class DomainError extends GraphQLError {
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...details } });
  }
}

export interface FieldProblem { field: string; message: string }

export class BadInputError extends DomainError {
  constructor(message: string, problems: FieldProblem[] = []) {
    super('BAD_USER_INPUT', message, problems.length ? { problems } : {});
  }
}
export class UnauthenticatedError extends DomainError {
  constructor(message = 'Log in first: this needs a valid access token.') { super('UNAUTHENTICATED', message); }
}
export class ForbiddenError extends DomainError {
  constructor(message = 'You are not allowed to do this.') { super('FORBIDDEN', message); }
}
export class NotFoundError extends DomainError {
  constructor(message: string) { super('NOT_FOUND', message); }
}
export class ConflictError extends DomainError {
  constructor(message: string) { super('CONFLICT', message); }
}
export class RateLimitedError extends DomainError {
  constructor(message: string, retryAfterSeconds: number) { super('RATE_LIMITED', message, { retryAfterSeconds }); }
}
export class ServiceUnavailableError extends DomainError {
  constructor(message: string) { super('SERVICE_UNAVAILABLE', message); }
}

const PUBLIC_CODES = new Set<string>(['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'SERVICE_UNAVAILABLE',
  'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'PERSISTED_QUERY_NOT_IN_SAFELIST',
  'OPERATION_RESOLUTION_FAILURE']);

/** Codes whose message is meant for the caller; anything else is an internal error and is masked. */
export function isPublicCode(code: unknown): boolean {
  return typeof code === 'string' && PUBLIC_CODES.has(code);
}

/** PostgreSQL cannot store U+0000 in text: a string carrying one is the caller's mistake, not ours. */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);
/** SQLSTATE classes and codes that mean "the database is not there right now". */
const DATABASE_GONE = /^(08|57P0[1-3]|53300)/;
const NETWORK_GONE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
const GONE_MESSAGES = [
  /connection terminated/i, /timeout exceeded when trying to connect/i, /connection is closed/i, /stream isn't writeable/i,
  /command timed out/i, /reached the max retries per request/i, /client has encountered a connection error/i, /driver not connected/i,
];

/**
 * What an unexpected error really is, when it is one the caller should hear about plainly: a string the
 * database cannot store is BAD_USER_INPUT; a database or Redis that cannot be reached is
 * SERVICE_UNAVAILABLE (retry later). Anything else stays an internal error. The raw message, with its
 * host, port or SQL, never leaves the service either way.
 */
export function classifyInternalError(error: unknown): DomainError | undefined {
  const seen = new Set<unknown>();
  for (let current: any = error; current && typeof current === 'object' && !seen.has(current); current = current.originalError ?? current.driverError ?? current.cause) {
    seen.add(current);
    const code = typeof current.code === 'string' ? current.code : undefined;
    if (code && UNSTORABLE_TEXT.has(code)) return new BadInputError('Text must not contain the NUL character (U+0000).');
    if ((code && (DATABASE_GONE.test(code) || NETWORK_GONE.has(code))) || GONE_MESSAGES.some((m) => m.test(String(current.message ?? '')))) {
      return new ServiceUnavailableError('A storage service is not reachable right now; try again shortly.');
    }
  }
  return undefined;
}
