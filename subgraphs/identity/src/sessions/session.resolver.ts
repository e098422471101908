import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { PageArgs } from '../../../shared/src';
import type { IdentityContext } from '../context';
import type { SessionService } from './session.service';
import { SessionConnection } from './session.types';

/** The caller's own sessions: list them, end the current one (logout) or any other. */
@Resolver()
export class SessionResolver {
  constructor(private readonly sessions: SessionService) {}

  @Authorized()
  @Query(() => SessionConnection, { description: 'The logged-in account\'s live sessions, newest first; `current` marks this one.' })
  mySessions(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: IdentityContext) {
    return this.sessions.list(ctx.principal, page.first, page.after);
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description: 'Ends the session of the access token used: its refresh token stops working at once, and the access token is '
      + 'refused everywhere within a second (UNAUTHENTICATED, reason SESSION_ENDED). False when it had already ended.',
  })
  logout(@Ctx() ctx: IdentityContext): Promise<boolean> {
    return this.sessions.logout(ctx.principal);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Ends one of the logged-in account\'s sessions (an id from mySessions). Any other id is NOT_FOUND.' })
  revokeSession(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: IdentityContext): Promise<boolean> {
    return this.sessions.revoke(ctx.principal, sessionId);
  }
}
