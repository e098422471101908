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
  'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE']);

/** Codes whose message is meant for the caller; anything else is an internal error and is masked. */
export function isPublicCode(code: unknown): boolean {
  return typeof code === 'string' && PUBLIC_CODES.has(code);
}
