import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { aLoggedInCitizen, anOpenPostalPointCode, aRegistration, REGISTER } from '../kit/builders';
import { gql, post, type GraphQLResponse } from '../kit/gql';
import { useStack, type Stack } from '../kit/stack';

/** 22 fragments, each spreading the next twice (aliased so nothing merges): 2^22 copies once expanded. */
function fragmentFanOut(code: string, levels = 22): string {
  const fragments = Array.from({ length: levels + 1 }, (_, i) => (i === levels
    ? `fragment F${i} on PostalPoint { code name }`
    : `fragment F${i} on PostalPoint { a${i}: code ...F${i + 1} ... on PostalPoint { b${i}: name ...F${i + 1} } }`));
  return `query FanOut { postalPoint(code: "${code}") { ...F0 } }\n${fragments.join('\n')}`;
}

const PAGE = 'edges { node { code name kind provinceCode provinceName district address phone isOpen updatedAt } }';
/** `count` aliased pages of 100 postal points in one query. */
const postalPointsFlood = (count: number) => `{ ${Array.from({ length: count }, (_, i) => `p${i}: postalPoints(first: 100) { ${PAGE} }`).join(' ')} }`;
const loginBomb = (count: number) => `mutation { ${Array.from({ length: count }, (_, i) => `l${i}: login(username: "001190000123", password: "Guess-${i}!") { challengeId }`).join(' ')} }`;

/** Counts the GraphQL requests the subgraphs receive (the whole stack runs in this process). */
function subgraphRequests(stack: Stack): { readonly count: number; stop(): void } {
  const ports = new Set([stack.identity.port, stack.documents.port, stack.payments.port]);
  let count = 0;
  const onRequest = (message: unknown) => {
    const request = (message as { request: IncomingMessage }).request;
    if (ports.has(request.socket.localPort!) && request.url?.startsWith('/graphql')) count++;
  };
  diagnostics.subscribe('http.server.request.start', onRequest);
  return { get count() { return count; }, stop: () => { diagnostics.unsubscribe('http.server.request.start', onRequest); } };
}

const limitsOf = (response: GraphQLResponse<unknown>) => (response.errors ?? []).map((e) => e.extensions?.limit);

