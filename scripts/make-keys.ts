import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { newEs256KeyPair } from './lib/keys';

const HELP = `Usage: node dist/scripts/make-keys.js DIR [--owner UID:GID]

Writes the gateway's proof key pair into DIR, once (existing files are kept):
  DIR/gateway-proof-key.pem   ES256 private key (PKCS#8), mode 0600: GATEWAY_PRIVATE_KEY_FILE of the gateway
  DIR/gateway-proof-key.pub   its public key (SPKI), mode 0644: GATEWAY_PUBLIC_KEY_FILE of every subgraph
--owner gives the private key to that user (docker-compose runs the services as node, 1000:1000).
For trying the graph out (docker-compose.yml); production keeps its keys in its secret store.`;

function main(): void {
  const args = process.argv.slice(2);
  if (!args.length || args.includes('--help') || args.includes('-h')) { console.log(HELP); return; }
  const dir = args[0];
  const ownerArg = args.indexOf('--owner') >= 0 ? args[args.indexOf('--owner') + 1] : undefined;
  const owner = ownerArg?.split(':').map(Number);
  if (ownerArg && (owner!.length !== 2 || owner!.some((n) => !Number.isInteger(n)))) throw new Error(`--owner must be UID:GID, got ${ownerArg}`);
  mkdirSync(dir, { recursive: true });
  const privateFile = path.join(dir, 'gateway-proof-key.pem');
  const publicFile = path.join(dir, 'gateway-proof-key.pub');
  if (existsSync(privateFile) && existsSync(publicFile)) { console.log(`make-keys: ${dir} already has the gateway keys; kept`); return; }
  const pair = newEs256KeyPair();
  writeFileSync(privateFile, pair.privateKey, { mode: 0o600 });
  writeFileSync(publicFile, pair.publicKey, { mode: 0o644 });
  if (owner) { chownSync(privateFile, owner[0], owner[1]); chmodSync(privateFile, 0o600); }
  console.log(`make-keys: wrote ${privateFile} and ${publicFile}`);
}

try { main(); } catch (error) { console.error(`make-keys: ${(error as Error).message}`); process.exit(1); }
