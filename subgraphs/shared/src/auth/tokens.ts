import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { UnauthenticatedError } from '../errors';
import { isUuid } from '../text';
import { revokedTokenError, type RevocationCheck, type TokenFacts } from './revocations';
import { GRAPH_SCOPE, levelOfAcr } from './assurance';
import { ACCESS_TOKEN_AUDIENCE, ACTING_FOR_CLAIM, DELEGATION_SCOPES, Role, SESSION_ID_CLAIM, type AccessClaims, type ActingFor, type DelegationScope, type Principal } from './roles';

export const TOKEN_ALGORITHM = 'ES256';
/** RFC 9068: access tokens say what they are, so an ID token or another JWT signed by the same key is not one. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** No access token lives longer than this after it was issued, whatever its `exp` says. */
const MAX_TOKEN_AGE_SECONDS = 3600;
/** How long a verified token is taken on trust (revocation is still checked at every use), and how many are kept. */
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX = 20_000;
/** The claim of a relying party's token naming the single sign-on grant it was issued under (revocations.ts, `grant.ended`). */
export const GRANT_ID_CLAIM = 'grant_id';

/**
 * Access tokens that identity's OpenID Connect provider issues to relying parties for the graph (RFC 9068 JWTs,
 * signed with the same keys): `issuer` is the provider's issuer URL, `audience` the resource indicator that names the
 * graph. They carry no `role` nor `level`: the person acts as a citizen, at the level their `acr` states.
 */
export interface RelyingPartyTokens { issuer: string; audience: string }

/**
 * Every subgraph verifies the caller's token itself against the identity service's published JWKS:
 * a subgraph reached directly, bypassing the gateway, grants nothing the gateway would not.
 * With `revocations` (revocations.ts), a token whose session or delegation identity has ended is refused too,
 * from memory: the list is kept up to date in the background, never asked over the network per request.
 */
export class TokenVerifier {
  private readonly keys: JWTVerifyGetKey;
  /**
   * Tokens whose signature and claims checked out, for a minute at most (never past their expiry): a portal sends
   * the same token with every request for 15 minutes, and checking an ES256 signature each time was the largest
   * single cost of a request after Apollo itself. What can change in that minute is still checked at every use:
   * the expiry and the revocation list. Only genuine tokens are kept; a bad one is checked (and refused) each time.
   */
  private readonly verified = new Map<string, { principal: Principal; facts: TokenFacts; until: number }>();
  constructor(
    source: { jwksUrl: string } | { jwks: JSONWebKeySet },
    private readonly issuer: string,
    private readonly options: { revocations?: RevocationCheck; relyingParties?: RelyingPartyTokens } = {},
  ) {
    if (options.relyingParties && options.relyingParties.issuer === issuer) throw new Error('relying parties\' tokens need an issuer of their own (the provider\'s issuer URL)');
    this.keys = 'jwksUrl' in source
      ? createRemoteJWKSet(new URL(source.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 3_000 })
      : createLocalJWKSet(source.jwks);
  }

  async verify(token: string): Promise<Principal> {
    const known = this.verified.get(token);
    if (known && known.until > Date.now()) return this.admitted(token, known.facts, known.principal);
    try {
      // A key id is required: with a single published key jose would otherwise try it on a token naming none.
      const header = decodeProtectedHeader(token);
      if (typeof header.kid !== 'string' || !header.kid) throw new UnauthenticatedError('The access token is not valid.');
      // Which profile is read from the unverified issuer; the profile's own checks then verify everything, issuer included.
      const relyingParties = this.options.relyingParties;
      if (relyingParties?.issuer && decodeJwt(token).iss === relyingParties.issuer) return await this.verifyRelyingPartyToken(token, relyingParties);
      const { payload } = await jwtVerify<AccessClaims>(token, this.keys, {
        issuer: this.issuer,
        audience: ACCESS_TOKEN_AUDIENCE,
        algorithms: [TOKEN_ALGORITHM],
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['sub', 'exp', 'iat', 'role', 'level'],
        // With maxTokenAge, jose also refuses an `iat` in the future (beyond the tolerance).
        maxTokenAge: MAX_TOKEN_AGE_SECONDS,
        clockTolerance: 30,
      });
      if (!Object.values(Role).includes(payload.role) || (payload.level !== 1 && payload.level !== 2)) throw new UnauthenticatedError('The access token is not valid.');
      const actingFor = ACTING_FOR_CLAIM in payload ? readActingFor(payload[ACTING_FOR_CLAIM], payload.role, payload.level) : undefined;
      // Only a session id identity could have issued is read; anything else names no session (and ends none).
      const sid = payload[SESSION_ID_CLAIM];
      const sessionId = typeof sid === 'string' && isUuid(sid) ? sid : undefined;
      // After the signature and claims: only a genuine token is looked up, and the lookup is in memory.
      return this.admitted(token, { accountId: payload.sub!, sessionId, issuedAtSeconds: payload.iat!, delegationId: actingFor?.delegationId }, {
        accountId: payload.sub!, role: payload.role, level: payload.level, postalPointCode: payload.postal_point, agencyCode: payload.agency,
        ...(typeof payload.client_id === 'string' ? { clientId: payload.client_id } : {}),
        ...(payload.role === Role.PARTNER_BANK && Number.isSafeInteger(payload.requests_per_minute) && payload.requests_per_minute! > 0 ? { requestsPerMinute: payload.requests_per_minute } : {}),
        ...(actingFor ? { actingFor } : {}),
        ...(sessionId ? { sessionId } : {}),
      }, payload.exp!);
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw error;
      if (error instanceof errors.JWTExpired) throw new UnauthenticatedError('The access token has expired; refresh it or log in again.');
      throw new UnauthenticatedError('The access token is not valid.');
    }
  }

