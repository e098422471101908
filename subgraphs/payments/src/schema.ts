import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '../../shared/src';
import { resolveDossierReference } from './dossiers/dossier.reference';
import { DossierPaymentsResolver, DossierResolver } from './dossiers/dossier.resolver';
import { resolveAccountReference } from './accounts/account.reference';
import { Account } from './accounts/account.stub';
import { AccountPaymentsResolver, PaymentResolver } from './collections/collection.resolver';
import { resolvePaymentReference } from './collections/payment.reference';
import { Dossier } from './dossiers/dossier.stub';
import { resolvePostalPointReference } from './postal-points/postal-point.reference';
import { PostalPointResolver } from './postal-points/postal-point.resolver';
import { resolvePublicServiceReference } from './public-services/public-service.reference';
import { PublicServiceResolver } from './public-services/public-service.resolver';
import { PublicService } from './public-services/public-service.stub';
import { ReconciliationResolver } from './reconciliation/reconciliation.resolver';
import { RemittanceResolver } from './reconciliation/remittance.resolver';
import { SettlementBatchResolver } from './settlement/settlement.resolver';

/** The payments subgraph's schema; needs no database, so `npm run compose` can print it. */
export function buildPaymentsSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [PostalPointResolver, PublicServiceResolver, DossierResolver, DossierPaymentsResolver, PaymentResolver, AccountPaymentsResolver,
      RemittanceResolver, ReconciliationResolver, SettlementBatchResolver],
    // No query returns these: they are entered only through `_entities`, so type-graphql must be told about them.
    orphanedTypes: [PublicService, Dossier, Account],
    references: {
      PostalPoint: resolvePostalPointReference,
      PublicService: resolvePublicServiceReference,
      Dossier: resolveDossierReference,
      Payment: resolvePaymentReference,
      Account: resolveAccountReference,
    },
  });
}
