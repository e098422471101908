import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '../../shared/src';
import { resolveAccountReference } from './accounts/account.reference';
import { resolveAgencyReference } from './agencies/agency.reference';
import { resolveDossierReference } from './dossiers/dossier.reference';
import { AccountDossiersResolver, DossierResolver } from './dossiers/dossier.resolver';
import { resolvePublicServiceReference } from './public-services/public-service.reference';
import { OrganisationDossiersResolver } from './organisations/organisation-dossiers.resolver';
import { resolveOrganisationReference } from './organisations/organisation.reference';
import { PublicServiceResolver } from './public-services/public-service.resolver';

/** The documents subgraph's schema; needs no database, so `npm run compose` can print it. */
export function buildDocumentsSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [PublicServiceResolver, DossierResolver, AccountDossiersResolver, OrganisationDossiersResolver],
    references: {
      PublicService: resolvePublicServiceReference, Agency: resolveAgencyReference, Dossier: resolveDossierReference, Account: resolveAccountReference, Organisation: resolveOrganisationReference,
    },
  });
}
