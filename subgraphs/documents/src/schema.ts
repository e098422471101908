import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '../../shared/src';
import { resolveAccountReference } from './accounts/account.reference';
import { resolveAgencyReference } from './agencies/agency.reference';
import { resolveDossierReference } from './dossiers/dossier.reference';
import { AccountDossiersResolver, DossierResolver, PublicServiceAppointmentResolver } from './dossiers/dossier.resolver';
import { resolvePublicServiceReference } from './public-services/public-service.reference';
import { OrganisationDossiersResolver } from './organisations/organisation-dossiers.resolver';
import { resolveOrganisationReference } from './organisations/organisation.reference';
import { PublicServiceResolver } from './public-services/public-service.resolver';
import { resolveDocumentsOfTypeReference } from './wallet/documents-of-type.reference';
import { resolveIntegratedDocumentReference } from './wallet/integrated-document.reference';
import { AccountDocumentsResolver, DocumentIntegrationRequestResolver, IntegratedDocumentResolver } from './wallet/wallet.resolver';
import { DocumentsOfType } from './wallet/wallet.types';

/** The documents subgraph's schema; needs no database, so `npm run compose` can print it. */
export function buildDocumentsSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [PublicServiceResolver, DossierResolver, PublicServiceAppointmentResolver, AccountDossiersResolver, OrganisationDossiersResolver, IntegratedDocumentResolver, DocumentIntegrationRequestResolver, AccountDocumentsResolver],
    references: {
      PublicService: resolvePublicServiceReference, Agency: resolveAgencyReference, Dossier: resolveDossierReference, Account: resolveAccountReference, Organisation: resolveOrganisationReference,
      IntegratedDocument: resolveIntegratedDocumentReference, DocumentsOfType: resolveDocumentsOfTypeReference,
    },
    // Reached only through its key (identity hands it over), never from a field of this subgraph.
    orphanedTypes: [DocumentsOfType],
  });
}
