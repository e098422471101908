import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { BadInputError } from './errors';

const WHOLE_DONG = /^-?(0|[1-9]\d{0,18})$/;

/**
 * Money is a whole number of đồng (VND has no minor unit). Totals overflow 32 bits, so it travels as
 * a decimal string and is a `bigint` inside the services, `bigint` in PostgreSQL. Never a float.
 */
/** A `bigint` column (PostgreSQL returns it as a string) read and written as a JavaScript bigint: money, whole đồng. */
export const bigintMoney = {
  to: (value: bigint | null | undefined) => (value === null || value === undefined ? value : value.toString()),
  from: (value: string | null) => (value === null ? null : BigInt(value)),
};

export const MoneyScalar = new GraphQLScalarType<bigint, string>({
  name: 'Money',
  description: 'A whole number of Vietnamese đồng as a decimal string, e.g. "135000". Never a float.',
  serialize(value) {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'string' && WHOLE_DONG.test(value)) return value;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    throw new TypeError(`Money must be a whole number of đồng, got ${String(value)}`);
  },
  parseValue(value) { return parseMoney(value); },
  parseLiteral(ast: ValueNode) {
    if (ast.kind !== Kind.STRING) throw new BadInputError('Money must be written as a string of whole đồng, e.g. "135000".');
    return parseMoney(ast.value);
  },
});

function parseMoney(value: unknown): bigint {
  if (typeof value === 'string' && WHOLE_DONG.test(value)) return BigInt(value);
  throw new BadInputError('Money must be a string of whole đồng, e.g. "135000" (no decimals, no separators).');
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `value` is a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.getUTCFullYear() === Number(m[1]) && date.getUTCMonth() === Number(m[2]) - 1 && date.getUTCDate() === Number(m[3]);
}

function parseDate(value: unknown): string {
  if (typeof value === 'string' && isIsoDate(value)) return value;
  throw new BadInputError(`Dates are written YYYY-MM-DD, got ${JSON.stringify(value)}.`);
}

/** A calendar date without time or zone (a date of birth, an appointment day), as "YYYY-MM-DD". */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date, ISO 8601 "YYYY-MM-DD".',
  serialize(value) {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    return parseDate(value);
  },
  parseValue: parseDate,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new BadInputError('Dates are written as strings "YYYY-MM-DD".');
    return parseDate(ast.value);
  },
});

/** Today's date in Vietnam (UTC+7, no daylight saving), as YYYY-MM-DD. */
export function todayInVietnam(now = new Date()): string {
  return new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}
