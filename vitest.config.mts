import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Vite's transform reads tsconfig.json (experimentalDecorators, emitDecoratorMetadata), so the decorator
// metadata that type-graphql and TypeORM need is emitted in tests too.
export default defineConfig({
  // Our sources are bundled by Vite, which would pick graphql's ESM build, while type-graphql and Apollo
  // load the CommonJS one: two copies of graphql break `instanceof` checks. Pin ours to the same file.
  resolve: { alias: [{ find: /^graphql$/, replacement: path.resolve(import.meta.dirname, 'node_modules/graphql/index.js') }] },
  test: {
    include: ['subgraphs/*/src/**/*.test.ts', 'gateway/src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/kit/global-setup.ts'],
    setupFiles: ['reflect-metadata'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/kit/closing-line-reporter.ts'],
  },
});
