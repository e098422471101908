import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import Redis from 'ioredis';
import { decodeJwt } from 'jose';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { loadGatewayConfig } from '../../gateway/src/config';
import { startGateway } from '../../gateway/src/index';
import { ConcurrencyLimiter } from '../../gateway/src/limits/concurrency';
import { DEFAULT_REQUEST_LIMITS } from '../../gateway/src/limits/request-limits';
import { Role, type RunningService } from '../../subgraphs/shared/src';
import { testGatewayKeys } from '../kit/gateway-proof';
import { gql, post } from '../kit/gql';
import { useStack } from '../kit/stack';

const SUPERGRAPH = path.join(__dirname, '../../schema/supergraph.graphql');
/** Answered by the gateway itself: a request that costs nothing but its count. */
const CHEAP = '{ __typename }';
const REGISTER_PARTNER = `mutation($input: RegisterPartnerInput!) { registerPartner(input: $input) { clientId clientSecret partner { id requestsPerMinute } } }`;
const ISSUE = `mutation($id: String!, $secret: String!) { issuePartnerToken(clientId: $id, clientSecret: $secret) { accessToken } }`;

interface Answer { status: number; retryAfter: string | null; errors?: { message: string; extensions: Record<string, unknown> }[]; data?: unknown }
interface Sent { ip?: string; name?: string; token?: string; query?: string; variables?: Record<string, unknown> }

/** A POST to /graphql from `ip` (the gateway believes X-Forwarded-For from the loopback here), named `name`, with `token`. */
async function send(gateway: RunningService, sent: Sent = {}): Promise<Answer> {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(sent.ip ? { 'x-forwarded-for': sent.ip } : {}),
      ...(sent.name ? { 'apollographql-client-name': sent.name, 'apollographql-client-version': '1.0.0' } : {}),
      ...(sent.token ? { authorization: `Bearer ${sent.token}` } : {}),
    },
    body: JSON.stringify({ query: sent.query ?? CHEAP, variables: sent.variables ?? {} }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), ...((await response.json()) as object) };
}

const statuses = (answers: Answer[]) => answers.map((a) => a.status);
const inSeries = async (count: number, one: (i: number) => Promise<Answer>) => {
  const answers: Answer[] = [];
  for (let i = 0; i < count; i += 1) answers.push(await one(i));
  return answers;
};

/** Checks the whole shape of a rate refusal: 429, Retry-After = retryAfterSeconds, the limit named with its maximum. */
function expectRateLimited(answer: Answer, limit: string, max: number, message: string) {
  expect(answer.status).toBe(429);
  expect(answer.errors).toEqual([{ message, extensions: { code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number), limit, max } }]);
  const seconds = answer.errors![0].extensions.retryAfterSeconds as number;
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(60);
  expect(answer.retryAfter).toBe(String(seconds));
}

