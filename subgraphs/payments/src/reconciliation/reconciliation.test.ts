import { describe, expect, it } from 'vitest';
import { splitCsv } from '../../../shared/src/csv';
import { csvField, csvHeader, csvRecord, type CsvColumn } from './csv';
import { checkReconciliationFilter, checkRemittance, reconciliationCsvPath, reconciliationFileName } from './reconciliation.rules';
import { reconciliationExport, reconciliationPage } from './reconciliation.sql';

const problemsOf = (fn: () => unknown) => {
  try { fn(); } catch (error) { return ((error as { extensions: { problems: { field: string }[] } }).extensions.problems ?? []).map((p) => p.field); }
  return [];
};

describe('CSV fields (RFC 4180, safe in a spreadsheet)', () => {
  it.each([
    ['Bưu cục Hoàn Kiếm', 'Bưu cục Hoàn Kiếm'],
    ['Số 1, Tràng Tiền', '"Số 1, Tràng Tiền"'],
    ['Bưu cục "Trung tâm"', '"Bưu cục ""Trung tâm"""'],
    ['hai\r\ndòng', '"hai\r\ndòng"'],
    ['', ''],
  ])('writes %j as %j', (value, written) => {
    expect(csvField(value)).toBe(written);
  });

  it('writes nothing for null and amounts as they are, negative ones included', () => {
    expect(csvField(null)).toBe('');
    expect(csvField('-50000', 'number')).toBe('-50000');
    expect(csvField(123456789012345678n, 'number')).toBe('123456789012345678');
  });

  it.each(['=SUM(A1:A9)', '+84912', '-1+1', '@cmd', '\tx'])('keeps a spreadsheet from running %j as a formula', (value) => {
    expect(csvField(value).replace(/^"/, '')).toMatch(/^'/);
  });

  it('ends records with CRLF and reads back the same with the project\'s CSV reader', () => {
    const columns: CsvColumn<{ a: string; b: string | null }>[] = [{ header: 'Tên, đầy đủ', value: (r) => r.a }, { header: 'Ghi chú', value: (r) => r.b }];
    const rows = [{ a: 'Phạm Thị "Hồng", Nhung', b: null }, { a: 'Đặng Văn Ơn', b: 'dòng 1\ndòng 2' }];
    const text = csvHeader(columns as CsvColumn<unknown>[]) + rows.map((r) => csvRecord(columns, r)).join('');
    expect(text.split('\r\n').at(-1)).toBe('');
    expect(splitCsv(text).records.map((r) => r.fields)).toEqual([['Tên, đầy đủ', 'Ghi chú'], ['Phạm Thị "Hồng", Nhung', ''], ['Đặng Văn Ơn', 'dòng 1\ndòng 2']]);
  });
});

describe('the reconciliation filter', () => {
  it('takes a date and optional codes, upper-cases the agency and ignores empty values', () => {
    expect(checkReconciliationFilter({ businessDate: '2026-11-24', provinceCode: '001', postalPointCode: '001-BC-0001', agencyCode: 'evn' }))
      .toEqual({ businessDate: '2026-11-24', provinceCode: '001', postalPointCode: '001-BC-0001', agencyCode: 'EVN' });
    expect(checkReconciliationFilter({ businessDate: '2026-11-24', provinceCode: '', agencyCode: ' ' }))
      .toEqual({ businessDate: '2026-11-24', provinceCode: undefined, postalPointCode: undefined, agencyCode: undefined });
  });

  it('reports every problem at once', () => {
    expect(problemsOf(() => checkReconciliationFilter({ businessDate: '2026-02-30', provinceCode: '1', postalPointCode: 'x y', agencyCode: 'E' })))
      .toEqual(['businessDate', 'provinceCode', 'postalPointCode', 'agencyCode']);
    expect(problemsOf(() => checkReconciliationFilter({ businessDate: ['2026-11-24', '2026-11-25'] }))).toContain('businessDate');
  });

  it('gives the CSV path and an ASCII file name with the same filters', () => {
    const filter = { businessDate: '2026-11-24', provinceCode: '079', agencyCode: 'EVN' };
    expect(reconciliationCsvPath(filter)).toBe('/reports/reconciliation.csv?businessDate=2026-11-24&provinceCode=079&agencyCode=EVN');
    expect(reconciliationFileName(filter)).toBe('doi-soat_2026-11-24_tinh-079_EVN.csv');
  });
});

describe('the reconciliation statement', () => {
  it('binds every filter as a parameter, in order, and leaves remittances out for an agency', () => {
    const all = reconciliationPage({ businessDate: '2026-11-24' }, undefined, 21);
    expect(all.params).toEqual(['2026-11-24', 21]);
    expect(all.sql).toContain('payments.remittances');
    const narrow = reconciliationPage({ businessDate: '2026-11-24', provinceCode: '001', postalPointCode: '001-BC-0001', agencyCode: 'EVN' }, '001-BC-0000', 11);
    expect(narrow.params).toEqual(['2026-11-24', '001', '001-BC-0001', 'EVN', '001-BC-0000', 11]);
    expect(narrow.sql).not.toContain('payments.remittances');
    expect(reconciliationExport({ businessDate: '2026-11-24', agencyCode: 'EVN' }).params).toEqual(['2026-11-24', 'EVN']);
  });
});

describe('a remittance', () => {
  const now = new Date('2026-11-24T17:30:00Z'); // 00:30 on 25 November in Vietnam
  it('is declared for today or earlier in Vietnam, for zero or more đồng', () => {
    expect(() => checkRemittance('2026-11-25', 0n, now)).not.toThrow();
    expect(() => checkRemittance('2026-01-31', 1_500_000n, now)).not.toThrow();
    expect(problemsOf(() => checkRemittance('2026-11-26', 1n, now))).toEqual(['businessDate']);
    expect(problemsOf(() => checkRemittance('2026-11-20', -1n, now))).toEqual(['amount']);
  });
});
