import { expect } from 'vitest';
import { testGatewayProof } from './gateway-proof';

export interface GraphQLErrorShape { message: string; path?: (string | number)[]; extensions?: { code?: string; [key: string]: unknown } }
export interface GraphQLResponse<T> { status: number; data?: T; errors?: GraphQLErrorShape[] }

export interface PostOptions {
  /** Sign the request as the gateway would for this subgraph (direct calls to `_entities`, `_service`). */
  asGatewayTo?: string;
  headers?: Record<string, string>;
}

/** POSTs a GraphQL operation; returns the whole response, errors included. */
export async function post<T = any>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string, options: PostOptions = {}): Promise<GraphQLResponse<T>> {
  const body = JSON.stringify({ query, variables });
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.asGatewayTo ? { 'x-gateway-proof': await testGatewayProof(options.asGatewayTo, body) } : {}),
      ...options.headers,
    },
    body,
  });
  const answer = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: response.status, ...answer };
}

/** Data of an operation that must succeed; fails the test with the GraphQL errors printed. */
export async function gql<T = any>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string, options: PostOptions = {}): Promise<T> {
  const result = await post<T>(url, query, variables, token, options);
  if (result.errors?.length) throw new Error(`GraphQL errors:\n${JSON.stringify(result.errors, null, 2)}`);
  expect(result.data).toBeDefined();
  return result.data as T;
}

/** The errors of an operation that must fail; returns the first error's code for `expect`. */
export async function gqlError(url: string, query: string, variables: Record<string, unknown> = {}, token?: string, options: PostOptions = {}): Promise<GraphQLErrorShape> {
  const result = await post(url, query, variables, token, options);
  if (!result.errors?.length) throw new Error(`Expected an error, got data: ${JSON.stringify(result.data)}`);
  return result.errors[0];
}
