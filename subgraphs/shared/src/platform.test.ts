import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, parseEnv } from './config';
import { decodeCursor, encodeCursor, pageSize } from './connection';
import { formatErrorFor } from './http';
import { createLogger } from './logger';
import { maskPersonalData } from './mask';
import { MoneyScalar } from './scalars';
import { foldForSearch } from './text';

describe('logs never carry a full personal ID number or phone number', () => {
  it.each([
    ['035199000123', '035******123'],
    ['id=001190000123;', 'id=001******123;'],
    ['call 0912345678', 'call 091****678'],
    ['+84912345678', '+8491****678'],
    ['login JP:TK1234567', 'login JP:******567'],
    ['jp:tk1234567', 'jp:******567'],
  ])('masks %s', (raw, masked) => expect(maskPersonalData(raw)).toBe(masked));

  it('masks inside structured fields and messages alike', () => {
    const lines: string[] = [];
    const log = createLogger({ service: 't', write: (l) => lines.push(l) });
    log.info('login 035199000123', { phone: '0912345678', nested: { id: '001190000123' } });
    expect(lines[0]).not.toMatch(/035199000123|0912345678|001190000123/);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'info', service: 't', phone: '091****678', nested: { id: '001******123' } });
  });

  it('leaves other numbers alone', () => expect(maskPersonalData('amount 1350000000000 at 2026-11-23')).toBe('amount 1350000000000 at 2026-11-23'));
});

describe('configuration', () => {
  it('reports every bad variable at once', () => {
    const shape = { PORT: z.coerce.number().int(), URL: z.string().url(), NAME: z.string() };
    try {
      parseEnv(shape, { PORT: 'x', URL: 'nope' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(['NAME', 'PORT', 'URL']);
    }
  });
});

describe('money', () => {
  it('travels as a string of whole đồng, beyond 32 and 53 bits', () => {
    expect(MoneyScalar.serialize(12_345_678_901_234_567_890n)).toBe('12345678901234567890');
    expect(MoneyScalar.parseValue('135000')).toBe(135000n);
  });
  it.each(['1.5', '1e6', '', ' 1', '01', 'abc'])('refuses %j', (value) => expect(() => MoneyScalar.parseValue(value)).toThrow(/whole đồng/));
});

describe('error masking', () => {
  const silent = createLogger({ service: 't', level: 'silent' });
  it('hides internal errors in production but keeps the code', () => {
    const formatted = formatErrorFor(true, silent)({ message: 'relation "x" does not exist at 10.0.0.5', extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['…'] } }, new Error('x'));
    expect(formatted).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });
  it('keeps deliberate errors, without stack traces', () => {
    const formatted = formatErrorFor(true, silent)({ message: 'Unknown postal point.', extensions: { code: 'BAD_USER_INPUT', stacktrace: ['…'] } }, new Error('x'));
    expect(formatted).toEqual({ message: 'Unknown postal point.', extensions: { code: 'BAD_USER_INPUT' } });
  });
});

describe('pagination and search helpers', () => {
  it('round-trips cursors and refuses foreign ones', () => {
    expect(decodeCursor(encodeCursor(['2026-11-23T00:00:00.000Z', 'x']), ['instant', 'string'])).toEqual(['2026-11-23T00:00:00.000Z', 'x']);
    expect(() => decodeCursor('bm90LWEtY3Vyc29y', ['string', 'string'])).toThrow(/cursor/);
    expect(() => decodeCursor(encodeCursor(['not-a-date', 'x']), ['instant', 'uuid'])).toThrow(/cursor/);
  });
  it('bounds page sizes', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(() => pageSize(0)).toThrow();
    expect(() => pageSize(101)).toThrow();
  });
  it('folds Vietnamese for search', () => expect(foldForSearch('  Đổi  GIẤY phép lái xe ')).toBe('doi giay phep lai xe'));
});
