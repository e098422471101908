import { ArgsType, Directive, Field, Int, ObjectType } from 'type-graphql';
import { BadInputError } from './errors';
import { isUuid } from './text';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ObjectType({ description: 'Relay page information.' })
@Directive('@shareable')
export class PageInfo {
  @Field() hasNextPage: boolean;
  @Field() hasPreviousPage: boolean;
  @Field(() => String, { nullable: true }) startCursor: string | null;
  @Field(() => String, { nullable: true }) endCursor: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `At most ${MAX_PAGE_SIZE}; ${DEFAULT_PAGE_SIZE} when omitted.` }) first?: number;
  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' }) after?: string;
}

export interface Edge<T> { node: T; cursor: string }
export interface Connection<T> { edges: Edge<T>[]; pageInfo: PageInfo }

/** Relay connection type for `Node`, named `<name>Connection` with `<name>Edge`. */
export function ConnectionType<T>(Node: new (...args: any[]) => T, name: string) {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field(() => Node) node: T;
    @Field() cursor: string;
  }
  // Concrete connections subclass this: `@ObjectType() class DossierConnection extends ConnectionType(Dossier, 'Dossier') {}`.
  @ObjectType()
  abstract class ConnectionClass {
    @Field(() => [EdgeType]) edges: Edge<T>[];
    @Field(() => PageInfo) pageInfo: PageInfo;
  }
  return ConnectionClass;
}

export function pageSize(first: number | undefined | null): number {
  if (first === undefined || first === null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new BadInputError(`"first" must be between 1 and ${MAX_PAGE_SIZE}.`, [{ field: 'first', message: `between 1 and ${MAX_PAGE_SIZE}` }]);
  }
  return first;
}

/** Cursors are opaque to clients: the keyset position of the last row, base64url-encoded. */
export function encodeCursor(position: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** What each position of a cursor must be; a cursor of another shape was not given out by us. */
export type CursorPart = 'string' | 'number' | 'uuid' | 'instant' | 'bigint';

const CURSOR_PART: Record<CursorPart, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  uuid: (v) => typeof v === 'string' && isUuid(v),
  instant: (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
  /** A PostgreSQL bigint (a sequence), carried as a string of digits. */
  bigint: (v) => typeof v === 'string' && /^\d{1,19}$/.test(v),
};

/** Checked here, once, so a tampered cursor is BAD_USER_INPUT and never reaches a query. */
export function decodeCursor(cursor: string | undefined | null, shape: readonly CursorPart[]): (string | number)[] | undefined {
  if (cursor === undefined || cursor === null) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === shape.length && shape.every((part, i) => CURSOR_PART[part](value[i]))) return value;
  } catch { /* reported below */ }
  throw new BadInputError('"after" is not a cursor this list gave out.', [{ field: 'after', message: 'unknown cursor' }]);
}

/** Builds a page from rows fetched with `limit = size + 1` (the extra row only tells there is more). */
export function toConnection<T>(rows: T[], size: number, position: (row: T) => (string | number)[], hasPrevious: boolean): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ node, cursor: encodeCursor(position(node)) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > size,
      hasPreviousPage: hasPrevious,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
