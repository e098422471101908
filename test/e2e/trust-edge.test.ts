import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { newEs256KeyPair } from '../../scripts/lib/keys';
import { startEmbeddedPostgres } from '../../scripts/lib/local-services';
import { loadDocumentsConfig } from '../../subgraphs/documents/src/config';
import { startDocuments } from '../../subgraphs/documents/src/index';
import { loadGatewayConfig } from '../../gateway/src/config';
import { loadIdentityConfig } from '../../subgraphs/identity/src/config';
import { startIdentity } from '../../subgraphs/identity/src/index';
import { generateSigningKeyPem } from '../../subgraphs/identity/src/sessions/signing-key';
import { loadPaymentsConfig } from '../../subgraphs/payments/src/config';
import { ConfigError, GatewayProofSigner, Role } from '../../subgraphs/shared/src';
import { testGatewayKeys, testGatewayProof } from '../kit/gateway-proof';
import { gql, post, type GraphQLResponse } from '../kit/gql';
import { createTestDatabase, startStack, useStack, type Stack } from '../kit/stack';
import type { TestTokenClaims } from '../kit/tokens';

const SERVICE_SDL = `{ _service { sdl } }`;
const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { __typename } }`;

/** One representation each subgraph knows how to resolve. */
const REPRESENTATIONS: Record<'identity' | 'documents' | 'payments', Record<string, unknown>[]> = {
  identity: [{ __typename: 'Account', id: randomUUID() }],
  documents: [{ __typename: 'PublicService', code: 'GPLX_EXCHANGE' }],
  payments: [{ __typename: 'PostalPoint', code: '001-BC-0001' }],
};
const SUBGRAPHS = Object.keys(REPRESENTATIONS) as (keyof typeof REPRESENTATIONS)[];

const ROLES: [string, TestTokenClaims | null][] = [
  ['anonymous', null],
  ['a citizen', { role: Role.CITIZEN }],
  ['a postal clerk', { role: Role.POSTAL_CLERK, postalPointCode: '001-BC-0001' }],
  ['an official', { role: Role.OFFICIAL, agencyCode: 'C06' }],
  ['a partner bank', { role: Role.PARTNER_BANK }],
  ['finance', { role: Role.FINANCE }],
  ['an administrator', { role: Role.ADMINISTRATOR }],
];

const urlOf = (stack: Stack, subgraph: keyof typeof REPRESENTATIONS) => `${stack[subgraph].url}/graphql`;
const codes = (response: GraphQLResponse<unknown>) => (response.errors ?? []).map((e) => e.extensions?.code);

/** A request signed with `proof`, which the test makes however it likes (right, forged, stale, for another body). */
async function postWithProof(url: string, body: string, proof: string, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gateway-proof': proof, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  return { status: response.status, ...((await response.json()) as Omit<GraphQLResponse<unknown>, 'status'>) };
}

describe('the trust edge: a subgraph reached directly grants nothing the gateway would not', () => {
  const stack = useStack({ postalPoints: 50 });

  describe.each(SUBGRAPHS)('the %s subgraph', (subgraph) => {
    it.each(ROLES)('refuses _service and _entities without the gateway proof to %s', async (_who, claims) => {
      const token = claims ? await stack.tokenFor(claims) : undefined;
      for (const [query, variables] of [[SERVICE_SDL, {}], [ENTITIES, { r: REPRESENTATIONS[subgraph] }]] as const) {
        const response = await post(urlOf(stack, subgraph), query, variables, token);
        expect(response.status).toBe(403);
        expect(response.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'GATEWAY_ONLY' });
        expect(response.data ?? null).toBeNull();
      }
    });

    it('refuses them however they are spelt: aliased, in a fragment, next to an ordinary field', async () => {
      for (const query of [
        `{ hidden: _service { sdl } }`,
        `query { ...Internals } fragment Internals on Query { _service { sdl } }`,
        `query { ... on Query { ... on Query { _service { sdl } } } }`,
        `query($r: [_Any!]!) { __typename e: _entities(representations: $r) { __typename } }`,
      ]) {
        const response = await post(urlOf(stack, subgraph), query, { r: REPRESENTATIONS[subgraph] });
        expect(codes(response)).toEqual(['FORBIDDEN']);
      }
    });

    it('answers them with the proof', async () => {
      const sdl = await gql(urlOf(stack, subgraph), SERVICE_SDL, {}, undefined, { asGatewayTo: subgraph });
      expect(sdl._service.sdl).toContain('@key');
      const token = await stack.tokenFor({ role: Role.ADMINISTRATOR });
      const { _entities } = await gql(urlOf(stack, subgraph), ENTITIES, { r: REPRESENTATIONS[subgraph] }, token, { asGatewayTo: subgraph });
      expect(_entities).toHaveLength(1);
    });

    it('refuses a forged, stale, misaddressed or replayed proof outright (401), never as an ordinary call', async () => {
      const body = JSON.stringify({ query: SERVICE_SDL, variables: {} });
      const other = subgraph === 'payments' ? 'documents' : 'payments';
      const forger = await GatewayProofSigner.fromPem(newEs256KeyPair().privateKey);
      const past = await GatewayProofSigner.fromPem(testGatewayKeys().GATEWAY_PRIVATE_KEY, () => Date.now() - 120_000);
      const proofs = {
        'signed with another key': await forger.sign(subgraph, body, '127.0.0.1'),
        'two minutes old': await past.sign(subgraph, body, '127.0.0.1'),
        [`made for ${other}`]: await testGatewayProof(other, body),
        'made for another body': await testGatewayProof(subgraph, JSON.stringify({ query: '{ __typename }', variables: {} })),
        'not a token at all': 'x.y.z',
      };
      for (const [how, proof] of Object.entries(proofs)) {
        const response = await postWithProof(urlOf(stack, subgraph), body, proof);
        expect({ how, status: response.status, extensions: response.errors?.[0].extensions }).toEqual({
          how, status: 401, extensions: { code: 'UNAUTHENTICATED', reason: 'GATEWAY_PROOF_INVALID' },
        });
      }
    });
  });

  it('no longer lets a caller set what a dossier owes: payments takes @requires fields only from the gateway', async () => {
    const token = await stack.tokenFor({ role: Role.CITIZEN });
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Dossier { amountDue } } }`;
    const r = [{ __typename: 'Dossier', id: randomUUID(), serviceCode: 'PROMOTION_NOTICE' }];
    expect(codes(await post(urlOf(stack, 'payments'), query, { r }, token))).toEqual(['FORBIDDEN']);
    // Even with the proof, an anonymous caller is asked to log in, as every dossier query does.
    const anonymous = await post(urlOf(stack, 'payments'), query, { r }, undefined, { asGatewayTo: 'payments' });
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
  });

  /**
   * Every root field, asked directly and through the gateway, by every role: the same error codes and the
   * same fields answered. Values may differ only where each call makes something new (ids, codes).
   */
  describe('every root field answers a direct call exactly as it answers through the gateway', () => {
    const dossierId = randomUUID();
    // Variables are made per call where a call counts against a limit (failed logins per username).
    const OPERATIONS: [string, keyof typeof REPRESENTATIONS, string, () => Record<string, unknown>][] = [
      ['me', 'identity', `{ me { id fullName } }`, () => ({})],
      ['login (unknown user)', 'identity', `mutation($u: String!) { login(username: $u, password: "Wrong-pass-1!") { challengeId } }`, () => ({ u: `nobody-${randomUUID().slice(0, 8)}` })],
      ['confirmPhone (unknown challenge)', 'identity', `mutation { confirmPhone(challengeId: "${randomUUID()}", code: "123456") { id } }`, () => ({})],
      ['refreshSession (unknown token)', 'identity', `mutation { refreshSession(refreshToken: "nope") { accessToken } }`, () => ({})],
      ['publicServices', 'documents', `{ publicServices(first: 2) { edges { node { code name } } } }`, () => ({})],
      ['publicService', 'documents', `{ publicService(code: "GPLX_EXCHANGE") { code agencyCode } }`, () => ({})],
      ['dossier', 'documents', `{ dossier(id: "${dossierId}") { id } }`, () => ({})],
      ['dossierByCode', 'documents', `{ dossierByCode(registrationCode: "HS-260101-ABCDEFGH") { id } }`, () => ({})],
      ['submitDossier (bad input)', 'documents', `mutation { submitDossier(input: { serviceCode: "NO_SUCH", appointmentDate: "2000-01-01", acceptDeclaration: true }) { id } }`, () => ({})],
      ['postalPoint', 'payments', `{ postalPoint(code: "001-BC-0001") { code name isOpen } }`, () => ({})],
      ['postalPoints', 'payments', `{ postalPoints(provinceCode: "001", first: 2) { edges { node { code } } } }`, () => ({})],
      ['setPostalPointOpen (to what it is)', 'payments', `mutation { setPostalPointOpen(code: "001-BC-0002", isOpen: true) { code isOpen } }`, () => ({})],
    ];
    const shape = (response: GraphQLResponse<Record<string, unknown>>) => ({
      codes: codes(response),
      problems: response.errors?.map((e) => e.extensions?.problems ?? null),
      answered: response.data ? Object.fromEntries(Object.entries(response.data).map(([field, value]) => [field, value !== null])) : null,
    });

    it.each(OPERATIONS)('%s', async (_name, subgraph, query, variables) => {
      for (const [who, claims] of ROLES) {
        const token = claims ? await stack.tokenFor(claims) : undefined;
        const direct = await post(urlOf(stack, subgraph), query, variables(), token);
        const viaGateway = await post(stack.gatewayUrl, query, variables(), token);
        expect({ who, ...shape(direct) }).toEqual({ who, ...shape(viaGateway) });
      }
    });
  });

  describe('access tokens', () => {
    it.each<[string, Parameters<Stack['tokenFor']>[1]]>([
      ['issued ten minutes in the future', { issuedInSeconds: 600 }],
      ['of another type (an ID token, say)', { header: { typ: 'JWT' } }],
      ['without a type', { header: { typ: undefined } }],
      ['naming no key', { header: { kid: undefined } }],
    ])('refuses one %s, at the gateway and at each subgraph', async (_how, tampering) => {
      const token = await stack.tokenFor({ role: Role.ADMINISTRATOR }, tampering);
      for (const url of [stack.gatewayUrl, ...SUBGRAPHS.map((s) => urlOf(stack, s))]) {
        const response = await post(url, `{ __typename }`, {}, token);
        expect({ url, status: response.status, codes: codes(response) }).toEqual({ url, status: 401, codes: ['UNAUTHENTICATED'] });
      }
    });
  });

  describe('errors keep their meaning and hide the inside', () => {
    it("passes a subgraph's BAD_USER_INPUT through the gateway with its problems, whatever the HTTP status", async () => {
      const token = await stack.tokenFor({ role: Role.CITIZEN });
      // Variables that do not coerce: the subgraph answers HTTP 400; the client still hears BAD_USER_INPUT.
      const badDate = await post(stack.gatewayUrl, `mutation($d: Date!) { submitDossier(input: { serviceCode: "GPLX_EXCHANGE", appointmentDate: $d, acceptDeclaration: true }) { id } }`, { d: '2026-02-30' }, token);
      expect(codes(badDate)).toEqual(['BAD_USER_INPUT']);
      expect(badDate.errors?.[0].message).toMatch(/YYYY-MM-DD/);
      // A service's own validation: every problem, each naming its field.
      const problems = await post(stack.gatewayUrl, `mutation { submitDossier(input: { serviceCode: "NO_SUCH", appointmentDate: "2000-01-01", acceptDeclaration: true }) { id } }`, {}, token);
      expect(problems.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'serviceCode' }, { field: 'appointmentDate' }] });
      for (const response of [badDate, problems]) expect(JSON.stringify(response)).not.toMatch(/127\.0\.0\.1|localhost|https?:\/\//);
    });

    it('answers text the database cannot store (a NUL character) as BAD_USER_INPUT, not a database error', async () => {
      const token = await stack.tokenFor({ role: Role.CITIZEN });
      const query = `mutation($a: String!) { submitDossier(input: { serviceCode: "GPLX_EXCHANGE", acceptDeclaration: true, deliveryMethod: POSTAL_DELIVERY, deliveryAddress: $a }) { id } }`;
      // Signed as the gateway, the request skips the limits that would refuse NUL first: this is the last line of defence.
      const response = await post(urlOf(stack, 'documents'), query, { a: 'Số 1 Tràng Tiền, Hoàn Kiếm\u0000' }, token, { asGatewayTo: 'documents' });
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      expect(JSON.stringify(response)).not.toMatch(/0x00|byte sequence|UTF8/i);
    });
  });
});

