import { expect } from 'vitest';

export interface GraphQLErrorShape { message: string; path?: (string | number)[]; extensions?: { code?: string; [key: string]: unknown } }
export interface GraphQLResponse<T> { status: number; data?: T; errors?: GraphQLErrorShape[] }

/** POSTs a GraphQL operation; returns the whole response, errors included. */
export async function post<T = any>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: response.status, ...body };
}

/** Data of an operation that must succeed; fails the test with the GraphQL errors printed. */
export async function gql<T = any>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const result = await post<T>(url, query, variables, token);
  if (result.errors?.length) throw new Error(`GraphQL errors:\n${JSON.stringify(result.errors, null, 2)}`);
  expect(result.data).toBeDefined();
  return result.data as T;
}

/** The errors of an operation that must fail; returns the first error's code for `expect`. */
export async function gqlError(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphQLErrorShape> {
  const result = await post(url, query, variables, token);
  if (!result.errors?.length) throw new Error(`Expected an error, got data: ${JSON.stringify(result.data)}`);
  return result.errors[0];
}
