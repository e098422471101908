/**
 * The import boundaries of the layout, as dependency-cruiser rules. Paths are relative to the folder that
 * is cruised (the repository, or a fixture shaped like it).
 */
export const BOUNDARY_RULES = {
  forbidden: [
    {
      name: 'subgraphs-never-import-each-other',
      comment: 'A subgraph refers to another one\'s entities by key through the gateway, never to its code.',
      severity: 'error',
      from: { path: '^subgraphs/([^/]+)/', pathNot: '^subgraphs/shared/' },
      to: { path: '^subgraphs/[^/]+/', pathNot: '^subgraphs/($1|shared)/' },
    },
    {
      name: 'subgraphs-import-no-gateway',
      comment: 'Subgraphs are reached by the gateway, never the other way round in code.',
      severity: 'error',
      from: { path: '^subgraphs/' },
      to: { path: '^gateway/' },
    },
    {
      name: 'gateway-imports-no-subgraph',
      comment: 'The gateway knows the subgraphs only by the composed supergraph and their URLs.',
      severity: 'error',
      from: { path: '^gateway/' },
      to: { path: '^subgraphs/', pathNot: '^subgraphs/shared/' },
    },
    {
      name: 'platform-imports-no-service',
      comment: 'The shared platform serves every service and depends on none of them.',
      severity: 'error',
      from: { path: '^subgraphs/shared/' },
      to: { path: '^(gateway/|subgraphs/(?!shared/))' },
    },
    {
      name: 'services-import-no-scripts-or-tests',
      comment: 'What runs in production never loads the development scripts or the test kit.',
      severity: 'error',
      from: { path: '^(gateway|subgraphs)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(scripts|test)/' },
    },
    {
      name: 'services-use-no-dev-dependencies',
      comment: 'The production image has no devDependencies: a service importing one would fail there.',
      severity: 'error',
      from: { path: '^(gateway|subgraphs)/', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['npm-dev'] },
    },
  ],
} as const;
