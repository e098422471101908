import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '../../shared/src';
import { resolveAccountReference } from './accounts/account.reference';
import { AccountResolver } from './accounts/account.resolver';
import { AccountLifecycleResolver } from './accounts/account-lifecycle.resolver';
import { PasswordResolver } from './passwords/password.resolver';
import { SessionResolver } from './sessions/session.resolver';
import { AccountAccessLogResolver } from './access-log/access-log.resolver';
import { ActivationResolver } from './activation/activation.resolver';
import { IdentityQrResolver } from './qr/identity-qr.resolver';
import { PartnerResolver } from './partners/partner.resolver';
import { AccountConsentsResolver, ConsentResolver } from './consents/consent.resolver';
import { VerificationResolver } from './ekyc/verification.resolver';
import { AccountActingForResolver, DelegationResolver, OrganisationActivityResolver, OrganisationResolver } from './organisations/organisation.resolver';
import { resolveOrganisationReference } from './organisations/organisation.reference';
import { RelyingPartyResolver } from './sso/relying-party.resolver';
import { ConnectedSystemResolver } from './sso/connected-system.resolver';

/** The identity subgraph's schema; needs no database, so `npm run compose` can print it. */
export function buildIdentitySchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [AccountResolver, AccountLifecycleResolver, PasswordResolver, SessionResolver, AccountAccessLogResolver, ActivationResolver, IdentityQrResolver,
      PartnerResolver, ConsentResolver, AccountConsentsResolver, VerificationResolver,
      OrganisationResolver, DelegationResolver, OrganisationActivityResolver, AccountActingForResolver, RelyingPartyResolver,
      ConnectedSystemResolver],
    references: { Account: resolveAccountReference, Organisation: resolveOrganisationReference },
  });
}
