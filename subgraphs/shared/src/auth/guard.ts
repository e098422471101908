import { UseMiddleware, type AuthCheckerInterface, type ResolverData } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError } from '../errors';
import { assertCan, type Action, type ActionResources } from './authz';
import type { Principal } from './roles';

export interface AuthContext { principal: Principal | null }

export function requirePrincipal(context: AuthContext): Principal {
  if (!context.principal) throw new UnauthenticatedError();
  return context.principal;
}

/**
 * `@Authorized()` means "any logged-in caller" and nothing more: what a caller may do to a resource is
 * an action of the catalogue (authz.ts), asserted by the service or by `@AllowedTo` on a field.
 */
export class LoggedInAuthChecker implements AuthCheckerInterface<AuthContext, never> {
  check({ context }: ResolverData<AuthContext>, grants: never[]): boolean {
    requirePrincipal(context);
    if (grants.length) throw new ForbiddenError('Role lists are not used here: assert an action of the catalogue instead.');
    return true;
  }
}

/**
 * Guards one field of an object type with an action of the catalogue, decided on the object being
 * resolved: `@AllowedTo('account.readPersonalData', (a: Account) => ({ accountId: a.id }))`.
 */
export function AllowedTo<A extends Action, T>(action: A, resourceOf: (root: T) => ActionResources[A]) {
  return UseMiddleware(({ root, context }: ResolverData<AuthContext>, next) => {
    assertCan(context.principal, action, resourceOf(root as T));
    return next();
  });
}
