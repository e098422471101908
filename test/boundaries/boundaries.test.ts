import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOUNDARY_RULES } from './rules';

const ROOT = path.resolve(__dirname, '../..');

/** dependency-cruiser is ESM-only; swc parses our TypeScript (TypeScript 7 has no compiler API to lend it). */
async function violations(baseDir: string, folders: string[]): Promise<{ rule: string; from: string; to: string }[]> {
  const { cruise } = await import('dependency-cruiser');
  const result = await cruise(folders, {
    baseDir,
    parser: 'swc',
    validate: true,
    ruleSet: BOUNDARY_RULES as never,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
  } as never, { extensions: ['.ts', '.js', '.json'] } as never);
  if (typeof result.output === 'string') throw new Error('dependency-cruiser answered text, not a result');
  return result.output.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
}

describe('import boundaries, checked by dependency-cruiser', () => {
  it('hold in the code: subgraphs, gateway and platform import only what the layout allows', async () => {
    expect(await violations(ROOT, ['gateway/src', 'subgraphs'])).toEqual([]);
  });

  it('are really checked: a fixture that breaks each rule is caught, rule by rule', async () => {
    const found = await violations(path.join(__dirname, 'fixture'), ['gateway', 'subgraphs']);
    expect(found.map((v) => `${v.rule}: ${v.from} -> ${v.to}`).sort()).toEqual([
      'gateway-imports-no-subgraph: gateway/src/server.ts -> subgraphs/payments/src/fees.ts',
      'platform-imports-no-service: subgraphs/shared/src/platform.ts -> subgraphs/identity/src/leaky.ts',
      'subgraphs-import-no-gateway: subgraphs/identity/src/leaky.ts -> gateway/src/server.ts',
      'subgraphs-never-import-each-other: subgraphs/identity/src/leaky.ts -> subgraphs/payments/src/fees.ts',
    ]);
  });
});