  /**
   * A relying party's token: signature, issuer, audience, type and age as strictly as the graph's own; `acr` gives
   * the level (assurance.ts), the role is CITIZEN whatever the person's account is, and the `graph` scope is required.
   */
  private async verifyRelyingPartyToken(token: string, expected: RelyingPartyTokens): Promise<Principal> {
    const { payload } = await jwtVerify<JWTPayload & { acr?: unknown; scope?: unknown; client_id?: unknown; [GRANT_ID_CLAIM]?: unknown }>(token, this.keys, {
      issuer: expected.issuer,
      audience: expected.audience,
      algorithms: [TOKEN_ALGORITHM],
      typ: ACCESS_TOKEN_TYPE,
      requiredClaims: ['sub', 'exp', 'iat', 'client_id', 'acr'],
      maxTokenAge: MAX_TOKEN_AGE_SECONDS,
      clockTolerance: 30,
    });
    const level = levelOfAcr(payload.acr);
    if (!level || !isUuid(payload.sub!) || typeof payload.client_id !== 'string' || !payload.client_id) throw new UnauthenticatedError('The access token is not valid.');
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    if (!scopes.includes(GRAPH_SCOPE)) {
      const error = new UnauthenticatedError(`This access token was not granted the "${GRAPH_SCOPE}" scope the graph requires.`);
      Object.assign(error.extensions, { reason: 'INSUFFICIENT_SCOPE' });
      throw error;
    }
    // Ended with every session of the account (a suspension, a new password) like the graph's own tokens; it names no graph
    // session, but its grant, which ends when the person revokes the relying party (or one of its tokens is revoked).
    const grant = payload[GRANT_ID_CLAIM];
    const grantId = typeof grant === 'string' && grant.length > 0 && grant.length <= 100 ? grant : undefined;
    return this.admitted(token, { accountId: payload.sub!, issuedAtSeconds: payload.iat!, grantId },
      { accountId: payload.sub!.toLowerCase(), role: Role.CITIZEN, level, clientId: payload.client_id }, payload.exp!);
  }

  /**
   * A genuine token's last check, at every use: the revocation list, in memory. Given `expiresAt` (a token just
   * verified), it is kept for VERIFIED_TTL_MS at most, and never past its expiry or its maximum age.
   */
  private admitted(token: string, facts: TokenFacts, principal: Principal, expiresAt?: number): Principal {
    const refusal = this.options.revocations?.refusal(facts);
    if (refusal) {
      this.verified.delete(token);
      throw revokedTokenError(refusal);
    }
    if (expiresAt !== undefined) {
      // One object serves many requests: frozen, so no request can change what the next one is told.
      if (principal.actingFor) Object.freeze(principal.actingFor);
      Object.freeze(principal);
      const until = Math.min(expiresAt * 1000, (facts.issuedAtSeconds + MAX_TOKEN_AGE_SECONDS) * 1000, Date.now() + VERIFIED_TTL_MS);
      if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { principal, facts, until });
    }
    return principal;
  }

  /** No header → anonymous (null); a header that does not verify → UNAUTHENTICATED, never anonymous. */
  async fromAuthorizationHeader(header: string | undefined): Promise<Principal | null> {
    if (!header) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) throw new UnauthenticatedError('The Authorization header must be "Bearer <access token>".');
    return this.verify(match[1]);
  }
}

/**
 * The `act_for` claim, checked to the letter: an object with exactly `organisation_id` (a UUID), `delegation_id`
 * (a UUID, or null for the legal representative) and `scopes` (known scopes, at least one, none twice), on a
 * level-2 citizen's token, as identity issues it. Anything else makes the whole token invalid: a claim that grants
 * authority is never half-read.
 */
export function readActingFor(claim: unknown, role: Role, level: number): ActingFor {
  const invalid = () => new UnauthenticatedError('The access token is not valid.');
  if (role !== Role.CITIZEN || level !== 2) throw invalid();
  if (!claim || typeof claim !== 'object' || Array.isArray(claim)) throw invalid();
  const value = claim as Record<string, unknown>;
  if (Object.keys(value).sort().join(',') !== 'delegation_id,organisation_id,scopes') throw invalid();
  const { organisation_id: organisationId, delegation_id: delegationId, scopes } = value;
  if (typeof organisationId !== 'string' || !isUuid(organisationId)) throw invalid();
  if (delegationId !== null && (typeof delegationId !== 'string' || !isUuid(delegationId))) throw invalid();
  if (!Array.isArray(scopes) || !scopes.length || new Set(scopes).size !== scopes.length
    || !scopes.every((s) => DELEGATION_SCOPES.includes(s as DelegationScope))) throw invalid();
  return { organisationId: organisationId.toLowerCase(), delegationId: delegationId?.toLowerCase() ?? null, scopes: scopes as DelegationScope[] };
}
