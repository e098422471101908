import { registerEnumType } from 'type-graphql';

export enum Role {
  CITIZEN = 'CITIZEN',
  /** giao dịch viên, bound to one postal point */
  POSTAL_CLERK = 'POSTAL_CLERK',
  /** trưởng bưu cục: supervises one postal point's clerks (reverses a collection the same day) */
  POSTAL_SUPERVISOR = 'POSTAL_SUPERVISOR',
  /** cán bộ giải quyết TTHC, bound to one agency */
  OFFICIAL = 'OFFICIAL',
  PARTNER_BANK = 'PARTNER_BANK',
  FINANCE = 'FINANCE',
  ADMINISTRATOR = 'ADMINISTRATOR',
}
registerEnumType(Role, { name: 'Role', description: 'What an account may do in the graph.' });

export type AssuranceLevel = 1 | 2;

/** The verified caller of a request, read from its access token. */
export interface Principal {
  accountId: string;
  role: Role;
  level: AssuranceLevel;
  postalPointCode?: string;
  agencyCode?: string;
  /**
   * A partner's machine client (role PARTNER_BANK): its client id; `accountId` is then the partner's id. Or the relying
   * party a person signed in to, whose access token this is (role CITIZEN; `accountId` is the person).
   */
  clientId?: string;
  /**
   * Set when the token was issued by `actForOrganisation`: the person (`accountId`) acts for this organisation,
   * under this delegation (null: as its legal representative) and with these scopes. Read from the `act_for` claim.
   */
  actingFor?: ActingFor;
  /**
   * The session (identity's refresh-token family) the token was issued in, from its `sid` claim; absent for tokens
   * that name none (partner tokens). Logout and the session list use it, and ended sessions are refused by it.
   */
  sessionId?: string;
  /** A partner's own limit of requests per minute at the gateway, from its registration (`requests_per_minute`). */
  requestsPerMinute?: number;
}

/**
 * What a delegate may do for an organisation (phạm vi ủy quyền). A small fixed list, each naming what other
 * subgraphs check with the catalogue action 'organisation.act'; a legal representative holds every scope.
 */
export enum DelegationScope {
  /** Submit dossiers for public services in the organisation's name (documents). */
  SUBMIT_DOSSIERS = 'SUBMIT_DOSSIERS',
  /** See the organisation's dossiers and their progress (documents). */
  VIEW_DOSSIERS = 'VIEW_DOSSIERS',
  /** Pay fees and charges owed by the organisation (payments). */
  PAY_FEES = 'PAY_FEES',
  /** Keep the organisation's integrated documents: add, present, withdraw (documents). */
  MANAGE_DOCUMENTS = 'MANAGE_DOCUMENTS',
}
registerEnumType(DelegationScope, { name: 'DelegationScope', description: 'What a delegate may do for an organisation.' });

export const DELEGATION_SCOPES: readonly DelegationScope[] = Object.values(DelegationScope);

/** Who a principal acts for (see `Principal.actingFor`). */
export interface ActingFor {
  organisationId: string;
  /** The delegation the token was issued under; null when the person is the organisation's legal representative. */
  delegationId: string | null;
  scopes: readonly DelegationScope[];
}

/**
 * The access-token claim of a token that acts for an organisation: `sub` stays the person. Not RFC 8693's `act`,
 * which names the *actor* acting for the subject (here the subject is the actor); a consumer reading `act` would
 * take the organisation for the party acting.
 */
export const ACTING_FOR_CLAIM = 'act_for';

/** The `act_for` claim as it travels: snake_case like the other claims. */
export interface ActingForClaim { organisation_id: string; delegation_id: string | null; scopes: DelegationScope[] }

/** The access-token claim naming the session (the refresh-token family) the token was issued in. */
export const SESSION_ID_CLAIM = 'sid';

/** Claims carried in access tokens, besides the registered ones (sub, iss, aud, exp, iat, jti). */
export interface AccessClaims { role: Role; level: AssuranceLevel; postal_point?: string; agency?: string; /** RFC 9068, partner tokens only. */ client_id?: string; act_for?: ActingForClaim; sid?: string; /** Partner tokens: see `Principal.requestsPerMinute`. */ requests_per_minute?: number }

export const ACCESS_TOKEN_AUDIENCE = 'national-identity-graph';
