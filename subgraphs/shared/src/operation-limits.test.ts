import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { buildSchema, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyseOperation, DEFAULT_COST_MODEL, DEFAULT_OPERATION_LIMITS, evaluateCost, nulInVariables, OperationLimitChecker, operationLimitsMiddleware,
  type OperationLimits,
} from './operation-limits';

// The shape of our graph: connections with `first`, a list without it, entities, two costly mutations.
const schema = buildSchema(`
  type Query {
    me: Account
    publicService(code: String!): PublicService
    postalPoints(first: Int, after: String, search: String): PostalPointConnection!
    _entities(representations: [String!]!): [PublicService]!
  }
  type Mutation { login(username: String!, password: String!): Challenge! registerCitizen(input: RegisterInput!): Challenge! }
  input RegisterInput { fullName: String! tags: [String!] }
  type Challenge { challengeId: ID! }
  type Account { id: ID! fullName: String dossiers(first: Int, after: String): DossierConnection! }
  type DossierConnection { edges: [DossierEdge!]! pageInfo: PageInfo! }
  type DossierEdge { node: Dossier! cursor: String! }
  type Dossier { id: ID! applicant: Account! service: PublicService! }
  type PublicService { code: String! name: String! feeSchedule: FeeSchedule! }
  type FeeSchedule { total: String! items: [FeeItem!]! }
  type FeeItem { name: String! amount: String! }
  type PostalPointConnection { edges: [PostalPointEdge!]! pageInfo: PageInfo! }
  type PostalPointEdge { node: PostalPoint! cursor: String! }
  type PostalPoint { code: String! name: String! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
`);

const checker = (limits: Partial<OperationLimits> = {}) => new OperationLimitChecker({ limits, schema: () => schema });
const analyse = (query: string, limits: Partial<OperationLimits> = {}, operationName?: string) =>
  analyseOperation(parse(query), operationName, { limits: { ...DEFAULT_OPERATION_LIMITS, ...limits }, schema });
const costOf = (query: string, variables: Record<string, unknown> = {}) => evaluateCost(analyse(query).cost, variables, DEFAULT_COST_MODEL);
/** The limits a request is refused for, or [] when it may go on. */
const refused = (c: OperationLimitChecker, query: string, variables?: Record<string, unknown>, operationName?: string) =>
  (c.check({ query, variables, operationName })?.body.errors ?? []).map((e) => e.extensions?.limit ?? e.extensions?.code);

/** 22 fragments, each spreading the next twice: 2^22 leaves once expanded, 2.4 kB of text. */
function fanOut(levels: number, { atRoot = false } = {}): string {
  const on = atRoot ? 'Query' : 'PublicService';
  const leaf = atRoot ? 'publicService(code: "GPLX_EXCHANGE") { name }' : 'name';
  const fragments = Array.from({ length: levels + 1 }, (_, i) => (i === levels
    ? `fragment F${i} on ${on} { ${leaf} }`
    : `fragment F${i} on ${on} { a${i}: __typename ...F${i + 1} ... on ${on} { b${i}: __typename ...F${i + 1} } }`));
  return `${atRoot ? 'query Bomb { ...F0 }' : 'query Bomb { publicService(code: "GPLX_EXCHANGE") { ...F0 } }'}\n${fragments.join('\n')}`;
}

