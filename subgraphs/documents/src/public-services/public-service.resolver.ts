import { Arg, Args, Ctx, FieldResolver, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { ConnectionType, PageArgs } from '../../../shared/src';
import type { DocumentsContext } from '../context';
import { Agency } from '../agencies/agency.entity';
import { PublicService } from './public-service.entity';
import { ServiceGroup } from './service-groups';
import type { PublicServiceCatalogue } from './public-service.service';

@ObjectType()
export class PublicServiceConnection extends ConnectionType(PublicService, 'PublicService') {}

@Resolver(() => PublicService)
export class PublicServiceResolver {
  constructor(private readonly catalogue: PublicServiceCatalogue) {}

  @Query(() => PublicServiceConnection, { description: 'The catalogue; `search` ignores case and diacritics.' })
  publicServices(
    @Arg('search', () => String, { nullable: true }) search: string | undefined,
    @Arg('group', () => ServiceGroup, { nullable: true }) group: ServiceGroup | undefined,
    @Arg('agencyCode', () => String, { nullable: true }) agencyCode: string | undefined,
    @Args(() => PageArgs) page: PageArgs,
  ) {
    return this.catalogue.list({ search: search ?? undefined, group: group ?? undefined, agencyCode: agencyCode ?? undefined }, page.first, page.after);
  }

  @Query(() => PublicService, { nullable: true })
  publicService(@Arg('code', () => String) code: string, @Ctx() ctx: DocumentsContext): Promise<PublicService | null> {
    return ctx.loaders.services.load(code);
  }

  @Query(() => Agency, { name: 'agency', nullable: true, description: 'An agency by its code; null when unknown.' })
  agencyByCode(@Arg('code', () => String) code: string, @Ctx() ctx: DocumentsContext): Promise<Agency | null> {
    return ctx.loaders.agencies.load(code.trim().toUpperCase());
  }

  @FieldResolver(() => Agency, { description: 'The agency that handles its dossiers (cơ quan giải quyết).' })
  async agency(@Root() service: PublicService, @Ctx() ctx: DocumentsContext): Promise<Agency> {
    return (await ctx.loaders.agencies.load(service.agencyCode))!;
  }

  @FieldResolver(() => String, { deprecationReason: 'Use agency { name }.' })
  async agencyName(@Root() service: PublicService, @Ctx() ctx: DocumentsContext): Promise<string> {
    return (await ctx.loaders.agencies.load(service.agencyCode))!.name;
  }
}

