import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { composeGraph } from './lib/supergraph';

const HELP = `Usage: npm run compose [-- --check]

Prints each subgraph's SDL from its code into schema/<name>.graphql and composes them into
schema/supergraph.graphql (the file the gateway serves).
  --check   write nothing; exit 1 if the checked-in files are stale or the graph does not compose`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) { console.log(HELP); return; }
  const check = args.includes('--check');
  const root = path.resolve(__dirname, '..', ...(__dirname.includes(`${path.sep}dist${path.sep}`) ? ['..'] : []));
  const dir = path.join(root, 'schema');
  const graph = await composeGraph();
  const files = [...graph.subgraphs.map((s) => ({ file: `${s.name}.graphql`, text: s.sdl })), { file: 'supergraph.graphql', text: graph.supergraph }];
  const stale: string[] = [];
  if (!check) mkdirSync(dir, { recursive: true });
  for (const { file, text } of files) {
    const target = path.join(dir, file);
    const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (current === text) { console.log(`unchanged  schema/${file}`); continue; }
    if (check) { stale.push(file); console.log(`stale      schema/${file}`); continue; }
    writeFileSync(target, text);
    console.log(`written    schema/${file}`);
  }
  if (stale.length) {
    console.error(`\n${stale.length} file(s) in schema/ do not match the code: run \`npm run compose\` and commit them.`);
    process.exit(1);
  }
}

main().catch((error) => { console.error((error as Error).message); process.exit(1); });
