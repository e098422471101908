import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { parse, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap, type ContainerType, type ResolverData } from 'type-graphql';
import { LoggedInAuthChecker, type AuthContext } from './auth/guard';
import { DateScalar, MoneyScalar } from './scalars';

/** The Federation version is pinned here once for every subgraph. */
const FEDERATION_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires"])';

/** Resolver instances of one running service, wired by hand in its `schema.ts` (no scanning, no magic). */
export class ResolverContainer implements ContainerType {
  private readonly instances = new Map<Function, object>();
  register<T extends object>(instance: T): this {
    this.instances.set(instance.constructor, instance);
    return this;
  }
  get(someClass: Function): object {
    const instance = this.instances.get(someClass);
    if (!instance) throw new Error(`No resolver instance registered for ${someClass.name}`);
    return instance;
  }
}

export interface ServiceContext extends AuthContext { container: ResolverContainer }

/** `__resolveReference` per entity type name; each must batch through a per-request DataLoader. */
export type ReferenceResolvers = Record<string, (reference: any, context: any) => unknown>;

const authChecker = new LoggedInAuthChecker();

/**
 * type-graphql builds an ordinary schema; this turns it into a Federation 2 subgraph. Reference
 * resolvers must be merged into the resolver map before `buildSubgraphSchema`, or they are lost.
 * The schema does not depend on any running resource: `npm run compose` builds it offline.
 */
export async function buildFederatedSchema(options: { resolvers: [Function, ...Function[]]; references?: ReferenceResolvers; orphanedTypes?: Function[] }): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: options.resolvers,
    orphanedTypes: options.orphanedTypes,
    skipCheck: true,
    validate: false,
    scalarsMap: [],
    authChecker: (data, roles) => authChecker.check(data as ResolverData<AuthContext>, roles as never),
    container: ({ context }: ResolverData<ServiceContext>) => context.container,
  });
  const typeDefs = parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(schema)}`);
  const resolvers = createResolversMap(schema) as Record<string, any>;
  for (const [typeName, resolveReference] of Object.entries(options.references ?? {})) {
    resolvers[typeName] = { ...resolvers[typeName], __resolveReference: resolveReference };
  }
  // Custom scalars keep their own parse/serialize in the subgraph schema.
  resolvers.Money = MoneyScalar;
  resolvers.Date = DateScalar;
  return buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> });
}
