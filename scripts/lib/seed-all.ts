import 'reflect-metadata';
import { createLogger, Role } from '../../subgraphs/shared/src';
import { openDocumentsDatabase } from '../../subgraphs/documents/src/database/data-source';
import { seedDemoDossier, seedDocuments } from '../../subgraphs/documents/src/database/seed';
import { openIdentityDatabase } from '../../subgraphs/identity/src/database/data-source';
import { seedIdentity } from '../../subgraphs/identity/src/database/seed';
import { openPaymentsDatabase } from '../../subgraphs/payments/src/database/data-source';
import { seedPayments } from '../../subgraphs/payments/src/database/seed';

/**
 * Applies every subgraph's migrations and seeds the demo data, idempotently: the catalogue and fee
 * schedules, ≈13,000 postal points, one account per role and a dossier for the demo citizen.
 */
export async function migrateAndSeed(databaseUrl: string, progress: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<void> {
  const log = createLogger({ service: 'seed', level: 'warn' });
  const identity = await openIdentityDatabase(databaseUrl, log);
  const documents = await openDocumentsDatabase(databaseUrl, log);
  const payments = await openPaymentsDatabase(databaseUrl, log);
  try {
    progress('migrations applied (identity, documents, payments)');
    const services = await seedDocuments(documents.dataSource);
    progress(`public service catalogue: ${services.services} services`);
    let lastShown = 0;
    const points = await seedPayments(payments.dataSource, {
      onProgress: (done, total) => {
        if (done === total || done - lastShown >= 4000) { lastShown = done; progress(`postal points: ${done.toLocaleString('en')} / ${total.toLocaleString('en')}`); }
      },
    });
    progress(`postal points inserted now: ${points.postalPointsInserted}, fee items inserted now: ${points.feeItemsInserted}`);
    const accounts = await seedIdentity(identity.dataSource);
    progress(`demo accounts: ${accounts.size}`);
    await seedDemoDossier(documents.dataSource, accounts.get(Role.CITIZEN)!);
    progress('demo dossier for the demo citizen: present');
  } finally {
    await Promise.all([identity.dataSource.destroy(), documents.dataSource.destroy(), payments.dataSource.destroy()]);
  }
}
