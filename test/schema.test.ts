import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeGraph } from '../scripts/lib/supergraph';

const read = (file: string) => readFileSync(path.join(__dirname, '..', 'schema', file), 'utf8');

describe('schema/ (checked in)', () => {
  it('composes, and every checked-in file matches what the code prints (run `npm run compose` when this fails)', async () => {
    const graph = await composeGraph();
    for (const subgraph of graph.subgraphs) expect(read(`${subgraph.name}.graphql`), `schema/${subgraph.name}.graphql is stale`).toBe(subgraph.sdl);
    expect(read('supergraph.graphql'), 'schema/supergraph.graphql is stale').toBe(graph.supergraph);
  });

  it('never squeezes money into a 32-bit Int', async () => {
    const graph = await composeGraph();
    expect(graph.supergraph).toMatch(/scalar Money/);
    expect(graph.supergraph).toMatch(/amountDue: Money\b/);
    expect(graph.supergraph).not.toMatch(/(amount|total|amountDue): Int/);
  });
});