describe('each limit, at its maximum and just over it', () => {
  it('maxTokens: the parser stops past the cap, and the refusal counts the tokens', () => {
    const query = '{ me { id } }'; // 6 tokens
    expect(refused(checker({ maxTokens: 6 }), query)).toEqual([]);
    const over = checker({ maxTokens: 5 }).check({ query });
    expect(over?.status).toBe(400);
    expect(over?.body.errors[0]).toEqual({
      message: 'The document has 6 tokens; at most 5 are allowed (limit maxTokens).',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxTokens', max: 5, actual: 6 },
    });
  });

  it('maxDepth: fields nested, fragments followed', () => {
    expect(refused(checker({ maxDepth: 3 }), '{ me { dossiers { __typename } } }')).toEqual([]);
    expect(refused(checker({ maxDepth: 3 }), '{ me { ...D } } fragment D on Account { dossiers { pageInfo { hasNextPage } } }')).toEqual(['maxDepth']);
    const [error] = checker({ maxDepth: 3 }).check({ query: '{ me { dossiers { pageInfo { hasNextPage } } } }' })!.body.errors;
    expect(error).toEqual({
      message: 'The operation is 4 levels deep; at most 3 are allowed (limit maxDepth).',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxDepth', max: 3, actual: 4 },
    });
  });

  it('maxAliases', () => {
    expect(refused(checker({ maxAliases: 2 }), '{ a: me { id } b: me { id } }')).toEqual([]);
    expect(refused(checker({ maxAliases: 2 }), '{ a: me { id } b: me { id } c: me { id } }')).toEqual(['maxAliases', ]);
  });

  it('maxRootFields (queries)', () => {
    expect(refused(checker({ maxRootFields: 2, maxAliases: 10 }), '{ me { id } p: publicService(code: "A") { name } }')).toEqual([]);
    expect(refused(checker({ maxRootFields: 2, maxAliases: 10 }), '{ me { id } p: publicService(code: "A") { name } __typename }')).toEqual(['maxRootFields']);
  });

  it('maxMutationFields: one login per request, a second is refused', () => {
    const login = (alias: string) => `${alias}: login(username: "u", password: "p") { challengeId }`;
    expect(refused(checker(), `mutation { ${login('a')} }`)).toEqual([]);
    const over = checker().check({ query: `mutation { ${login('a')} ${login('b')} }` });
    expect(over?.body.errors).toEqual([{
      message: 'The operation runs 2 mutation fields; at most 1 is allowed in one request (limit maxMutationFields).',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxMutationFields', max: 1, actual: 2 },
    }]);
    // The query cap does not apply to mutations, nor the other way round.
    expect(refused(checker({ maxMutationFields: 3, maxRootFields: 1 }), `mutation { ${login('a')} ${login('b')} ${login('c')} }`)).toEqual([]);
  });

  it('maxDirectives', () => {
    expect(refused(checker({ maxDirectives: 2 }), '{ me @include(if: true) { id @skip(if: false) } }')).toEqual([]);
    expect(refused(checker({ maxDirectives: 2 }), 'query Q @a { me @include(if: true) { id @skip(if: false) } }', {}, 'Q')).toEqual(['maxDirectives']);
  });

  it('maxCost: `first` multiplies its page', () => {
    const points = (first: number) => `{ postalPoints(first: ${first}) { edges { node { code } } } }`;
    expect(costOf(points(10))).toBe(31); // 1 + 10 × (edges 1 + node 1 + code 1)
    expect(refused(checker({ maxCost: 31 }), points(10))).toEqual([]);
    const over = checker({ maxCost: 31 }).check({ query: points(11) });
    expect(over?.body.errors).toEqual([{
      message: 'The operation costs 34; at most 31 is allowed (limit maxCost).',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxCost', max: 31, actual: 34 },
    }]);
  });
});

describe('fragments are counted after expansion, each measured once', () => {
  it('counts aliases, root fields and directives of a fragment once per spread', () => {
    const analysis = analyse(`{ ...P ...P ... on Query { ...P } } fragment P on Query @x { p: publicService(code: "A") @include(if: true) { name } }`);
    expect(analysis).toMatchObject({ aliases: 3, rootFields: 3, directives: 6, depth: 2 });
    expect(evaluateCost(analysis.cost, {}, DEFAULT_COST_MODEL)).toBe(6);
  });

  it('analyses the 22-level fan-out in a few dozen visits and refuses it by cost', () => {
    const query = fanOut(22);
    expect(query.length).toBeGreaterThan(2000);
    const analysis = analyse(query);
    // 5 selections per fragment, 3 more: the document's 113 selections, not its 2^22 expansion.
    expect(analysis.visits).toBe(5 * 22 + 3);
    expect(analysis.depth).toBe(2);
    expect(analysis.violations.map((v) => v.limit)).toEqual(['maxAliases', 'maxCost']);
    const cost = analysis.violations.find((v) => v.limit === 'maxCost')!;
    // 1 (publicService) + Σ 2^i __typename for i < 22, counted twice, + 2^22 names.
    expect(cost.actual).toBe(1 + 2 * (2 ** 22 - 1) + 2 ** 22);
    expect(cost.message).toBe(`The operation costs ${cost.actual}; at most 5000 is allowed (limit maxCost).`);
  });

  it('without aliases, the fan-out is refused by cost alone', () => {
    const query = fanOut(22).replace(/[ab]\d+: __typename /g, '');
    expect(refused(checker(), query)).toEqual(['maxCost']);
    expect(analyse(query).aliases).toBe(0);
  });

  it('at the root, the fan-out also exceeds the root fields', () => {
    expect(refused(checker(), fanOut(22, { atRoot: true }))).toEqual(['maxRootFields', 'maxAliases', 'maxCost']);
  });

  it('refuses a fragment cycle instead of following it', () => {
    const query = '{ ...A } fragment A on Query { me { ...B } } fragment B on Account { dossiers { edges { node { applicant { ...C } } } } } fragment C on Account { ...B }';
    const refusal = checker().check({ query });
    expect(refusal?.body.errors).toEqual([{
      message: 'Fragment "B" spreads itself (B → C → B); fragment cycles are not allowed (limit fragmentCycles).',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'fragmentCycles', max: 0, actual: 1 },
    }]);
  });

  it('measures only the chosen operation, and leaves an ambiguous or unknown one to Apollo', () => {
    const document = `query Small { me { id } } query Big { postalPoints(first: 100) { edges { node { code name } } } p: postalPoints(first: 100) { edges { node { code name } } } }`;
    expect(refused(checker({ maxCost: 500 }), document, {}, 'Small')).toEqual([]);
    expect(refused(checker({ maxCost: 500 }), document, {}, 'Big')).toEqual(['maxCost']); // 2 × 401
    expect(refused(checker({ maxCost: 500 }), document)).toEqual([]);
    expect(refused(checker({ maxCost: 500 }), document, {}, 'Nope')).toEqual([]);
  });
});

