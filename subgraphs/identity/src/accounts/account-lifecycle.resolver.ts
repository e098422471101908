import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import { ConnectionType, PageArgs } from '../../../shared/src';
import type { IdentityContext } from '../context';
import { AccountStatusChange } from './account-lifecycle.entity';
import type { AccountLifecycleService } from './account-lifecycle.service';
import { Account, AccountStatus } from './account.entity';
import { AccountEvent } from './account-status';

@ObjectType()
export class AccountStatusChangeConnection extends ConnectionType(AccountStatusChange, 'AccountStatusChange') {}

const REASON = 'Why (1–500 characters); kept in the account\'s status history and shown to the holder.';

/** Suspending, reinstating and revoking accounts; the status an account reads (LOCKED included) and its history. */
@Resolver(() => Account)
export class AccountLifecycleResolver {
  constructor(private readonly lifecycle: AccountLifecycleService) {}

  @FieldResolver(() => AccountStatus, { description: 'LOCKED while too many failed logins keep the username locked (see lockedUntil); otherwise the stored status.' })
  status(@Root() account: Account, @Ctx() ctx: IdentityContext): Promise<AccountStatus> {
    return this.lifecycle.statusOf(account, ctx);
  }

  @FieldResolver(() => Date, { nullable: true, description: 'Until when failed logins keep the account locked; null when it is not locked.' })
  lockedUntil(@Root() account: Account, @Ctx() ctx: IdentityContext): Promise<Date | null> {
    return this.lifecycle.lockedUntil(account, ctx);
  }

  @FieldResolver(() => AccountStatusChangeConnection, { description: 'Every suspension, reinstatement and revocation, newest first. Only the holder (or an administrator) reads it.' })
  statusHistory(@Root() account: Account, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: IdentityContext) {
    return this.lifecycle.history(ctx.principal, account.id, page.first, page.after);
  }

  @Authorized()
  @Mutation(() => Account, { description: 'An administrator suspends an account: it can no longer log in, and every session of it ends.' })
  suspendAccount(@Arg('accountId', () => ID) accountId: string, @Arg('reason', () => String, { description: REASON }) reason: string, @Ctx() ctx: IdentityContext): Promise<Account> {
    return this.lifecycle.change(ctx.principal, accountId, AccountEvent.SUSPEND, reason);
  }

  @Authorized()
  @Mutation(() => Account, { description: 'An administrator lifts a suspension: the account is back to what its level had reached.' })
  reinstateAccount(@Arg('accountId', () => ID) accountId: string, @Arg('reason', () => String, { description: REASON }) reason: string, @Ctx() ctx: IdentityContext): Promise<Account> {
    return this.lifecycle.change(ctx.principal, accountId, AccountEvent.REINSTATE, reason);
  }

  @Authorized()
  @Mutation(() => Account, { description: 'An administrator revokes an account for good: it can never log in again, and every session of it ends.' })
  revokeAccount(@Arg('accountId', () => ID) accountId: string, @Arg('reason', () => String, { description: REASON }) reason: string, @Ctx() ctx: IdentityContext): Promise<Account> {
    return this.lifecycle.change(ctx.principal, accountId, AccountEvent.REVOKE, reason);
  }
}
