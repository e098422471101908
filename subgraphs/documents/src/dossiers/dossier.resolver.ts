import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, requirePrincipal } from '../../../shared/src';
import type { DocumentsContext } from '../context';
import { Account } from '../accounts/account.stub';
import { PublicService } from '../public-services/public-service.entity';
import { Dossier } from './dossier.entity';
import { visibleTo } from './dossier.policy';
import type { DossierService } from './dossier.service';
import { DossierConnection, SubmitDossierInput } from './dossier.types';

@Resolver(() => Dossier)
export class DossierResolver {
  constructor(private readonly dossiers: DossierService) {}

  @Authorized()
  @Mutation(() => Dossier, { description: 'Submits a dossier online for the logged-in citizen.' })
  submitDossier(@Arg('input', () => SubmitDossierInput) input: SubmitDossierInput, @Ctx() ctx: DocumentsContext): Promise<Dossier> {
    return this.dossiers.submit(requirePrincipal(ctx), input, ctx.loaders);
  }

  @Authorized()
  @Query(() => Dossier, { nullable: true, description: 'Null when it does not exist or the caller may not see it.' })
  async dossier(@Arg('id', () => ID) id: string, @Ctx() ctx: DocumentsContext): Promise<Dossier | null> {
    return visibleTo(requirePrincipal(ctx), await ctx.loaders.dossiers.load(id), ctx.loaders.services);
  }

  @Authorized()
  @Query(() => Dossier, { nullable: true, description: 'By the code on the receipt; null when unknown or not visible to the caller.' })
  dossierByCode(@Arg('registrationCode', () => String) registrationCode: string, @Ctx() ctx: DocumentsContext): Promise<Dossier | null> {
    return this.dossiers.byCode(requirePrincipal(ctx), registrationCode.trim().toUpperCase(), ctx.loaders);
  }

  @FieldResolver(() => PublicService)
  async service(@Root() dossier: Dossier, @Ctx() ctx: DocumentsContext): Promise<PublicService> {
    return (await ctx.loaders.services.load(dossier.serviceCode))!;
  }
}

/** Documents adds to identity's Account the dossiers its holder submitted. */
@Resolver(() => Account)
export class AccountDossiersResolver {
  constructor(private readonly service: DossierService) {}

  @FieldResolver(() => DossierConnection, { description: 'Newest first. Only the holder (or an administrator) sees them.' })
  dossiers(@Root() account: Account, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: DocumentsContext) {
    return this.service.forAccount(requirePrincipal(ctx), account.id, page.first, page.after);
  }
}
