import 'reflect-metadata'; // the operation limits load the platform's pagination types, which are decorated
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import {
  GraphQLError, Kind, parse, print, Source, validate, visit,
  type DefinitionNode, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode,
} from 'graphql';
import { MANIFEST_FORMAT, operationId, type ManifestOperation, type PersistedQueryManifest } from '../gateway/src/operations/manifest';
import { OperationLimitChecker } from '../subgraphs/shared/src/operation-limits';

const HELP = `Usage: npm run operations:manifest [-- --check] [-- --dir <folder>] [-- --out <file>] [-- --supergraph <file>]

Reads every *.graphql file under the folder (default gateway/operations/, subfolders included), validates each operation
against the API schema of the supergraph the gateway serves (default schema/supergraph.graphql) and within the
default operation limits, and writes the persisted query manifest (default <folder>/manifest.json) in Apollo's
format: { format: "${MANIFEST_FORMAT}", version: 1, operations: [{ id, name, type, body }] },
the id being the SHA-256 of the body. Each body is the operation printed with the fragments it uses.
With PERSISTED_OPERATIONS=safelist the gateway runs only these operations.
  --check   write nothing; exit 1 if the manifest is stale or an operation does not validate`;

/** A problem with one operation file, named by file and position. */
export class OperationsError extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length} problem(s) in the operations:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

export interface ManifestOptions {
  /** The folder of *.graphql files. */
  dir: string;
  /** The supergraph whose API schema the operations must validate against. */
  supergraphPath: string;
  /** Told of each step (the command line prints them). */
  progress?: (line: string) => void;
}

/** Builds the manifest from the folder's *.graphql files; throws OperationsError naming every problem. */
export async function buildManifest(options: ManifestOptions): Promise<PersistedQueryManifest> {
  const progress = options.progress ?? (() => {});
  const files = graphqlFiles(options.dir);
  if (!files.length) throw new OperationsError([`${options.dir}: no *.graphql file`]);
  const problems: string[] = [];
  const operations = new Map<string, { node: OperationDefinitionNode; file: string }>();
  const fragments = new Map<string, { node: FragmentDefinitionNode; file: string }>();

  for (const file of files) {
    const name = path.relative(process.cwd(), file) || file;
    let document: DocumentNode;
    try {
      document = parse(new Source(readFileSync(file, 'utf8'), name));
    } catch (error) {
      problems.push(located(error as GraphQLError, name));
      continue;
    }
    let found = 0;
    for (const definition of document.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION) {
        found++;
        const operationName = definition.name?.value;
        // The manifest names every operation, and portals and logs know an operation by its name.
        if (!operationName) { problems.push(`${position(name, definition)}: an operation needs a name`); continue; }
        const earlier = operations.get(operationName);
        if (earlier) { problems.push(`${position(name, definition)}: the operation ${operationName} is also defined in ${earlier.file}`); continue; }
        operations.set(operationName, { node: definition, file: name });
      } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        const earlier = fragments.get(definition.name.value);
        if (earlier) { problems.push(`${position(name, definition)}: the fragment ${definition.name.value} is also defined in ${earlier.file}`); continue; }
        fragments.set(definition.name.value, { node: definition, file: name });
      } else {
        problems.push(`${position(name, definition)}: only operations and fragments belong in an operation file`);
      }
    }
    progress(`read       ${name} (${found} operation${found === 1 ? '' : 's'})`);
  }

  const schema = await apiSchemaOf(options.supergraphPath);
  const limits = new OperationLimitChecker({ schema: () => schema });
  const manifest: ManifestOperation[] = [];
  for (const [name, { node, file }] of [...operations].sort(([a], [b]) => a.localeCompare(b))) {
    const used = fragmentsUsedBy(node, fragments);
    const missing = used.filter((fragment) => !fragments.has(fragment));
    if (missing.length) { problems.push(`${position(file, node)}: ${name} spreads unknown fragment(s) ${missing.join(', ')}`); continue; }
    const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [node, ...used.sort().map((fragment) => fragments.get(fragment)!.node)] };
    const errors = validate(schema, document);
    if (errors.length) { problems.push(...errors.map((error) => located(error, file))); continue; }
    const body = print(document);
    const refusal = limits.check({ query: body, operationName: name });
    if (refusal) { problems.push(...refusal.body.errors.map((error) => `${position(file, node)}: ${name}: ${error.message}`)); continue; }
    manifest.push({ id: operationId(body), name, type: node.operation, body });
    progress(`valid      ${name} (${node.operation}, ${file})`);
  }
  if (problems.length) throw new OperationsError(problems);
  return { format: MANIFEST_FORMAT, version: 1, operations: manifest };
}

/** The manifest as the file holds it. */
export function renderManifest(manifest: PersistedQueryManifest): string {
  return JSON.stringify(manifest, null, 2) + '\n';
}

