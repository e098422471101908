import { Args, Ctx, FieldResolver, ObjectType, Resolver, Root } from 'type-graphql';
import { ConnectionType, PageArgs } from '../../../shared/src';
import { Account } from '../accounts/account.entity';
import type { IdentityContext } from '../context';
import { AccessLogEntry } from './access-log.entity';
import type { AccessLogService } from './access-log.service';

@ObjectType()
export class AccessLogConnection extends ConnectionType(AccessLogEntry, 'AccessLogEntry') {}

@Resolver(() => Account)
export class AccountAccessLogResolver {
  constructor(private readonly log: AccessLogService) {}

  @FieldResolver(() => AccessLogConnection, { description: 'Who accessed this account\'s data, newest first. Only the holder (or an administrator) reads it.' })
  accessLog(@Root() account: Account, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: IdentityContext) {
    return this.log.forAccount(ctx.principal, account.id, page.first, page.after);
  }
}