/** A stand-in for payments that forwards to the real one, holding every request while `holding` (a slow subgraph). */
async function aHoldingProxy(target: string) {
  const state = { holding: true, received: 0 };
  const waiting: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    state.received += 1;
    const forward = () => {
      const upstream = http.request(new URL('/graphql', target), { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    };
    if (state.holding) waiting.push(forward); else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    state, url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/graphql`,
    release: () => { state.holding = false; waiting.splice(0).forEach((forward) => forward()); },
    close: () => { server.closeAllConnections(); server.close(); },
  };
}

describe('request limits at the gateway, per client and per address, shared through Redis', () => {
  const stack = useStack({ postalPoints: 20 });

  /** A key prefix of its own: each test counts in fresh windows. */
  const aPrefix = () => `${stack.keyPrefix}limits-${randomBytes(3).toString('hex')}:`;

  /** A gateway over the stack's subgraphs with the given settings, stopped after the test. */
  async function aGateway(settings: Record<string, string>, prefix = aPrefix()): Promise<RunningService & { prefix: string }> {
    const gateway = await startGateway(loadGatewayConfig({
      NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', GATEWAY_PORT: '0', TRUST_PROXY: 'loopback',
      SUPERGRAPH_PATH: SUPERGRAPH, GATEWAY_PRIVATE_KEY: testGatewayKeys().GATEWAY_PRIVATE_KEY,
      IDENTITY_URL: `${stack.identity.url}/graphql`, DOCUMENTS_URL: `${stack.documents.url}/graphql`, PAYMENTS_URL: `${stack.payments.url}/graphql`,
      IDENTITY_JWKS_URL: `${stack.identity.url}/.well-known/jwks.json`,
      REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: prefix,
      ...settings,
    }));
    onTestFinished(() => gateway.stop());
    return { ...gateway, prefix };
  }

  async function aPartner(requestsPerMinute?: number) {
    const input = { name: `Ngân hàng Giới hạn ${randomBytes(3).toString('hex')}`, purpose: 'eKYC khi mở tài khoản', allowedAttributes: ['FULL_NAME'], requestsPerMinute };
    const { registerPartner } = await gql(stack.gatewayUrl, REGISTER_PARTNER, { input }, await stack.tokenFor({ role: Role.ADMINISTRATOR }));
    const { issuePartnerToken } = await gql(stack.gatewayUrl, ISSUE, { id: registerPartner.clientId, secret: registerPartner.clientSecret });
    return { clientId: registerPartner.clientId as string, registered: registerPartner.partner.requestsPerMinute as number | null, token: issuePartnerToken.accessToken as string };
  }

  it('has defaults for every limit, and the suite\'s own stack is set far above its traffic', () => {
    const config = loadGatewayConfig({ GATEWAY_PRIVATE_KEY: testGatewayKeys().GATEWAY_PRIVATE_KEY });
    expect(config).toMatchObject({
      RATE_LIMIT_PER_IP_PER_MINUTE: DEFAULT_REQUEST_LIMITS.requestsPerIpPerMinute, RATE_LIMIT_PER_CLIENT_PER_MINUTE: DEFAULT_REQUEST_LIMITS.requestsPerClientPerMinute,
      CONCURRENCY_PER_CLIENT: DEFAULT_REQUEST_LIMITS.concurrentRequestsPerClient, MAX_BODY_BYTES: 100 * 1024, MAX_QUERY_LENGTH: DEFAULT_REQUEST_LIMITS.maxQueryLength,
    });
  });

  describe('requests per address', () => {
    it('refuses an address past its limit with 429, Retry-After and retryAfterSeconds, naming the limit; other addresses go on', async () => {
      const gateway = await aGateway({ RATE_LIMIT_PER_IP_PER_MINUTE: '3' });
      const answers = await inSeries(4, () => send(gateway, { ip: '203.0.113.10' }));
      expect(statuses(answers)).toEqual([200, 200, 200, 429]);
      expectRateLimited(answers[3], 'requestsPerIpPerMinute', 3, 'Too many requests from this address: at most 3 a minute.');
      expect((await send(gateway, { ip: '203.0.113.11' })).status).toBe(200);
      // One fixed window per address in Redis, which expires with it.
      const ttl = await stack.redis.pttl(`${gateway.prefix}limit:gateway-ip:203.0.113.10`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    });

    it('holds a caller that changes its client name at every request to its address\'s limit', async () => {
      const gateway = await aGateway({ RATE_LIMIT_PER_IP_PER_MINUTE: '4', RATE_LIMIT_PER_CLIENT_PER_MINUTE: '100' });
      const answers = await inSeries(6, (i) => send(gateway, { ip: '203.0.113.20', name: `portal-${i}` }));
      expect(statuses(answers)).toEqual([200, 200, 200, 200, 429, 429]);
      expectRateLimited(answers[4], 'requestsPerIpPerMinute', 4, 'Too many requests from this address: at most 4 a minute.');
    });

    it('counts an IPv6 caller by its /64, so rotating addresses inside it escapes nothing', async () => {
      const gateway = await aGateway({ RATE_LIMIT_PER_IP_PER_MINUTE: '2' });
      const answers = await inSeries(3, (i) => send(gateway, { ip: `2001:db8:1:2::${i + 1}` }));
      expect(statuses(answers)).toEqual([200, 200, 429]);
      expect((await send(gateway, { ip: '2001:db8:1:3::1' })).status).toBe(200);
    });
  });

  describe('requests per client', () => {
    it('holds a client named by its header to its own limit from every address, on top of the address limit', async () => {
      const gateway = await aGateway({ RATE_LIMIT_PER_IP_PER_MINUTE: '100', RATE_LIMIT_PER_CLIENT_PER_MINUTE: '3' });
      const answers = await inSeries(4, (i) => send(gateway, { ip: `198.51.100.${i + 1}`, name: 'portal-a' }));
      expect(statuses(answers)).toEqual([200, 200, 200, 429]);
      expectRateLimited(answers[3], 'requestsPerClientPerMinute', 3, 'Too many requests from this client: at most 3 a minute.');
      // The same name written otherwise is the same client; another name, or none, is not.
      expect((await send(gateway, { ip: '198.51.100.9', name: ' Portal-A ' })).status).toBe(429);
      expect((await send(gateway, { ip: '198.51.100.9', name: 'portal-b' })).status).toBe(200);
      expect((await send(gateway, { ip: '198.51.100.9' })).status).toBe(200);
    });

    it('counts a token\'s client (a relying party\'s client_id) whatever name the request gives itself', async () => {
      const gateway = await aGateway({ RATE_LIMIT_PER_IP_PER_MINUTE: '100', RATE_LIMIT_PER_CLIENT_PER_MINUTE: '3' });
      const token = await stack.tokenFor({ role: Role.CITIZEN, level: 1 }, { claims: { client_id: 'rp-portal-limits' } });
      const answers = await inSeries(4, (i) => send(gateway, { ip: `198.51.100.${20 + i}`, token, name: `disguise-${i}` }));
      expect(statuses(answers)).toEqual([200, 200, 200, 429]);
      expectRateLimited(answers[3], 'requestsPerClientPerMinute', 3, 'Too many requests from this client: at most 3 a minute.');
      // A header naming that client is another counter: it can neither spend nor borrow the token client's.
      expect((await send(gateway, { ip: '198.51.100.30', name: 'rp-portal-limits' })).status).toBe(200);
      // A forged token naming the client counts as no token (and is refused by the context).
      const forged = await send(gateway, { ip: '198.51.100.31', token: `${token.slice(0, -4)}AAAA` });
      expect(forged.status).toBe(401);
    });

    it('holds a partner to the limit of its own registration, carried in its token, and not to its address\'s', async () => {
      const gateway = await aGateway({ RATE_LIMIT_PER_IP_PER_MINUTE: '3', RATE_LIMIT_PER_CLIENT_PER_MINUTE: '2' });
      const generous = await aPartner(5);
      const unset = await aPartner();
      expect(generous.registered).toBe(5);
      expect(unset.registered).toBeNull();
      expect(decodeJwt(generous.token)).toMatchObject({ role: 'PARTNER_BANK', client_id: generous.clientId, requests_per_minute: 5 });
      expect(decodeJwt(unset.token)).not.toHaveProperty('requests_per_minute');

      // Five from one address (whose own limit is 3), each under another name: the partner's five, then its refusal.
      const answers = await inSeries(6, (i) => send(gateway, { ip: '192.0.2.50', token: generous.token, name: `bank-app-${i}` }));
      expect(statuses(answers)).toEqual([200, 200, 200, 200, 200, 429]);
      expectRateLimited(answers[5], 'requestsPerClientPerMinute', 5, 'Too many requests from this client: at most 5 a minute.');
      // Its requests spent nothing of the address's limit, and a partner registered without a limit gets the default.
      expect(statuses(await inSeries(3, () => send(gateway, { ip: '192.0.2.50' })))).toEqual([200, 200, 200]);
      const defaults = await inSeries(3, () => send(gateway, { ip: '192.0.2.51', token: unset.token }));
      expect(statuses(defaults)).toEqual([200, 200, 429]);
      expect(defaults[2].errors?.[0].extensions).toMatchObject({ limit: 'requestsPerClientPerMinute', max: 2 });
    });

    it('refuses a registration whose limit is out of range, naming the field', async () => {
      const admin = await stack.tokenFor({ role: Role.ADMINISTRATOR });
      for (const requestsPerMinute of [0, 100_001]) {
        const input = { name: `Ngân hàng ${randomBytes(3).toString('hex')}`, purpose: 'eKYC khi mở tài khoản', allowedAttributes: ['FULL_NAME'], requestsPerMinute };
        const answer = await post(stack.gatewayUrl, REGISTER_PARTNER, { input }, admin);
        expect(answer.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'requestsPerMinute', message: expect.any(String) }] });
      }
    });
  });

  describe('requests in flight per client', () => {
    it('refuses a client\'s next request while its cap is in flight (on either replica), and takes it once they finish', async () => {
      const payments = await aHoldingProxy(stack.payments.url);
      onTestFinished(() => payments.close());
      const prefix = aPrefix();
      const settings = { CONCURRENCY_PER_CLIENT: '2', PAYMENTS_URL: payments.url };
      const [a, b] = [await aGateway(settings, prefix), await aGateway(settings, prefix)];
      const slow = (gateway: RunningService, alias: string) => send(gateway, { name: 'slow-portal', query: `{ ${alias}: postalPoint(code: "001-BC-0001") { code } }` });

      const held = [slow(a, 'first'), slow(b, 'second')];
      await expect.poll(() => payments.state.received, { timeout: 5_000, interval: 20 }).toBe(2);
      const refused = await slow(a, 'third');
      expect(refused.status).toBe(429);
      expect(refused.errors).toEqual([{
        message: 'Too many requests from this client at once: at most 2 in flight.',
        extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 1, limit: 'concurrentRequestsPerClient', max: 2 },
      }]);
      expect(refused.retryAfter).toBe('1');
      expect(payments.state.received).toBe(2);
      // The cap is per client: another client, and a caller without a name, still go through.
      expect((await send(b, { name: 'quick-portal' })).status).toBe(200);
      expect((await send(a)).status).toBe(200);

      payments.release();
      expect(statuses(await Promise.all(held))).toEqual([200, 200]);
      const slots = `${prefix}limit:gateway-concurrency:name:slow-portal`;
      await expect.poll(() => stack.redis.zcard(slots), { timeout: 2_000, interval: 20 }).toBe(0);
      expect((await slow(b, 'fourth')).status).toBe(200);
    });

    it('lets the slots of a replica that crashed age out with their lease, while a live replica keeps its own', async () => {
      const url = inject('redisUrl');
      const clients = [new Redis(url), new Redis(url)];
      onTestFinished(() => clients.forEach((c) => c.disconnect()));
      await Promise.all(clients.map((c) => c.ping()));
      const prefix = aPrefix();
      const leaseMs = 600;

      // A replica takes both slots and dies: it neither releases them nor renews them.
      const crashed = new ConcurrencyLimiter(clients[0], prefix, { leaseMs });
      expect(await crashed.acquire('name:batch-job', 2)).not.toBeNull();
      expect(await crashed.acquire('name:batch-job', 2)).not.toBeNull();
      crashed.stop();
      const survivor = new ConcurrencyLimiter(clients[1], prefix, { leaseMs });
      onTestFinished(() => survivor.stop());
      expect(await survivor.acquire('name:batch-job', 2)).toBeNull();
      const started = Date.now();
      await expect.poll(async () => (await survivor.acquire('name:batch-job', 2)) !== null, { timeout: 3_000, interval: 50 }).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(leaseMs - 200);

      // A live replica renews its slots: held for three leases, they still count, and count no more once released.
      const live = new ConcurrencyLimiter(clients[0], prefix, { leaseMs });
      onTestFinished(() => live.stop());
      const slots = [await live.acquire('name:long-report', 2), await live.acquire('name:long-report', 2)];
      await new Promise((resolve) => setTimeout(resolve, 3 * leaseMs));
      expect(await survivor.acquire('name:long-report', 2)).toBeNull();
      slots.forEach((slot) => slot!.release());
      await expect.poll(async () => (await survivor.acquire('name:long-report', 2)) !== null, { timeout: 1_000, interval: 20 }).toBe(true);
      expect(await stack.redis.pttl(survivor.keyOf('name:long-report'))).toBeLessThanOrEqual(leaseMs);
    });
  });

  describe('replicas and parallel requests', () => {
    it('counts the requests of two replicas sharing one Redis into one limit', async () => {
      const prefix = aPrefix();
      const [a, b] = [await aGateway({ RATE_LIMIT_PER_IP_PER_MINUTE: '4' }, prefix), await aGateway({ RATE_LIMIT_PER_IP_PER_MINUTE: '4' }, prefix)];
      const answers = await inSeries(6, (i) => send(i % 2 === 0 ? a : b, { ip: '203.0.113.40' }));
      expect(statuses(answers)).toEqual([200, 200, 200, 200, 429, 429]);
      expect(await stack.redis.get(`${prefix}limit:gateway-ip:203.0.113.40`)).toBe('6');
    });

    it('lets exactly N of N + k parallel requests through, on one replica and across two', async () => {
      const single = await aGateway({ RATE_LIMIT_PER_IP_PER_MINUTE: '10' });
      const alone = await Promise.all(Array.from({ length: 25 }, () => send(single, { ip: '203.0.113.50' })));
      expect(alone.filter((a) => a.status === 200)).toHaveLength(10);
      expect(alone.filter((a) => a.status === 429)).toHaveLength(15);

      const prefix = aPrefix();
      const settings = { RATE_LIMIT_PER_IP_PER_MINUTE: '100', RATE_LIMIT_PER_CLIENT_PER_MINUTE: '10' };
      const [a, b] = [await aGateway(settings, prefix), await aGateway(settings, prefix)];
      const both = await Promise.all(Array.from({ length: 25 }, (_, i) => send(i % 2 === 0 ? a : b, { name: 'burst-portal' })));
      expect(both.filter((x) => x.status === 200)).toHaveLength(10);
      expect(both.filter((x) => x.status === 429).every((x) => x.errors?.[0].extensions.limit === 'requestsPerClientPerMinute')).toBe(true);
    });

    it('counts in the process when Redis cannot be reached, rather than refuse everything or nothing', async () => {
      // Nothing listens on port 1: every Redis command fails at once.
      const gateway = await aGateway({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_PER_IP_PER_MINUTE: '3' });
      const answers = await inSeries(4, () => send(gateway, { ip: '203.0.113.60' }));
      expect(statuses(answers)).toEqual([200, 200, 200, 429]);
      expectRateLimited(answers[3], 'requestsPerIpPerMinute', 3, 'Too many requests from this address: at most 3 a minute.');
    });
  });

  describe('request sizes', () => {
    it('refuses a body over MAX_BODY_BYTES with 413 naming the limit, whether its length is announced or not', async () => {
      const gateway = await aGateway({ MAX_BODY_BYTES: '2048' });
      const body = (bytes: number) => {
        const base = JSON.stringify({ query: CHEAP, variables: { padding: '' } });
        return JSON.stringify({ query: CHEAP, variables: { padding: 'x'.repeat(bytes - base.length) } });
      };
      expect(body(3000)).toHaveLength(3000);
      const announced = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(3000) });
      expect(announced.status).toBe(413);
      expect(await announced.json()).toEqual({ errors: [{
        message: 'The request body is larger than 2048 bytes (limit maxBodyBytes).',
        extensions: { code: 'BAD_REQUEST', limit: 'maxBodyBytes', max: 2048, actual: 3000 },
      }] });

      // Chunked, without Content-Length: counted as it arrives.
      const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = http.request(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (response) => {
          let text = '';
          response.on('data', (chunk) => { text += chunk; });
          response.on('end', () => resolve({ status: response.statusCode!, body: text }));
        });
        request.on('error', reject);
        const text = body(5000);
        for (let i = 0; i < text.length; i += 500) request.write(text.slice(i, i + 500));
        request.end();
      });
      expect(chunked.status).toBe(413);
      expect(JSON.parse(chunked.body).errors[0].extensions).toEqual({ code: 'BAD_REQUEST', limit: 'maxBodyBytes', max: 2048 });

      const fits = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(2048) });
      expect(fits.status).toBe(200);
    });

    it('refuses a batch of operations, naming the limit (Apollo Server\'s batching stays off)', async () => {
      const gateway = await aGateway({});
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ query: CHEAP }, { query: CHEAP }, { query: CHEAP }]),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ errors: [{
        message: 'Batched requests are not accepted: send one operation per request (limit maxBatchSize).',
        extensions: { code: 'BAD_REQUEST', limit: 'maxBatchSize', max: 1, actual: 3 },
      }] });
    });

    it('refuses a query over MAX_QUERY_LENGTH before parsing it, by POST and by GET, naming the limit', async () => {
      const gateway = await aGateway({ MAX_QUERY_LENGTH: '200' });
      // Mostly a comment: a handful of tokens, so only the length can refuse it.
      const long = `# ${'padding '.repeat(30)}\n${CHEAP}`;
      const expected = {
        message: `The query is ${long.length} characters long; at most 200 are allowed (limit maxQueryLength).`,
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxQueryLength', max: 200, actual: long.length },
      };
      const posted = await send(gateway, { query: long });
      expect(posted.status).toBe(400);
      expect(posted.errors).toEqual([expected]);
      const got = await fetch(`${gateway.url}/graphql?query=${encodeURIComponent(long)}`, { headers: { 'apollo-require-preflight': 'true' } });
      expect(got.status).toBe(400);
      expect(((await got.json()) as Answer).errors).toEqual([expected]);
      expect((await send(gateway, { query: `# ${'x'.repeat(200 - CHEAP.length - 3)}\n${CHEAP}` })).status).toBe(200);
    });
  });
});
