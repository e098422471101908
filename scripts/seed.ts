import { migrateAndSeed } from './lib/seed-all';

const HELP = `Usage: NODE_ENV=development DATABASE_URL=postgres://… npm run seed

Applies every subgraph's migrations (they bring the public service catalogue and the fee schedules,
as in production), imports the generated development network of ≈13,000 postal points and adds the
demo accounts and dossier. Idempotent: safe to run again; a point closed since stays closed.
Runs only with NODE_ENV=development or test (unset means production, as for the services): the demo accounts have published passwords, and the postal
network is made up (production's comes from a file: npm run import:postal-points -- --help).`;

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) { console.log(HELP); return; }
  const env = process.env.NODE_ENV ?? 'production';
  if (env !== 'development' && env !== 'test') throw new Error(`seed: refusing to create demo accounts with NODE_ENV=${process.env.NODE_ENV ?? '(unset, i.e. production)'}; set NODE_ENV=development`);
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('seed: DATABASE_URL is required (npm start seeds its embedded Postgres by itself)');
  await migrateAndSeed(url, (line) => console.log(`seed: ${line}`));
}

main().catch((error) => { console.error((error as Error).message); process.exit(1); });
