import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

/** Errors the GraphQL-over-HTTP specification answers with 200 to a client that accepts only application/json. */
const REQUEST_ERRORS = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);

/**
 * GraphQL over HTTP: a document that does not parse or validate, or variables that do not coerce, is 400 when the
 * client accepts `application/graphql-response+json` (it can tell a GraphQL error from a transport one), but SHOULD
 * be 200 for a client that accepts only `application/json` (or says nothing), whose tooling reads any 4xx as a
 * failed request and drops the errors. Apollo Server answers 400 to both; this plugin answers the second kind 200.
 */
export function legacyJsonStatusPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ request }) {
      const accept = request.http?.headers.get('accept') ?? '';
      if (accept.includes('application/graphql-response+json')) return {};
      return {
        async willSendResponse({ response, errors }) {
          if (response.http.status === 400 && errors?.length && errors.every((e) => REQUEST_ERRORS.has(String(e.extensions?.code)))) response.http.status = 200;
        },
      };
    },
  };
}
