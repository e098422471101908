import { createServer, type Server } from 'node:net';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type LocalRedis } from '../../scripts/lib/local-services';
import { aConfirmedCitizen, anOpenPostalPointCode, lastOtp, LOGIN, VERIFY } from '../kit/builders';
import { gql, gqlError, post } from '../kit/gql';
import { startStack, type Stack } from '../kit/stack';

/**
 * Redis stops while the graph runs, and comes back on the same address: the graph answers throughout, /ready says
 * `degraded` (200) instead of taking the replicas out, the security limits refuse rather than skip, and once Redis is
 * back everything is shared again (cache, limits, events, the revocation lists) without restarting any service.
 */

const CATALOGUE = `query($code: String!) { postalPoint(code: $code) { code isOpen } publicService(code: "GPLX_EXCHANGE") { feeSchedule { total } } }`;
const SERVICES = ['gateway', 'identity', 'documents', 'payments'] as const;
const SUBMIT = `mutation($input: SubmitDossierInput!) { submitDossier(input: $input) { id status } }`;

/**
 * Keeps Redis's port while Redis is down, so that nothing else on the machine (another test's service, an outgoing
 * connection's ephemeral port) takes it before Redis comes back on it. Every connection is dropped at once, so to the
 * services Redis is as unreachable as with nothing listening.
 */
async function holdPort(port: number): Promise<Server> {
  const holder = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => { holder.once('error', reject); holder.listen(port, '127.0.0.1', () => resolve()); });
  return holder;
}

