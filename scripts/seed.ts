import { migrateAndSeed } from './lib/seed-all';

const HELP = `Usage: DATABASE_URL=postgres://… npm run seed

Applies every subgraph's migrations and seeds the demo data (idempotent: safe to run again).
Refuses to run with NODE_ENV=production: the demo accounts have published passwords.`;

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) { console.log(HELP); return; }
  if (process.env.NODE_ENV === 'production') throw new Error('seed: refusing to create demo accounts with NODE_ENV=production');
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('seed: DATABASE_URL is required (npm start seeds its embedded Postgres by itself)');
  await migrateAndSeed(url, (line) => console.log(`seed: ${line}`));
}

main().catch((error) => { console.error((error as Error).message); process.exit(1); });