/** What differs between the manifest in the file and the one the folder makes: `+ Name`, `- Name`, `~ Name`. */
export function manifestChanges(current: string | undefined, wanted: PersistedQueryManifest): string[] {
  if (current === renderManifest(wanted)) return [];
  if (current === undefined) return ['there is no manifest file yet'];
  let before: ManifestOperation[] = [];
  try { before = (JSON.parse(current) as PersistedQueryManifest).operations ?? []; } catch { return ['the file is not JSON']; }
  const old = new Map(before.map((operation) => [operation.name, operation]));
  const changes: string[] = [];
  for (const operation of wanted.operations) {
    const earlier = old.get(operation.name);
    if (!earlier) changes.push(`+ ${operation.name}`);
    else if (earlier.id !== operation.id || earlier.body !== operation.body || earlier.type !== operation.type) changes.push(`~ ${operation.name}`);
    old.delete(operation.name);
  }
  for (const name of old.keys()) changes.push(`- ${name}`);
  return changes.length ? changes : ['the file is not written as this script writes it'];
}

/** Builds the manifest and compares it with the file: the changes the file lacks (none when it is up to date). */
export async function checkManifest(options: ManifestOptions & { out: string }): Promise<string[]> {
  const wanted = await buildManifest(options);
  return manifestChanges(existsSync(options.out) ? readFileSync(options.out, 'utf8') : undefined, wanted);
}

/** The API schema the gateway serves from this supergraph (what clients validate against: no join__ or link__ types). */
async function apiSchemaOf(supergraphPath: string): Promise<GraphQLSchema> {
  const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraphPath, 'utf8') });
  try {
    return (await gateway.load()).schema;
  } finally {
    await gateway.stop();
  }
}

function graphqlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.graphql'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** The fragments an operation spreads, and those they spread, each once. */
function fragmentsUsedBy(operation: OperationDefinitionNode, fragments: Map<string, { node: FragmentDefinitionNode }>): string[] {
  const used = new Set<string>();
  const pending: DefinitionNode[] = [operation];
  while (pending.length) {
    visit(pending.pop()!, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        if (used.has(name)) return;
        used.add(name);
        const fragment = fragments.get(name);
        if (fragment) pending.push(fragment.node);
      },
    });
  }
  return [...used];
}

function position(file: string, node: { loc?: { startToken: { line: number; column: number } } }): string {
  return node.loc ? `${file}:${node.loc.startToken.line}:${node.loc.startToken.column}` : file;
}

function located(error: GraphQLError, fallbackFile: string): string {
  const node = error.nodes?.[0];
  const file = node?.loc?.source.name ?? error.source?.name ?? fallbackFile;
  const at = error.locations?.[0] ?? (node?.loc ? { line: node.loc.startToken.line, column: node.loc.startToken.column } : undefined);
  return `${file}${at ? `:${at.line}:${at.column}` : ''}: ${error.message}`;
}

function argument(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (!value || value.startsWith('--')) throw new Error(`${name} needs a value (see --help)`);
  return value;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) { console.log(HELP); return; }
  const check = args.includes('--check');
  const root = path.resolve(__dirname, '..', ...(__dirname.includes(`${path.sep}dist${path.sep}`) ? ['..'] : []));
  const dir = path.resolve(argument(args, '--dir') ?? path.join(root, 'gateway', 'operations'));
  const out = path.resolve(argument(args, '--out') ?? path.join(dir, 'manifest.json'));
  const supergraphPath = path.resolve(argument(args, '--supergraph') ?? path.join(root, 'schema', 'supergraph.graphql'));
  const progress = (line: string) => console.log(line);
  const shown = path.relative(process.cwd(), out) || out;
  if (check) {
    const changes = await checkManifest({ dir, out, supergraphPath, progress });
    if (!changes.length) { console.log(`unchanged  ${shown}`); return; }
    console.error(`stale      ${shown}\n${changes.map((change) => `  ${change}`).join('\n')}\n\nThe manifest does not match the operations: run \`npm run operations:manifest\` and commit it.`);
    process.exit(1);
  }
  const manifest = await buildManifest({ dir, supergraphPath, progress });
  const text = renderManifest(manifest);
  if (existsSync(out) && readFileSync(out, 'utf8') === text) { console.log(`unchanged  ${shown} (${manifest.operations.length} operations)`); return; }
  writeFileSync(out, text);
  console.log(`written    ${shown} (${manifest.operations.length} operations)`);
}

// Run as a command, not when a test imports the functions above.
if (process.argv[1] && path.resolve(process.argv[1]).replace(/\.ts$/, '.js') === path.resolve(__filename).replace(/\.ts$/, '.js')) {
  main().catch((error) => { console.error((error as Error).message); process.exit(1); });
}
