import 'reflect-metadata';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createLogger, Role } from '../../subgraphs/shared/src';
import { openDocumentsDatabase } from '../../subgraphs/documents/src/database/data-source';
import { seedDemoDossier } from '../../subgraphs/documents/src/database/seed';
import { openIdentityDatabase } from '../../subgraphs/identity/src/database/data-source';
import { seedDemoPartner, seedIdentity } from '../../subgraphs/identity/src/database/seed';
import { openPaymentsDatabase } from '../../subgraphs/payments/src/database/data-source';
import { seedDemoPayments } from '../../subgraphs/payments/src/database/seed';
import { generatePostalPoints } from '../../subgraphs/payments/src/postal-points/postal-point.generator';
import { importPostalPoints } from '../../subgraphs/payments/src/postal-points/postal-point.import';
import { importIntegratedDocuments, readDocumentsFile } from '../../subgraphs/documents/src/wallet/integrated-document.import';
import { ROOT } from './graph-processes';

/** The sample wallet (one document of each kind, one expired, one revoked), imported for the demo citizen. */
export const SAMPLE_DOCUMENTS = path.join(ROOT, 'scripts', 'data', 'sample-documents.jsonl');

/**
 * Applies every subgraph's migrations (which bring the reference data production has too: the public service
 * catalogue and the fee schedules), imports the generated ≈13,000 postal points through the same import as
 * production's file, and adds the development-only demo data: one account per role, and a dossier and a filled
 * wallet (scripts/data/sample-documents.jsonl, through the documents import) for the demo citizen. Idempotent; a point closed since the last run stays closed.
 */
export async function migrateAndSeed(
  databaseUrl: string,
  progress: (line: string) => void = (l) => process.stdout.write(l + '\n'),
  /** The demo partner bank's client secret (npm start keeps one in .data/); without it no demo partner is seeded. */
  options: { demoPartnerSecret?: string } = {},
): Promise<void> {
  const log = createLogger({ service: 'seed', level: 'warn' });
  const identity = await openIdentityDatabase(databaseUrl, log);
  const documents = await openDocumentsDatabase(databaseUrl, log);
  const payments = await openPaymentsDatabase(databaseUrl, log);
  try {
    progress('migrations applied (identity, documents, payments), with the public service catalogue and fee schedules');
    let lastShown = 0;
    const points = await importPostalPoints(payments.dataSource, generatePostalPoints(), {
      onProgress: (done, total) => {
        if (done === total || done - lastShown >= 4000) { lastShown = done; progress(`postal points: ${done.toLocaleString('en')} / ${total.toLocaleString('en')}`); }
      },
    });
    progress(`postal points inserted now: ${points.inserted}, updated: ${points.updated}, unchanged: ${points.unchanged}`);
    const accounts = await seedIdentity(identity.dataSource);
    progress(`demo accounts: ${accounts.size}`);
    await seedDemoDossier(documents.dataSource, accounts.get(Role.CITIZEN)!);
    progress('demo dossier for the demo citizen: present');
    // Through the production import, with every row put into the demo citizen's wallet (account ids are made at seeding).
    if (existsSync(SAMPLE_DOCUMENTS)) {
      const wallet = await importIntegratedDocuments(documents.dataSource, await readDocumentsFile(SAMPLE_DOCUMENTS), { holderAccountId: accounts.get(Role.CITIZEN)! });
      progress(`demo wallet for the demo citizen: ${wallet.inserted} inserted, ${wallet.updated} updated, ${wallet.unchanged} unchanged, ${wallet.rejected.length} rejected`);
    }
    const demoPayments = await seedDemoPayments(payments.dataSource, accounts.get(Role.POSTAL_CLERK)!);
    progress(`demo counter day at 001-BC-0001: ${demoPayments} movements today (replayed, not repeated, on a second start)`);
    if (options.demoPartnerSecret) {
      const partner = await seedDemoPartner(identity.dataSource, options.demoPartnerSecret, accounts.get(Role.CITIZEN));
      progress(`demo partner bank: client id ${partner.clientId}, with the demo citizen's consent`);
    }
  } finally {
    await Promise.all([identity.dataSource.destroy(), documents.dataSource.destroy(), payments.dataSource.destroy()]);
  }
}
