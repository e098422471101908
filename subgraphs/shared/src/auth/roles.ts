import { registerEnumType } from 'type-graphql';

export enum Role {
  CITIZEN = 'CITIZEN',
  /** giao dịch viên, bound to one postal point */
  POSTAL_CLERK = 'POSTAL_CLERK',
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
  /** A partner's machine client (role PARTNER_BANK): its client id; `accountId` is then the partner's id. */
  clientId?: string;
}

/** Claims carried in access tokens, besides the registered ones (sub, iss, aud, exp, iat, jti). */
export interface AccessClaims { role: Role; level: AssuranceLevel; postal_point?: string; agency?: string; /** RFC 9068, partner tokens only. */ client_id?: string }

export const ACCESS_TOKEN_AUDIENCE = 'national-identity-graph';
