import { randomUUID } from 'node:crypto';
import { buildSchema, graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DelegationScope, Role, type Principal } from '../../../shared/src';
import { guardOrganisationActs, type OrganisationActivityLog } from './organisation-activity';

describe('every identity mutation sent with a token that acts for an organisation', () => {
  const schemaWith = (calls: string[]) => {
    const schema = buildSchema(`type Query { me: String } type Mutation { createIdentityQr: String, grantDelegation: String }`);
    const log = { beforeMutation: async (_p: Principal, operation: string) => { calls.push(`check ${operation}`); } } as unknown as OrganisationActivityLog;
    const rootValue = { me: () => 'me', createIdentityQr: () => { calls.push('run createIdentityQr'); return 'qr'; }, grantDelegation: () => 'granted' };
    return { schema: guardOrganisationActs(schema, log), rootValue };
  };
  const acting: Principal = { accountId: randomUUID(), role: Role.CITIZEN, level: 2, actingFor: { organisationId: randomUUID(), delegationId: randomUUID(), scopes: [DelegationScope.PAY_FEES] } };

  it('passes the act check (and its record) before it runs; queries do not', async () => {
    const calls: string[] = [];
    const { schema, rootValue } = schemaWith(calls);
    expect((await graphql({ schema, rootValue, source: 'mutation { createIdentityQr }', contextValue: { principal: acting } })).data).toEqual({ createIdentityQr: 'qr' });
    expect((await graphql({ schema, rootValue, source: '{ me }', contextValue: { principal: acting } })).data).toEqual({ me: 'me' });
    expect(calls).toEqual(['check createIdentityQr', 'run createIdentityQr']);
  });

  it('goes straight to the resolver for anyone else', async () => {
    const calls: string[] = [];
    const { schema, rootValue } = schemaWith(calls);
    const { actingFor: _, ...own } = acting;
    for (const principal of [own, null]) {
      await graphql({ schema, rootValue, source: 'mutation { createIdentityQr }', contextValue: { principal } });
    }
    expect(calls).toEqual(['run createIdentityQr', 'run createIdentityQr']);
  });

  it('does not run when the act no longer stands', async () => {
    const calls: string[] = [];
    const schema = guardOrganisationActs(buildSchema(`type Query { me: String } type Mutation { createIdentityQr: String }`), {
      beforeMutation: async () => { throw new Error('ACT_ENDED'); },
    } as unknown as OrganisationActivityLog);
    const result = await graphql({ schema, rootValue: { createIdentityQr: () => calls.push('ran') }, source: 'mutation { createIdentityQr }', contextValue: { principal: acting } });
    expect(result.errors?.[0].message).toBe('ACT_ENDED');
    expect(calls).toEqual([]);
  });
});