describe('when Redis goes away and comes back', () => {
  let server: LocalRedis | undefined;
  let stack: Stack | undefined;
  /** Reads this file's own Redis (the stack's `redis` is the run's shared one). */
  let inspect: Redis;
  let port: number;
  let holder: Server | undefined;
  let citizen: Awaited<ReturnType<typeof aConfirmedCitizen>>;
  let postalPoint: string;
  /** Submitted while Redis is down: its event waits in documents' outbox. */
  let dossierId: string;

  beforeAll(async () => {
    server = await startRedisServer();
    port = Number(new URL(server.url).port);
    stack = await startStack({ redisUrl: server.url });
    inspect = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    inspect.on('error', () => { /* expected while Redis is down */ });
  });
  afterAll(async () => {
    await stack?.stop();
    inspect?.disconnect();
    await server?.stop();
    holder?.close();
  });

  const graph = () => stack!;
  const readinessOf = async (service: (typeof SERVICES)[number]) => {
    const base = service === 'gateway' ? graph().gateway.url : graph()[service].url;
    const response = await fetch(`${base}/ready`);
    return { service, status: response.status, body: (await response.json()) as { status: string; checks: Record<string, string> } };
  };
  const cacheKeyOf = (code: string) => `${graph().keyPrefix}payments:postal-point:v1:${code}`;
  const logIn = async () => {
    const { login } = await gql(graph().gatewayUrl, LOGIN, { username: citizen.input.personalIdNumber, password: citizen.input.password });
    const { verifyLoginOtp } = await gql(graph().gatewayUrl, VERIFY, { challengeId: login.challengeId, code: await lastOtp(graph(), citizen.input.phone as string) });
    return verifyLoginOtp.accessToken as string;
  };

  it('with Redis up: every service is ready and the cache fills', async () => {
    citizen = await aConfirmedCitizen(graph());
    postalPoint = await anOpenPostalPointCode(graph());
    for (const service of SERVICES) {
      await expect.poll(() => readinessOf(service), { timeout: 10_000, interval: 100 })
        .toMatchObject({ service, status: 200, body: { status: 'ready', checks: { redis: 'ok' } } });
    }
    await gql(graph().gatewayUrl, CATALOGUE, { code: postalPoint });
    expect(await inspect.exists(cacheKeyOf(postalPoint))).toBe(1);
  });

  it('Redis down: queries still answer, /ready says degraded naming redis (200), and logins are refused, not let through', async () => {
    const token = await logIn();
    await server!.stop();
    server = undefined;
    holder = await holdPort(port);

    for (const service of SERVICES) {
      await expect.poll(() => readinessOf(service), { timeout: 10_000, interval: 100 }).toMatchObject({
        service, status: 200, body: { status: 'degraded', checks: { redis: expect.stringMatching(/^unreachable/) } },
      });
    }
    const subgraph = await readinessOf('payments');
    expect(subgraph.body.checks).toEqual({ database: 'ok', redis: expect.stringMatching(/^unreachable/) });
    const gateway = await readinessOf('gateway');
    expect(gateway.body.checks).toEqual({ identity: 'ok', documents: 'ok', payments: 'ok', redis: expect.stringMatching(/^unreachable/) });

    // The cache fails open: lookups come from the database.
    expect(await gql(graph().gatewayUrl, CATALOGUE, { code: postalPoint })).toEqual({ postalPoint: { code: postalPoint, isOpen: true }, publicService: { feeSchedule: { total: '135000' } } });
    // A token issued before the outage still works: the revocation lists keep what they have.
    expect((await gql(graph().gatewayUrl, `{ me { id } }`, {}, token)).me).toEqual({ id: citizen.accountId });
    // A change is still made; its event waits in the outbox.
    dossierId = (await gql(graph().gatewayUrl, SUBMIT, { input: { serviceCode: 'GPLX_EXCHANGE', acceptDeclaration: true } }, token)).submitDossier.id;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await graph().payments.database.dataSource.query(`SELECT 1 FROM payments.dossiers WHERE id = $1`, [dossierId])).toEqual([]);
    // The login limits fail closed: no password is checked while its attempts cannot be counted.
    const refused = await gqlError(graph().gatewayUrl, LOGIN, { username: citizen.input.personalIdNumber, password: citizen.input.password });
    expect(refused.extensions?.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('Redis back on the same port: ready again within seconds, the cache is written again, logins work, events flow again — no restart', async () => {
    await new Promise((resolve) => holder!.close(resolve));
    holder = undefined;
    server = await startRedisServer({ port });
    for (const service of SERVICES) {
      await expect.poll(() => readinessOf(service), { timeout: 15_000, interval: 100 })
        .toMatchObject({ service, status: 200, body: { status: 'ready', checks: { redis: 'ok' } } });
    }

    // The new Redis is empty: the lookup is cached again in it.
    await expect.poll(async () => {
      await gql(graph().gatewayUrl, CATALOGUE, { code: postalPoint });
      return inspect.exists(cacheKeyOf(postalPoint));
    }, { timeout: 10_000, interval: 200 }).toBe(1);

    // The login limits count in Redis again.
    const token = await logIn();
    expect((await inspect.keys(`${graph().keyPrefix}limit:*`)).length).toBeGreaterThan(0);

    // Documents' outbox relay publishes what waited, and payments' consumer group reads it from the new Redis.
    await expect.poll(async () => (await graph().payments.database.dataSource.query(`SELECT status FROM payments.dossiers WHERE id = $1`, [dossierId]))[0]?.status ?? null,
      { timeout: 10_000, interval: 100 }).toBe('SUBMITTED');

    // Identity's outbox relay publishes to the new Redis, and the gateway's and subgraphs' revocation lists read it:
    // the ended session's token is refused everywhere, not only by identity.
    expect((await gql(graph().gatewayUrl, `mutation { logout }`, {}, token)).logout).toBe(true);
    const probes = [
      { url: graph().gatewayUrl, query: `{ me { id } }` },
      { url: `${graph().documents.url}/graphql`, query: `{ publicService(code: "GPLX_EXCHANGE") { code } }` },
      { url: `${graph().payments.url}/graphql`, query: `{ __typename }` },
    ];
    for (const { url, query } of probes) {
      await expect.poll(async () => {
        const answer = await post(url, query, {}, token);
        return { url, status: answer.status, reason: answer.errors?.[0]?.extensions?.reason };
      }, { timeout: 10_000, interval: 100 }).toEqual({ url, status: 401, reason: 'SESSION_ENDED' });
    }
  });
});