describe('the cost model', () => {
  const dossiers = 'query($n: Int) { me { dossiers(first: $n) { edges { node { id } } } } }';

  it('takes `first` from a literal or a variable, 20 when omitted or null, at most 100', () => {
    expect(costOf('{ me { dossiers(first: 5) { edges { node { id } } } } }')).toBe(2 + 5 * 3);
    expect(costOf(dossiers, { n: 5 })).toBe(2 + 5 * 3);
    expect(costOf(dossiers, { n: 50 })).toBe(2 + 50 * 3);
    expect(costOf(dossiers, {})).toBe(2 + 20 * 3);
    expect(costOf(dossiers, { n: null })).toBe(2 + 20 * 3);
    expect(costOf('{ me { dossiers { edges { node { id } } } } }')).toBe(2 + 20 * 3);
    expect(costOf(dossiers, { n: 100_000 })).toBe(2 + 100 * 3);
    expect(costOf('query($n: Int = 7) { me { dossiers(first: $n) { edges { node { id } } } } }')).toBe(2 + 7 * 3);
  });

  it('judges a cached analysis again with each request’s variables', () => {
    const c = checker({ maxCost: 2 + 50 * 3 });
    expect(refused(c, dossiers, { n: 50 })).toEqual([]);
    expect(refused(c, dossiers, { n: 51 })).toEqual(['maxCost']);
    expect(refused(c, dossiers, { n: 10 })).toEqual([]);
    expect(refused(c, dossiers, {})).toEqual([]);
    expect(c.analyses).toBe(1);
  });

  it('weighs a list without `first` by 10, the page of a connection once, and _entities by its representations', () => {
    expect(costOf('{ publicService(code: "A") { feeSchedule { items { name amount } } } }')).toBe(1 + 1 + 1 + 10 * 2);
    expect(costOf('{ postalPoints(first: 2) { edges { node { code } } pageInfo { hasNextPage } } }')).toBe(1 + 2 * (3 + 2));
    expect(costOf('query($r: [String!]!) { _entities(representations: $r) { name } }', { r: ['a', 'b', 'c'] })).toBe(1 + 3);
    expect(costOf('{ _entities(representations: ["a", "b"]) { name } }')).toBe(1 + 2);
  });

  it('counts introspection fields too', () => {
    expect(costOf('{ __schema { types { name fields { name } } } }')).toBe(1 + 1 + 10 * (1 + 1 + 10 * 1));
    expect(analyse('{ __schema { types { fields { type { ofType { name } } } } } }').depth).toBe(6);
  });

  it('without a schema, still weighs `first`', () => {
    const analysis = analyseOperation(parse('{ postalPoints(first: 100) { edges { node { code } } } }'), undefined, { limits: DEFAULT_OPERATION_LIMITS });
    expect(evaluateCost(analysis.cost, {}, DEFAULT_COST_MODEL)).toBe(1 + 100 * 3);
  });
});

describe('the NUL character (U+0000)', () => {
  it('is found anywhere in the variables and named by its path', () => {
    expect(nulInVariables({ input: { fullName: 'Lan', tags: ['ok', 'a\u0000b'] }, code: 'x' })).toEqual([
      { field: 'input.tags[1]', message: 'must not contain the NUL character (U+0000)' },
    ]);
    expect(nulInVariables({ a: { b: [{ c: '\u0000' }] } })).toEqual([{ field: 'a.b[0].c', message: 'must not contain the NUL character (U+0000)' }]);
    expect(nulInVariables({ input: { fullName: 'Trần Quốc Tuấn' } })).toEqual([]);
  });

  it('in a nested variable is BAD_USER_INPUT with its problems', () => {
    const refusal = checker().check({
      query: 'mutation($input: RegisterInput!) { registerCitizen(input: $input) { challengeId } }',
      variables: { input: { fullName: 'Nguyễn\u0000Lan', tags: [] } },
    });
    expect(refusal).toEqual({
      status: 400,
      body: { errors: [{ message: 'Text must not contain the NUL character (U+0000).', extensions: { code: 'BAD_USER_INPUT', problems: [{ field: 'input.fullName', message: 'must not contain the NUL character (U+0000)' }] } }] },
    });
  });

  it('in the query text, raw or escaped', () => {
    const raw = checker().check({ query: '{ publicService(code: "A\u0000") { name } }' });
    expect(raw?.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'query' }] });
    const escaped = checker().check({ query: 'mutation { registerCitizen(input: { fullName: "a\\u0000b" }) { challengeId } }' });
    expect(escaped?.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'registerCitizen.input.fullName' }] });
  });

  it('walks a deeply nested variable without recursion', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(nulInVariables({ v: deep })).toHaveLength(1);
  });
});