describe('a database that stops under a running graph', () => {
  it('is SERVICE_UNAVAILABLE for the request caught mid-way and for the next, naming no host, port or SQL', async () => {
    const postgres = await startEmbeddedPostgres();
    let stack: Stack | undefined;
    try {
      stack = await startStack({ postalPoints: 20, postgresUrl: postgres.url });
      await stack.flushCache();
      const query = `{ postalPoints(first: 1) { edges { node { code } } } }`;
      expect((await gql(stack.gatewayUrl, query)).postalPoints.edges).toHaveLength(1);

      // Hold the table so the next request is stuck inside PostgreSQL when the server goes away.
      const held = new Client({ connectionString: stack.databaseUrl });
      held.on('error', () => {});
      await held.connect();
      await held.query(`BEGIN; LOCK TABLE payments.postal_points IN ACCESS EXCLUSIVE MODE`);
      const midway = post(stack.gatewayUrl, `{ postalPoints(first: 1, search: "ha noi") { edges { node { code } } } }`);
      // The request is now waiting on the lock inside PostgreSQL: its connection is cut (as a failover or a
      // server shutdown cuts it), then the server stops for the requests that follow.
      await expect.poll(async () => (await held.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`)).rows[0].n).toBe(1);
      await held.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`);
      const caught = await midway;
      await held.end();
      await postgres.stop();

      for (const response of [caught, await post(stack.gatewayUrl, query), await post(stack.gatewayUrl, `{ publicServices(first: 1) { edges { node { code } } } }`)]) {
        expect(codes(response)).toEqual(['SERVICE_UNAVAILABLE']);
        expect(JSON.stringify(response)).not.toMatch(/\d+\.\d+\.\d+\.\d+|:\d{4,5}\b|ECONNREFUSED|SELECT|postgres|terminat/i);
      }
    } finally {
      await stack?.stop().catch(() => {});
      await postgres.stop().catch(() => {});
    }
  });
});

describe('safe defaults: NODE_ENV unset means production', () => {
  const minimal = (extra: Record<string, string> = {}) => ({ DATABASE_URL: 'postgres://x@127.0.0.1/x', GATEWAY_PUBLIC_KEY: testGatewayKeys().GATEWAY_PUBLIC_KEY, ...extra });

  it('reads an unset NODE_ENV as production in every service', () => {
    expect(loadDocumentsConfig(minimal()).NODE_ENV).toBe('production');
    expect(loadPaymentsConfig(minimal()).NODE_ENV).toBe('production');
    expect(loadGatewayConfig({ GATEWAY_PRIVATE_KEY: testGatewayKeys().GATEWAY_PRIVATE_KEY }).NODE_ENV).toBe('production');
  });

  it('refuses to start identity without its signing key, SMS gateway and Redis, and every service without the gateway key', () => {
    const problems = (load: () => unknown) => { try { load(); return []; } catch (error) { return (error as ConfigError).problems.map((p) => p.split(':')[0]); } };
    expect(problems(() => loadIdentityConfig(minimal()))).toEqual(expect.arrayContaining(['JWT_PRIVATE_KEY', 'SMS_GATEWAY_URL', 'REDIS_URL']));
    for (const load of [loadIdentityConfig, loadDocumentsConfig, loadPaymentsConfig]) {
      expect(problems(() => load({ NODE_ENV: 'development', DATABASE_URL: 'postgres://x@127.0.0.1/x' }))).toContain('GATEWAY_PUBLIC_KEY');
    }
    expect(problems(() => loadGatewayConfig({ NODE_ENV: 'development' }))).toContain('GATEWAY_PRIVATE_KEY');
    expect(problems(() => loadGatewayConfig({ NODE_ENV: 'development', GATEWAY_PRIVATE_KEY: 'not a key' }))).toContain('GATEWAY_PRIVATE_KEY');
  });

  it('takes any setting from a file (NAME_FILE, as Docker and Kubernetes secrets are mounted), and says which file it cannot read', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nig-keys-'));
    writeFileSync(path.join(dir, 'gateway.pub'), testGatewayKeys().GATEWAY_PUBLIC_KEY);
    const config = loadDocumentsConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x', GATEWAY_PUBLIC_KEY_FILE: path.join(dir, 'gateway.pub') });
    expect(config.GATEWAY_PUBLIC_KEY).toContain('BEGIN PUBLIC KEY');
    expect(() => loadDocumentsConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x', GATEWAY_PUBLIC_KEY_FILE: path.join(dir, 'missing.pub') }))
      .toThrow(/GATEWAY_PUBLIC_KEY_FILE: cannot read .*missing\.pub \(ENOENT\)/);
  });

  it('has no SMS outbox in an identity started without NODE_ENV (with the secrets production requires)', async () => {
    const identity = await startIdentity(loadIdentityConfig({
      ...minimal(), DATABASE_URL: await createTestDatabase(), LOG_LEVEL: 'silent', IDENTITY_PORT: '0',
      JWT_PRIVATE_KEY: await generateSigningKeyPem(), SMS_GATEWAY_URL: 'http://127.0.0.1:9/sms', REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: `test:${randomUUID().slice(0, 8)}:`, OTP_HMAC_SECRET: randomUUID() + randomUUID(),
    }));
    try {
      expect((await fetch(`${identity.url}/dev/sms`)).status).toBe(404);
      expect((await fetch(`${identity.url}/.well-known/jwks.json`)).status).toBe(200);
    } finally {
      await identity.stop();
    }
  });

  it('serves no introspection and no stack traces from a service started without NODE_ENV', async () => {
    const documents = await startDocuments(loadDocumentsConfig({ ...minimal(), DATABASE_URL: await createTestDatabase(), LOG_LEVEL: 'silent', DOCUMENTS_PORT: '0' }));
    try {
      const introspection = await post(`${documents.url}/graphql`, `{ __schema { types { name } } }`);
      expect(codes(introspection)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      const bad = await post(`${documents.url}/graphql`, `{ publicService(code: 42) { code } }`);
      expect(bad.errors?.[0].extensions).not.toHaveProperty('stacktrace');
    } finally {
      await documents.stop();
    }
  });
});