describe('operation limits: a small request cannot make the graph do unbounded work', () => {
  const stack = useStack({ postalPoints: 400 });

  it('refuses the fragment fan-out, a postal point flood and a login bomb before any subgraph call, naming the limit', async () => {
    const code = await anOpenPostalPointCode(stack);
    const before = stack.sqlStatements();
    const requests = subgraphRequests(stack);
    onTestFinished(() => requests.stop());

    const fanOut = await post(stack.gatewayUrl, fragmentFanOut(code));
    expect(fragmentFanOut(code).length).toBeGreaterThan(2000);
    expect(fanOut.status).toBe(400);
    expect(limitsOf(fanOut)).toEqual(['maxAliases', 'maxCost']);
    const cost = fanOut.errors!.find((e) => e.extensions?.limit === 'maxCost')!;
    expect(cost).toMatchObject({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxCost', max: 5000 } });
    expect(cost.message).toMatch(/^The operation costs \d+; at most 5000 is allowed \(limit maxCost\)\.$/);
    expect(cost.extensions?.actual).toBeGreaterThan(2 ** 22);

    // 300 aliased pages of 100 stop at the parser; ten (12010) at the cost.
    const flood = await post(stack.gatewayUrl, postalPointsFlood(300));
    expect(flood.status).toBe(400);
    expect(flood.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxTokens', max: 1000 }) })]);
    const ten = await post(stack.gatewayUrl, postalPointsFlood(10));
    expect(ten.errors).toEqual([{
      message: 'The operation costs 12010; at most 5000 is allowed (limit maxCost).',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxCost', max: 5000, actual: 12010 },
    }]);

    const logins = await post(stack.gatewayUrl, loginBomb(50));
    expect(logins.status).toBe(400);
    expect(logins.errors?.[0]).toEqual({
      message: 'The operation runs 50 mutation fields; at most 1 is allowed in one request (limit maxMutationFields).',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxMutationFields', max: 1, actual: 50 },
    });
    expect(limitsOf(logins)).toEqual(['maxMutationFields', 'maxAliases']);

    // Nothing reached a subgraph: no request, not one SQL statement.
    expect(requests.count).toBe(0);
    expect(stack.sqlStatements()).toBe(before);
    // (The counter does see the gateway's calls: a normal query makes one.)
    await gql(stack.gatewayUrl, 'query($code: String!) { postalPoint(code: $code) { code } }', { code });
    expect(requests.count).toBe(1);
  });

  it('keeps serving normal queries while the bombs are refused', async () => {
    const code = await anOpenPostalPointCode(stack);
    const normal = () => gql(stack.gatewayUrl, 'query($code: String!) { postalPoint(code: $code) { code name } publicService(code: "GPLX_EXCHANGE") { feeSchedule { total } } }', { code });
    const bombs = [fragmentFanOut(code), postalPointsFlood(300), postalPointsFlood(10), loginBomb(50)];
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => bombs.map((bomb) => post(stack.gatewayUrl, bomb))).flat(),
      ...Array.from({ length: 10 }, normal),
    ]);
    const [refused, answered] = [results.slice(0, 20) as GraphQLResponse<unknown>[], results.slice(20)];
    for (const response of refused) {
      expect(response.status).toBe(400);
      expect(response.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    for (const data of answered) expect(data).toEqual({ postalPoint: { code, name: expect.any(String) }, publicService: { feeSchedule: { total: '135000' } } });
  });

  it('refuses the same bombs sent straight to a subgraph, without the gateway', async () => {
    const code = await anOpenPostalPointCode(stack);
    const before = stack.sqlStatements();
    const payments = `${stack.payments.url}/graphql`;
    const identity = `${stack.identity.url}/graphql`;

    expect(limitsOf(await post(payments, fragmentFanOut(code)))).toEqual(['maxAliases', 'maxCost']);
    expect(limitsOf(await post(payments, postalPointsFlood(300)))).toEqual(['maxTokens']);
    expect(limitsOf(await post(payments, postalPointsFlood(10)))).toEqual(['maxCost']);
    const logins = await post(identity, loginBomb(50));
    expect(logins.status).toBe(400);
    expect(limitsOf(logins)).toEqual(['maxMutationFields', 'maxAliases']);
    expect(stack.sqlStatements()).toBe(before);

    // A normal query straight to the subgraph is still answered.
    expect(await gql(payments, 'query($code: String!) { postalPoint(code: $code) { code } }', { code })).toEqual({ postalPoint: { code } });
  });

  it('refuses a NUL character in a variable as BAD_USER_INPUT naming its path, and stores nothing', async () => {
    const input = aRegistration({ fullName: 'Nguyễn Thị\u0000Lan' }, await anOpenPostalPointCode(stack));
    const before = stack.sqlStatements();
    const response = await post(stack.gatewayUrl, REGISTER, { input });
    expect(response.status).toBe(400);
    expect(response.errors).toEqual([{
      message: 'Text must not contain the NUL character (U+0000).',
      extensions: { code: 'BAD_USER_INPUT', problems: [{ field: 'input.fullName', message: 'must not contain the NUL character (U+0000)' }] },
    }]);
    expect(stack.sqlStatements()).toBe(before);
  });

  it('still answers the portal’s deepest and costliest real queries', async () => {
    const { publicServices } = await gql(stack.gatewayUrl, '{ publicServices(first: 100) { edges { node { code name feeSchedule { total items { name amount } } } } } }');
    expect(publicServices.edges.length).toBeGreaterThan(0);
    // 8 levels deep, cost 1602: the deepest shape a portal asks for, at the biggest page.
    const citizen = await aLoggedInCitizen(stack);
    const { me } = await gql(stack.gatewayUrl, '{ me { dossiers(first: 100) { edges { node { service { feeSchedule { items { name } } } amountDue } } } } }', {}, citizen.token);
    expect(me.dossiers.edges).toEqual([]);
  });
});
