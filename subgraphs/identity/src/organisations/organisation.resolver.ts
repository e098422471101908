import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, requirePrincipal } from '../../../shared/src';
import { Account } from '../accounts/account.entity';
import type { ActingService } from './acting.service';
import { Delegation } from './delegation.entity';
import type { DelegationService } from './delegation.service';
import type { OrganisationActivityLog } from './organisation-activity';
import { OrganisationActivityEntry } from './organisation-activity.entity';
import { Organisation } from './organisation.entity';
import type { OrganisationContext } from './organisation.loader';
import { seeOrganisation, visibleTo, type OrganisationService } from './organisation.service';
import {
  ActingFor, ActingSession, DelegationConnection, GrantDelegationInput, OrganisationActivityConnection, OrganisationConnection, OrganisationRole,
  RegisterOrganisationInput,
} from './organisation.types';

@Resolver(() => Organisation)
export class OrganisationResolver {
  constructor(
    private readonly organisations: OrganisationService,
    private readonly delegationService: DelegationService,
    private readonly activityLog: OrganisationActivityLog,
    private readonly acting: ActingService,
  ) {}

  @Authorized()
  @Query(() => Organisation, { nullable: true, description: 'An organisation, for its legal representative, its delegates while their delegation lasts, and administrators; null for anyone else.' })
  async organisation(@Arg('id', () => ID) id: string, @Ctx() ctx: OrganisationContext): Promise<Organisation | null> {
    return visibleTo(ctx.principal, await seeOrganisation(ctx.principal, ctx.loaders.organisations, id));
  }

  @Authorized()
  @Query(() => OrganisationConnection, { description: 'The organisations the logged-in person represents or holds a live delegation of, newest first.' })
  myOrganisations(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: OrganisationContext) {
    return this.organisations.listMine(ctx.principal, page.first, page.after);
  }

  @Authorized()
  @Mutation(() => Organisation, {
    description: 'Registers an organisation by its tax code; the logged-in citizen (active at level 2) becomes its legal representative. '
      + 'A tax code already registered is CONFLICT.',
  })
  registerOrganisation(@Arg('input', () => RegisterOrganisationInput) input: RegisterOrganisationInput, @Ctx() ctx: OrganisationContext): Promise<Organisation> {
    return this.organisations.register(ctx.principal, input);
  }

  @Authorized()
  @Mutation(() => ActingSession, {
    description: 'Gives the legal representative, or a delegate under a live delegation, an access token that acts for the organisation: '
      + '`sub` is still the person, the `act_for` claim names the organisation, the delegation (null for the representative) and the scopes. '
      + 'It lives at most 15 minutes and never past the delegation; refreshSession gives the person\'s own token back, so act again after a refresh. '
      + 'Needs the token of a live session. A former delegate is FORBIDDEN with reason DELEGATION_REVOKED or DELEGATION_EXPIRED.',
  })
  actForOrganisation(@Arg('organisationId', () => ID) organisationId: string, @Ctx() ctx: OrganisationContext): Promise<ActingSession> {
    return this.acting.actFor(ctx.principal, organisationId);
  }

  @FieldResolver(() => Account, { description: 'The legal representative (người đại diện theo pháp luật); their personal data as for any account.' })
  representative(@Root() organisation: Organisation, @Ctx() ctx: OrganisationContext) {
    return ctx.loaders.accounts.load(organisation.representativeAccountId);
  }

  @FieldResolver(() => OrganisationRole, { nullable: true, description: 'How the logged-in person stands to it.' })
  async myRole(@Root() organisation: Organisation, @Ctx() ctx: OrganisationContext): Promise<OrganisationRole | null> {
    return this.organisations.roleOf(ctx.principal, await seeOrganisation(ctx.principal, ctx.loaders.organisations, organisation.id));
  }

  @FieldResolver(() => Delegation, { nullable: true, description: 'The logged-in person\'s live delegation of it, if any.' })
  async myDelegation(@Root() organisation: Organisation, @Ctx() ctx: OrganisationContext): Promise<Delegation | null> {
    return (await seeOrganisation(ctx.principal, ctx.loaders.organisations, organisation.id))?.callerDelegation ?? null;
  }

  @FieldResolver(() => DelegationConnection, { description: 'Its delegations, newest first, whatever their status. Only its legal representative (or an administrator) lists them.' })
  delegations(@Root() organisation: Organisation, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: OrganisationContext) {
    return this.delegationService.forOrganisation(ctx.principal, organisation, page.first, page.after);
  }

  @FieldResolver(() => OrganisationActivityConnection, {
    description: 'Every act for it, newest first: registration, delegations granted and revoked, tokens obtained to act for it, and every other identity '
      + 'mutation sent with such a token. Only its legal representative (or an administrator) reads it.',
  })
  activity(@Root() organisation: Organisation, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: OrganisationContext) {
    return this.activityLog.list(ctx.principal, organisation, page.first, page.after);
  }
}

