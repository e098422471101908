import 'reflect-metadata';
import { composeServices } from '@apollo/composition';
import { printSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { buildDocumentsSchema } from '../../subgraphs/documents/src/schema';
import { buildIdentitySchema } from '../../subgraphs/identity/src/schema';
import { buildPaymentsSchema } from '../../subgraphs/payments/src/schema';

/** Default routing URLs written into the supergraph; the gateway can override each by environment. */
export const SUBGRAPHS = [
  { name: 'identity', url: 'http://127.0.0.1:4001/graphql', build: buildIdentitySchema },
  { name: 'documents', url: 'http://127.0.0.1:4002/graphql', build: buildDocumentsSchema },
  { name: 'payments', url: 'http://127.0.0.1:4003/graphql', build: buildPaymentsSchema },
] as const;

export interface ComposedGraph { subgraphs: { name: string; sdl: string }[]; supergraph: string }

/** Prints each subgraph's SDL from its code and composes them (Federation 2). Throws on composition errors. */
export async function composeGraph(): Promise<ComposedGraph> {
  const subgraphs = [];
  for (const subgraph of SUBGRAPHS) subgraphs.push({ name: subgraph.name, url: subgraph.url, sdl: printSubgraphSchema(await subgraph.build()) });
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors?.length) {
    throw new Error(`The subgraphs do not compose:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  return { subgraphs: subgraphs.map(({ name, sdl }) => ({ name, sdl: sdl.trimEnd() + '\n' })), supergraph: result.supergraphSdl!.trimEnd() + '\n' };
}
