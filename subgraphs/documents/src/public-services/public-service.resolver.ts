import { Arg, Args, Ctx, ObjectType, Query, Resolver } from 'type-graphql';
import { ConnectionType, PageArgs } from '../../../shared/src';
import type { DocumentsContext } from '../context';
import { PublicService } from './public-service.entity';
import type { PublicServiceCatalogue } from './public-service.service';

@ObjectType()
export class PublicServiceConnection extends ConnectionType(PublicService, 'PublicService') {}

@Resolver(() => PublicService)
export class PublicServiceResolver {
  constructor(private readonly catalogue: PublicServiceCatalogue) {}

  @Query(() => PublicServiceConnection, { description: 'The catalogue; `search` ignores case and diacritics.' })
  publicServices(@Arg('search', () => String, { nullable: true }) search: string | undefined, @Args(() => PageArgs) page: PageArgs) {
    return this.catalogue.list(search ?? undefined, page.first, page.after);
  }

  @Query(() => PublicService, { nullable: true })
  publicService(@Arg('code', () => String) code: string, @Ctx() ctx: DocumentsContext): Promise<PublicService | null> {
    return ctx.loaders.services.load(code);
  }
}

