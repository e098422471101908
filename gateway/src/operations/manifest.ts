import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * Apollo's persisted query manifest format (what `@apollo/generate-persisted-query-manifest` writes and Apollo
 * Router reads), so the portals' build tooling and any Apollo client can use the same file:
 * `{ format, version: 1, operations: [{ id, name, type, body }] }`, the id being the SHA-256 (hex) of the body.
 */
export const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';

export type OperationType = 'query' | 'mutation' | 'subscription';

export interface ManifestOperation { id: string; name: string; type: OperationType; body: string }

export interface PersistedQueryManifest { format: typeof MANIFEST_FORMAT; version: 1; operations: ManifestOperation[] }

/** The APQ convention: the SHA-256, in lower-case hex, of the exact document text (whitespace and comments count). */
export function operationId(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The operations a gateway may run by hash, and in safelist mode the only ones it runs. */
export class OperationManifest {
  private constructor(private readonly bodies: ReadonlyMap<string, string>, readonly source: string) {}

  /** Throws, naming the file, when it cannot be read or is not a manifest whose ids are the hashes of their bodies. */
  static fromFile(file: string): OperationManifest {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`the persisted operation manifest ${file} cannot be read: ${(error as Error).message}`);
    }
    return OperationManifest.parse(text, file);
  }

  static parse(text: string, source: string): OperationManifest {
    const problem = (message: string) => new Error(`the persisted operation manifest ${source} ${message}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw problem(`is not JSON: ${(error as Error).message}`);
    }
    const manifest = json as Partial<PersistedQueryManifest> | null;
    if (manifest?.format !== MANIFEST_FORMAT || manifest.version !== 1 || !Array.isArray(manifest.operations)) {
      throw problem(`is not an ${MANIFEST_FORMAT} of version 1 with an operations array`);
    }
    const bodies = new Map<string, string>();
    manifest.operations.forEach((operation: Partial<ManifestOperation>, index) => {
      const label = `operation ${index} (${typeof operation?.name === 'string' ? operation.name : 'unnamed'})`;
      if (typeof operation?.body !== 'string' || typeof operation.id !== 'string') throw problem(`has an ${label} without a string id and body`);
      // A hand-edited body whose id was kept would let the manifest say one thing and run another.
      if (operation.id !== operationId(operation.body)) throw problem(`has an ${label} whose id is not the SHA-256 of its body: run npm run operations:manifest`);
      bodies.set(operation.id, operation.body);
    });
    return new OperationManifest(bodies, source);
  }

  static empty(): OperationManifest {
    return new OperationManifest(new Map(), 'none');
  }

  /** The document registered under this id, if any. */
  body(id: string): string | undefined {
    return this.bodies.get(id);
  }

  get size(): number {
    return this.bodies.size;
  }
}
