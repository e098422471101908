import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '../../shared/src';
import { resolveAccountReference } from './accounts/account.reference';
import { AccountResolver } from './accounts/account.resolver';
import { AccountAccessLogResolver } from './access-log/access-log.resolver';
import { ActivationResolver } from './activation/activation.resolver';

/** The identity subgraph's schema; needs no database, so `npm run compose` can print it. */
export function buildIdentitySchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [AccountResolver, AccountAccessLogResolver, ActivationResolver],
    references: { Account: resolveAccountReference },
  });
}