describe('the cache and persisted queries', () => {
  it('analyses a document once for many requests, and again when the schema changes', () => {
    let current = schema;
    const c = new OperationLimitChecker({ schema: () => current });
    for (let i = 0; i < 5; i++) c.check({ query: '{ me { id } }' });
    expect(c.analyses).toBe(1);
    c.check({ query: '{ me { id } }', operationName: 'Other' });
    expect(c.analyses).toBe(2);
    current = buildSchema('type Query { me: String }');
    c.check({ query: '{ me { id } }' });
    expect(c.analyses).toBe(3);
  });

  it('stays bounded', () => {
    const c = new OperationLimitChecker({ schema: () => schema, cacheSize: 2 });
    for (const q of ['{ me { id } }', '{ me { fullName } }', '{ me { id fullName } }', '{ me { id } }']) c.check({ query: q });
    expect(c.analyses).toBe(4);
  });

  it('asks for the full text of a persisted query it has not checked, then checks the hash alone with new variables', () => {
    const query = 'query($n: Int) { postalPoints(first: $n) { edges { node { code name } } } }';
    const hash = createHash('sha256').update(query).digest('hex');
    const c = checker({ maxCost: 100 }); // 1 + n × 4
    expect(c.check({ persistedQueryHash: hash, variables: { n: 10 } })?.body.errors[0]).toMatchObject({ extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
    expect(c.check({ query, persistedQueryHash: hash, variables: { n: 10 } })).toBeUndefined();
    expect(c.check({ persistedQueryHash: hash, variables: { n: 10 } })).toBeUndefined();
    expect(c.check({ persistedQueryHash: hash, variables: { n: 100 } })?.body.errors[0].extensions?.limit).toBe('maxCost');
  });

  it('leaves a syntax error to Apollo', () => {
    expect(checker().check({ query: '{ me { id }' })).toBeUndefined();
  });
});

describe('the middleware', () => {
  let url: string;
  let server: ReturnType<ReturnType<typeof express>['listen']>;
  beforeAll(async () => {
    const app = express();
    const limits = operationLimitsMiddleware({ limits: { maxAliases: 1 }, schema: () => schema, skip: (req) => req.header('x-trusted') === 'yes' });
    app.use('/graphql', express.json(), limits, (req, res) => { res.json({ reachedApollo: true }); });
    await new Promise<void>((resolve) => { server = app.listen(0, '127.0.0.1', () => resolve()); });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => { server.close(); });
  const aliased = '{ a: me { id } b: me { id } }';
  const postJson = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('refuses a POST over a limit with 400 and a GraphQL error, before the next handler', async () => {
    const response = await postJson({ query: aliased });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errors: [{ message: 'The operation uses 2 aliases; at most 1 is allowed (limit maxAliases).', extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxAliases', max: 1, actual: 2 } }] });
  });

  it('refuses a GET too, variables read from their JSON text', async () => {
    expect((await fetch(`${url}?query=${encodeURIComponent(aliased)}`)).status).toBe(400);
    const nul = await fetch(`${url}?query=${encodeURIComponent('query($c: String!) { publicService(code: $c) { name } }')}&variables=${encodeURIComponent(JSON.stringify({ c: 'a\u0000' }))}`);
    expect(nul.status).toBe(400);
    expect(((await nul.json()) as any).errors[0].extensions.problems).toEqual([{ field: 'c', message: 'must not contain the NUL character (U+0000)' }]);
  });

  it('checks every operation of a batch', async () => {
    expect((await postJson([{ query: '{ me { id } }' }, { query: aliased }])).status).toBe(400);
  });

  it('passes what is not a GraphQL request, a syntax error, a normal query and a skipped request through', async () => {
    for (const response of [
      await postJson({ hello: 'world' }),
      await postJson({ query: '{ me { id ' }),
      await postJson({ query: '{ me { id } }' }),
      await postJson({ query: aliased }, { 'x-trusted': 'yes' }),
      await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: aliased }),
    ]) {
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ reachedApollo: true });
    }
  });
});
