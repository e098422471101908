import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { PageArgs } from '../../../shared/src';
import type { IdentityContext } from '../context';
import { RelyingParty } from './relying-party.entity';
import type { RelyingPartyService } from './relying-party.service';
import { RegisterRelyingPartyInput, RelyingPartyConnection, RelyingPartyCredentials } from './relying-party.types';

@Resolver(() => RelyingParty)
export class RelyingPartyResolver {
  constructor(private readonly service: RelyingPartyService) {}

  @Authorized()
  @Query(() => RelyingPartyConnection, { description: 'Relying parties (systems signing people in with OpenID Connect) by name (administrators).' })
  relyingParties(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: IdentityContext) {
    return this.service.list(ctx.principal, page.first, page.after);
  }

  @Authorized()
  @Mutation(() => RelyingPartyCredentials, {
    description: 'Registers a relying party (level-2 administrators). The answer carries its client id, its client secret (confidential clients; shown this once) '
      + 'and the discovery URL to point a standard OpenID Connect client at.',
  })
  registerRelyingParty(@Arg('input', () => RegisterRelyingPartyInput) input: RegisterRelyingPartyInput, @Ctx() ctx: IdentityContext): Promise<RelyingPartyCredentials> {
    return this.service.register(ctx.principal, input);
  }

  @Authorized()
  @Mutation(() => RelyingParty, { description: 'Deactivates (or reactivates) a relying party (administrators): an inactive one signs nobody in and gets no tokens.' })
  setRelyingPartyActive(@Arg('relyingPartyId', () => ID) relyingPartyId: string, @Arg('active', () => Boolean) active: boolean, @Ctx() ctx: IdentityContext): Promise<RelyingParty> {
    return this.service.setActive(ctx.principal, relyingPartyId, active);
  }
}
