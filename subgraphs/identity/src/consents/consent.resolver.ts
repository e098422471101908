import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../../../shared/src';
import { Account } from '../accounts/account.entity';
import type { IdentityContext } from '../context';
import { Consent } from './consent.entity';
import type { ConsentService } from './consent.service';
import { ConsentConnection, GrantConsentInput } from './consent.types';

@Resolver(() => Consent)
export class ConsentResolver {
  constructor(private readonly consents: ConsentService) {}

  @Authorized()
  @Mutation(() => Consent, {
    description: 'The logged-in citizen lets a partner check some of their attributes, for a purpose, until a date. '
      + 'A new grant to the same partner for the same purpose replaces the current one.',
  })
  grantConsent(@Arg('input', () => GrantConsentInput) input: GrantConsentInput, @Ctx() ctx: IdentityContext): Promise<Consent> {
    return this.consents.grant(ctx.principal, input);
  }

  @Authorized()
  @Mutation(() => Consent, { description: 'Revokes one of the caller\'s consents at once. Someone else\'s consent is NOT_FOUND, as an unknown id is.' })
  revokeConsent(@Arg('consentId', () => ID) consentId: string, @Ctx() ctx: IdentityContext): Promise<Consent> {
    return this.consents.revoke(ctx.principal, consentId);
  }
}

/** Identity adds to Account the consents its holder gave. */
@Resolver(() => Account)
export class AccountConsentsResolver {
  constructor(private readonly service: ConsentService) {}

  @FieldResolver(() => ConsentConnection, { description: 'The consents this account\'s holder gave partners, newest first. Only the holder (or an administrator) reads them.' })
  consents(@Root() account: Account, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: IdentityContext) {
    return this.service.forAccount(ctx.principal, account.id, page.first, page.after);
  }
}
