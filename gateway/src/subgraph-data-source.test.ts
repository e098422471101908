import { generateKeyPairSync } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayProofSigner } from '../../subgraphs/shared/src/auth/gateway-proof';
import { SubgraphDataSource } from './subgraph-data-source';

const ANSWER = '{"data":{"ok":true}}';
const ok = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${ANSWER.length}\r\nConnection: keep-alive\r\n\r\n${ANSWER}`;

/**
 * A subgraph stand-in at the TCP level: `decide(n, socket)` gets the number of the request on its connection (1, 2 …)
 * and answers it, or drops the connection without reading on (as a server closing an idle kept-alive connection does).
 */
async function aSubgraph(decide: (requestOnConnection: number) => 'answer' | 'drop') {
  const seen = { connections: 0, requests: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    seen.connections += 1;
    let onThisConnection = 0;
    socket.on('data', (chunk) => {
      for (let i = 0; i < chunk.toString().split('POST ').length - 1; i += 1) {
        onThisConnection += 1;
        seen.requests += 1;
        if (decide(onThisConnection) === 'drop') { socket.destroy(); return; }
        socket.write(ok);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/graphql`;
  // The gateway's agent keeps its connections open: they are closed here, or the server would never finish closing.
  return { url, seen, close: () => new Promise<void>((resolve) => { sockets.forEach((s) => s.destroy()); server.close(() => resolve()); }) };
}

const signer = GatewayProofSigner.fromPem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
const ask = (source: SubgraphDataSource) => source.process({ kind: 'health check', request: { query: '{ ok }', http: { method: 'POST', url: '', headers: new Map() } }, context: {} } as never);

describe('the gateway\'s calls to a subgraph', () => {
  const servers: { close(): Promise<void> }[] = [];
  afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

  it('sends a request once more on a new connection when a kept-alive one was dropped as it went out', async () => {
    // Every connection answers its first request and drops on the second: what an idle timeout at the subgraph does.
    const subgraph = await aSubgraph((n) => (n === 1 ? 'answer' : 'drop'));
    servers.push(subgraph);
    const source = new SubgraphDataSource('payments', subgraph.url, await signer, 2_000);
    expect(await ask(source)).toEqual({ data: { ok: true } });
    expect(await ask(source)).toEqual({ data: { ok: true } });
    expect(subgraph.seen).toEqual({ connections: 2, requests: 3 });
  });

  it('does not send again what failed on a new connection: the subgraph may have read it', async () => {
    const subgraph = await aSubgraph(() => 'drop');
    servers.push(subgraph);
    const source = new SubgraphDataSource('payments', subgraph.url, await signer, 2_000);
    await expect(ask(source)).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE', service: 'payments' } });
    expect(subgraph.seen.requests).toBe(1);
  });
});
