import type { AuthCheckerInterface, ResolverData } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError } from '../errors';
import type { Principal } from './roles';
import { Role } from './roles';

export interface AuthContext { principal: Principal | null }

/** Pseudo-role for `@Authorized`: the caller owns the object (its `ownerAccountId`). */
export const OWNER = 'OWNER';
export type Grant = Role | typeof OWNER;

export interface Owned { readonly ownerAccountId: string }

export function requirePrincipal(context: AuthContext): Principal {
  if (!context.principal) throw new UnauthenticatedError();
  return context.principal;
}

export function requireRole(context: AuthContext, ...roles: Role[]): Principal {
  const principal = requirePrincipal(context);
  if (!roles.includes(principal.role)) throw new ForbiddenError();
  return principal;
}

/**
 * `@Authorized()` = any logged-in caller; `@Authorized([Role.X, OWNER])` = role X, or the owner of
 * the object being resolved. Anonymous callers get UNAUTHENTICATED, others FORBIDDEN.
 */
export class RoleAuthChecker implements AuthCheckerInterface<AuthContext, Grant> {
  check({ root, context }: ResolverData<AuthContext>, grants: Grant[]): boolean {
    const principal = requirePrincipal(context);
    if (grants.length === 0 || grants.includes(principal.role)) return true;
    if (grants.includes(OWNER) && (root as Partial<Owned> | undefined)?.ownerAccountId === principal.accountId) return true;
    throw new ForbiddenError();
  }
}
