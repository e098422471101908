import { decodeJwt } from 'jose';
import { isUuid, TokenVerifier, type Principal } from '../../../shared/src';

/** The access-token claim naming the session (the refresh-token family) the token was issued in. */
export const SESSION_ID_CLAIM = 'sid';

/** A principal read by identity, which also knows the session its access token belongs to. */
export interface SessionPrincipal extends Principal { sessionId?: string }

/** The session the caller's access token was issued in; undefined for tokens that name none. */
export function sessionIdOf(principal: Principal | null | undefined): string | undefined {
  return (principal as SessionPrincipal | null | undefined)?.sessionId;
}

/**
 * Identity's token verifier: verifies exactly as every subgraph does (signature, issuer, audience, type,
 * age), then also reads the `sid` claim, so logout and the session list know the caller's session. Other
 * subgraphs ignore the claim.
 */
export class SessionTokenVerifier extends TokenVerifier {
  override async verify(token: string): Promise<SessionPrincipal> {
    const principal = await super.verify(token);
    // The token has just been verified: its payload can be read as is.
    const sid = decodeJwt(token)[SESSION_ID_CLAIM];
    return typeof sid === 'string' && isUuid(sid) ? { ...principal, sessionId: sid } : principal;
  }
}
