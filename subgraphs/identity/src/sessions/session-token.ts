import { SESSION_ID_CLAIM, TokenVerifier, type Principal } from '../../../shared/src';

/** The access-token claim naming the session (the refresh-token family) the token was issued in. */
export { SESSION_ID_CLAIM };

/** A principal read by identity, which also knows the session its access token belongs to. */
export type SessionPrincipal = Principal;

/** The session the caller's access token was issued in; undefined for tokens that name none. */
export function sessionIdOf(principal: Principal | null | undefined): string | undefined {
  return principal?.sessionId;
}

/**
 * Identity's token verifier: verifies exactly as every subgraph does (signature, issuer, audience, type, age, and
 * the revocation list when given one). The shared verifier now reads the `sid` claim itself (`Principal.sessionId`,
 * a UUID or nothing), which logout, the session list and the revocation check use; this name stays for identity.
 */
export class SessionTokenVerifier extends TokenVerifier {}
