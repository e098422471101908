import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../../../shared/src';
import type { DocumentsContext } from '../context';
import { DossierConnection } from '../dossiers/dossier.types';
import type { DossierService } from '../dossiers/dossier.service';
import { Organisation } from './organisation.stub';

/** Documents adds to identity's Organisation the dossiers submitted for it. */
@Resolver(() => Organisation)
export class OrganisationDossiersResolver {
  constructor(private readonly service: DossierService) {}

  @FieldResolver(() => DossierConnection, { nullable: true, description: 'Newest first. For whoever acts for the organisation with VIEW_DOSSIERS (a token from actForOrganisation). Null only with an error, when the documents service cannot answer.' })
  dossiers(@Root() organisation: Organisation, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: DocumentsContext) {
    return this.service.forOrganisation(ctx.principal, organisation.id, page.first, page.after);
  }
}