@Resolver(() => Delegation)
export class DelegationResolver {
  constructor(private readonly delegations: DelegationService) {}

  @Authorized()
  @Query(() => DelegationConnection, { description: 'The delegations granted to the logged-in person, newest first, whatever their status.' })
  myDelegations(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: OrganisationContext) {
    return this.delegations.mine(ctx.principal, page.first, page.after);
  }

  @Authorized()
  @Mutation(() => Delegation, {
    description: 'The legal representative lets a level-2 citizen act for the organisation, with scopes, until a date (at most 365 days). '
      + 'A new grant to the same person replaces their current delegation.',
  })
  grantDelegation(@Arg('input', () => GrantDelegationInput) input: GrantDelegationInput, @Ctx() ctx: OrganisationContext): Promise<Delegation> {
    return this.delegations.grant(ctx.principal, input, ctx.loaders.organisations);
  }

  @Authorized()
  @Mutation(() => Delegation, {
    description: 'The legal representative revokes a delegation at once: no new token acts under it, and identity refuses the ones issued; '
      + 'other subgraphs accept those until they expire (at most 15 minutes). The delegate and administrators are FORBIDDEN; anyone else gets NOT_FOUND.',
  })
  revokeDelegation(@Arg('delegationId', () => ID) delegationId: string, @Ctx() ctx: OrganisationContext): Promise<Delegation> {
    return this.delegations.revoke(ctx.principal, delegationId);
  }

  @FieldResolver(() => Organisation, { nullable: true, description: 'Null when the caller no longer sees the organisation (a former delegate).' })
  async organisation(@Root() delegation: Delegation, @Ctx() ctx: OrganisationContext): Promise<Organisation | null> {
    return visibleTo(ctx.principal, await seeOrganisation(ctx.principal, ctx.loaders.organisations, delegation.organisationId));
  }

  @FieldResolver(() => Account, { description: 'The delegate; their personal data as for any account.' })
  delegate(@Root() delegation: Delegation, @Ctx() ctx: OrganisationContext) {
    return ctx.loaders.accounts.load(delegation.delegateAccountId);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'The personal identification number the delegation was granted to: for the representative (who typed it) and the delegate; null for anyone else '
      + '(staff read it as `delegate { personalIdNumber }`, which goes to the holder\'s access log).',
  })
  async delegatePersonalIdNumber(@Root() delegation: Delegation, @Ctx() ctx: OrganisationContext): Promise<string | null> {
    const caller = ctx.principal?.accountId;
    if (!caller) return null;
    const isRepresentative = (await seeOrganisation(ctx.principal, ctx.loaders.organisations, delegation.organisationId))?.organisation.representativeAccountId === caller;
    if (!isRepresentative && delegation.delegateAccountId !== caller) return null;
    return (await ctx.loaders.accounts.load(delegation.delegateAccountId))?.personalIdNumber ?? null;
  }
}

@Resolver(() => OrganisationActivityEntry)
export class OrganisationActivityResolver {
  constructor(private readonly delegations: DelegationService) {}

  @FieldResolver(() => Account, { description: 'Who acted; their personal data as for any account.' })
  actor(@Root() entry: OrganisationActivityEntry, @Ctx() ctx: OrganisationContext) {
    return ctx.loaders.accounts.load(entry.actorAccountId);
  }

  @FieldResolver(() => Delegation, { nullable: true, description: 'The delegation they acted under; null when they acted as the legal representative.' })
  async delegation(@Root() entry: OrganisationActivityEntry, @Ctx() ctx: OrganisationContext): Promise<Delegation | null> {
    if (!entry.delegationId) return null;
    return this.delegations.visible(ctx.principal, await ctx.loaders.delegations.load(entry.delegationId), ctx.loaders.organisations);
  }
}

/** Identity adds to Account whom the token of this request acts for. */
@Resolver(() => Account)
export class AccountActingForResolver {
  @FieldResolver(() => ActingFor, { nullable: true, description: 'For the logged-in account only: the organisation the access token of this request acts for (from actForOrganisation); null otherwise.' })
  async actingFor(@Root() account: Account, @Ctx() ctx: OrganisationContext): Promise<ActingFor | null> {
    const acting = ctx.principal?.actingFor;
    if (!acting || requirePrincipal(ctx).accountId !== account.id) return null;
    return {
      organisationId: acting.organisationId, delegationId: acting.delegationId, scopes: [...acting.scopes],
      organisation: visibleTo(ctx.principal, await seeOrganisation(ctx.principal, ctx.loaders.organisations, acting.organisationId)),
    };
  }
}
