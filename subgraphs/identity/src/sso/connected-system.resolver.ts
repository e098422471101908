import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../../../shared/src';
import { Account } from '../accounts/account.entity';
import type { IdentityContext } from '../context';
import type { ConnectedSystemService } from './connected-system.service';
import { ConnectedSystemConnection } from './connected-system.types';

/** The systems a person signed in to (single sign-on): listed on their account, revoked by them. */
@Resolver(() => Account)
export class ConnectedSystemResolver {
  constructor(private readonly systems: ConnectedSystemService) {}

  @FieldResolver(() => ConnectedSystemConnection, {
    description: 'The systems this person signed in to with their identity account and has not revoked, by name. Only the holder reads it, '
      + 'with the graph\'s own login (not with a token a relying party holds).',
  })
  connectedSystems(@Root() account: Account, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: IdentityContext) {
    return this.systems.list(ctx.principal, account.id, page.first, page.after);
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description: 'Revokes a system the logged-in person signed in to (a clientId from connectedSystems): its grants, codes and refresh tokens end at '
      + 'once, and its access tokens for the graph are refused everywhere within a second (UNAUTHENTICATED, reason SESSION_ENDED). Signing in to '
      + 'it again asks for consent again. A system the person has no connection with is NOT_FOUND.',
  })
  revokeConnectedSystem(@Arg('clientId', () => String) clientId: string, @Ctx() ctx: IdentityContext): Promise<boolean> {
    return this.systems.revoke(ctx.principal, clientId);
  }
}
