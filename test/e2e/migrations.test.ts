import { describe, expect, it } from 'vitest';
import { createLogger } from '../../subgraphs/shared/src';
import { openDocumentsDatabase } from '../../subgraphs/documents/src/database/data-source';
import { openIdentityDatabase } from '../../subgraphs/identity/src/database/data-source';
import { openPaymentsDatabase } from '../../subgraphs/payments/src/database/data-source';
import { createTestDatabase } from '../kit/stack';

const log = createLogger({ service: 'test', level: 'silent' });

describe('migrations', () => {
  it('let replicas start together: each migration runs once, every replica ends up current', async () => {
    const url = await createTestDatabase();
    const replicas = await Promise.all([1, 2, 3].map(() => openIdentityDatabase(url, log)));
    try {
      const applied = await replicas[0].dataSource.query('SELECT name FROM identity.migrations');
      expect(applied).toHaveLength((replicas[0].dataSource.options.migrations as unknown[]).length);
      for (const replica of replicas) expect(await replica.dataSource.showMigrations()).toBe(false);
    } finally {
      await Promise.all(replicas.map((r) => r.dataSource.destroy()));
    }
  });

  it('keep each subgraph in its own schema, and can be undone', async () => {
    const url = await createTestDatabase();
    const databases = [await openIdentityDatabase(url, log), await openDocumentsDatabase(url, log), await openPaymentsDatabase(url, log)];
    try {
      const tables = await databases[0].dataSource.query(`SELECT table_schema AS schema, count(*)::int AS n FROM information_schema.tables WHERE table_schema IN ('identity', 'documents', 'payments') GROUP BY 1 ORDER BY 1`);
      expect(tables.map((t: { schema: string }) => t.schema)).toEqual(['documents', 'identity', 'payments']);
      for (const { dataSource } of databases) {
        while (await dataSource.query(`SELECT 1 FROM ${dataSource.driver.schema}.migrations LIMIT 1`).then((r: unknown[]) => r.length > 0)) await dataSource.undoLastMigration();
      }
      const left = await databases[0].dataSource.query(`SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema IN ('identity', 'documents', 'payments') AND table_name <> 'migrations'`);
      expect(left).toEqual([]);
    } finally {
      await Promise.all(databases.map((d) => d.dataSource.destroy()));
    }
  });
});
