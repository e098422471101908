import { auditServer } from 'graphql-http';
import { describe, expect, it } from 'vitest';
import { useStack } from '../kit/stack';

/**
 * The GraphQL-over-HTTP specification's audits (graphql-http) against the gateway. Every MUST and SHOULD passes;
 * the MAYs that do not are listed with the reason, so a change to any of them is seen.
 */
describe('GraphQL over HTTP', () => {
  const stack = useStack({ postalPoints: 10 });

  it('passes every MUST and SHOULD of the graphql-http audits', async () => {
    const results = await auditServer({ url: stack.gatewayUrl, fetchFn: fetch });
    const notOk = results.filter((r) => r.status !== 'ok').map((r) => `${r.status} ${r.id}`);
    // The three MAYs are GET requests a browser could send across sites without a preflight: CSRF prevention refuses
    // them (400) unless the request carries a header a form cannot set (see the next test).
    expect(notOk.sort()).toEqual(['notice 5A70', 'notice 6A70', 'notice D6D5']);
    expect(results.length).toBeGreaterThan(40);
  });

  it('answers queries by GET (with a header a cross-site form cannot send), never mutations, in either media type', async () => {
    const url = `${stack.gatewayUrl}?query=${encodeURIComponent('query Point($code: String!) { postalPoint(code: $code) { code } }')}&variables=${encodeURIComponent(JSON.stringify({ code: '001-BC-0001' }))}`;
    const viaGet = await fetch(url, { headers: { 'apollo-require-preflight': 'true', accept: 'application/graphql-response+json' } });
    expect(viaGet.status).toBe(200);
    expect(viaGet.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    expect(await viaGet.json()).toEqual({ data: { postalPoint: { code: '001-BC-0001' } } });
    // A form-like GET with no such header is refused before anything runs.
    expect((await fetch(url)).status).toBe(400);
    const mutation = await fetch(`${stack.gatewayUrl}?query=${encodeURIComponent('mutation { logout }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(mutation.status).toBe(405);
  });

  it('answers a document that does not validate 400 to a client that accepts application/graphql-response+json, and 200 to one that accepts only application/json', async () => {
    const body = JSON.stringify({ query: '{ postalPoint(code: 42) { code } }' });
    const strict = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body });
    expect(strict.status).toBe(400);
    const legacy = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body });
    expect(legacy.status).toBe(200);
    expect(((await legacy.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
