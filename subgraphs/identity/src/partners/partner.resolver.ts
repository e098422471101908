import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { PageArgs } from '../../../shared/src';
import type { IdentityContext } from '../context';
import { Partner } from './partner.entity';
import type { PartnerService } from './partner.service';
import { PartnerConnection, PartnerCredentials, PartnerToken, RegisterPartnerInput } from './partner.types';

@Resolver(() => Partner)
export class PartnerResolver {
  constructor(private readonly service: PartnerService) {}

  @Authorized()
  @Query(() => PartnerConnection, { description: 'Partners by name: the active ones for citizens choosing whom to consent to; all for administrators.' })
  partners(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: IdentityContext) {
    return this.service.list(ctx.principal, page.first, page.after);
  }

  @Authorized()
  @Mutation(() => PartnerCredentials, { description: 'Registers a partner (administrators). The answer carries its client secret, shown this once.' })
  registerPartner(@Arg('input', () => RegisterPartnerInput) input: RegisterPartnerInput, @Ctx() ctx: IdentityContext): Promise<PartnerCredentials> {
    return this.service.register(ctx.principal, input);
  }

  @Authorized()
  @Mutation(() => PartnerCredentials, { description: 'Gives a partner a new client secret, shown this once; the old one stops working at once (administrators).' })
  rotatePartnerSecret(@Arg('partnerId', () => ID) partnerId: string, @Ctx() ctx: IdentityContext): Promise<PartnerCredentials> {
    return this.service.rotateSecret(ctx.principal, partnerId);
  }

  @Authorized()
  @Mutation(() => Partner, { description: 'Activates or deactivates a partner (administrators). An inactive partner gets no tokens and its checks are refused.' })
  setPartnerActive(@Arg('partnerId', () => ID) partnerId: string, @Arg('active', () => Boolean) active: boolean, @Ctx() ctx: IdentityContext): Promise<Partner> {
    return this.service.setActive(ctx.principal, partnerId, active);
  }

  @Mutation(() => PartnerToken, {
    description: 'A partner\'s machine client exchanges its client id and secret for a short-lived access token (role PARTNER_BANK). '
      + 'Partners never log in with a password and an SMS code.',
  })
  issuePartnerToken(@Arg('clientId', () => String) clientId: string, @Arg('clientSecret', () => String) clientSecret: string, @Ctx() ctx: IdentityContext): Promise<PartnerToken> {
    return this.service.issueToken(clientId, clientSecret, ctx.clientIp);
  }
}
