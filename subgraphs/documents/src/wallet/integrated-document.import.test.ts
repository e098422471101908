import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDocumentRow, DOCUMENT_CSV_COLUMNS, parseDocumentsCsv, parseDocumentsJsonl, readDocumentsFile, SAMPLE_HOLDER_PLACEHOLDER, type IntegratedDocumentRow } from './integrated-document.import';

const HOLDER = '6f1c1a4e-0d2b-4c8e-9a51-2b7f3e0c9d11';
const TODAY = '2026-11-25';
const SAMPLE = path.join(__dirname, '../../../../scripts/data/sample-documents');
const row = (change: Partial<IntegratedDocumentRow> = {}): IntegratedDocumentRow => ({
  holderAccountId: HOLDER, type: 'DRIVING_LICENCE', number: '010190001234', issuerAgencyCode: 'CDB', issuedOn: '2019-08-15', expiresOn: '2029-08-15',
  licenceClasses: ['A1', 'B'], revoked: false, revocationReason: null, ...change,
});

describe('reading an issuer\'s file', () => {
  it('reads JSON lines, skipping blank lines and keeping each row\'s line number', () => {
    const text = `${JSON.stringify({ holderAccountId: HOLDER, type: 'TAX_CODE', number: '0101234567', issuerAgencyCode: 'TCT', issuedOn: '2020-01-01' })}\n\n`
      + `${JSON.stringify({ holderAccountId: HOLDER, type: 'DRIVING_LICENCE', number: '010190001234', issuerAgencyCode: 'CDB', issuedOn: '2019-08-15', expiresOn: null, licenceClasses: ['B'], revoked: true, revocationReason: 'Tước bằng' })}\n`;
    expect(parseDocumentsJsonl(text)).toEqual({
      rows: [
        { line: 1, row: { holderAccountId: HOLDER, type: 'TAX_CODE', number: '0101234567', issuerAgencyCode: 'TCT', issuedOn: '2020-01-01', expiresOn: null, licenceClasses: [], revoked: false, revocationReason: null } },
        { line: 3, row: { holderAccountId: HOLDER, type: 'DRIVING_LICENCE', number: '010190001234', issuerAgencyCode: 'CDB', issuedOn: '2019-08-15', expiresOn: null, licenceClasses: ['B'], revoked: true, revocationReason: 'Tước bằng' } },
      ],
      rejected: [],
    });
  });

  it('rejects a JSON line that is no object, misses a field, has a field of the wrong type or one it does not know', () => {
    const good = { holderAccountId: HOLDER, type: 'TAX_CODE', number: '0101234567', issuerAgencyCode: 'TCT', issuedOn: '2020-01-01' };
    const text = ['{not json', '[1, 2]', JSON.stringify({ ...good, number: 101234567 }), JSON.stringify({ ...good, issuedOn: undefined }), JSON.stringify({ ...good, expiryDate: '2030-01-01' }),
      JSON.stringify({ ...good, licenceClasses: 'B' }), JSON.stringify({ ...good, revoked: 'yes' })].join('\n');
    expect(parseDocumentsJsonl(text)).toEqual({
      rows: [],
      rejected: [
        { line: 1, reason: 'not a JSON object' },
        { line: 2, reason: 'not a JSON object' },
        { line: 3, reason: 'number: must be a string' },
        { line: 4, reason: 'issuedOn: missing' },
        { line: 5, reason: expect.stringMatching(/^unknown field expiryDate/) },
        { line: 6, reason: 'licenceClasses: must be a list of strings' },
        { line: 7, reason: 'revoked: must be true or false' },
      ],
    });
  });

  it('reads CSV with quoted fields, licence classes separated by |, a BOM and CRLF line ends', () => {
    const text = `\uFEFF${DOCUMENT_CSV_COLUMNS.join(',')}\r\n${HOLDER},DRIVING_LICENCE,010190001234,CDB,2019-08-15,,A1|B,false,\r\n`
      + `${HOLDER},TEST_RESULT,XN-2023-0456789,BYT,2023-03-02,,,TRUE,"Hủy, theo ""quyết định"" số 12"\r\n`;
    expect(parseDocumentsCsv(text)).toEqual({
      rows: [
        { line: 2, row: row({ expiresOn: null }) },
        { line: 3, row: row({ type: 'TEST_RESULT', number: 'XN-2023-0456789', issuerAgencyCode: 'BYT', issuedOn: '2023-03-02', expiresOn: null, licenceClasses: [], revoked: true, revocationReason: 'Hủy, theo "quyết định" số 12' }) },
      ],
      rejected: [],
    });
  });

  it('rejects CSV rows with the wrong number of fields or a revoked flag that is not true or false; a wrong header rejects the file', () => {
    const text = `${DOCUMENT_CSV_COLUMNS.join(',')}\n${HOLDER},TAX_CODE,0101234567,TCT,2020-01-01\n${HOLDER},TAX_CODE,0101234567,TCT,2020-01-01,,,maybe,\n`;
    expect(parseDocumentsCsv(text).rejected).toEqual([
      { line: 2, reason: expect.stringMatching(/^5 fields where 9 are expected/) },
      { line: 3, reason: 'revoked: "maybe" is not true or false' },
    ]);
    expect(parseDocumentsCsv(`holder,type\n${HOLDER},TAX_CODE\n`)).toEqual({ rows: [], rejected: [{ line: 1, reason: expect.stringMatching(/^the header must be exactly holder_account_id,type,/) }] });
    expect(parseDocumentsCsv('')).toEqual({ rows: [], rejected: [{ line: 1, reason: expect.stringMatching(/^the header must be exactly/) }] });
  });

  it('reads the sample file and its CSV twin to the same rows, each of them good', async () => {
    const jsonl = await readDocumentsFile(`${SAMPLE}.jsonl`);
    const csv = await readDocumentsFile(`${SAMPLE}.csv`);
    expect(jsonl.rejected).toEqual([]);
    expect(csv.rejected).toEqual([]);
    expect(csv.rows.map((r) => r.row)).toEqual(jsonl.rows.map((r) => r.row));
    expect(new Set(jsonl.rows.map((r) => r.row.type)).size).toBe(9);
    for (const { row } of jsonl.rows) expect(checkDocumentRow({ ...row, holderAccountId: HOLDER }, TODAY)).toHaveProperty('stated');
  });

  it('refuses a file that is not UTF-8 or not named .jsonl or .csv', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'documents-'));
    writeFileSync(path.join(dir, 'latin1.csv'), Buffer.from([0x68, 0xe9, 0x0a]));
    await expect(readDocumentsFile(path.join(dir, 'latin1.csv'))).rejects.toThrow(/not UTF-8/);
    writeFileSync(path.join(dir, 'documents.xlsx'), readFileSync(`${SAMPLE}.csv`));
    await expect(readDocumentsFile(path.join(dir, 'documents.xlsx'))).rejects.toThrow(/\.jsonl .* or \.csv/);
    await expect(readDocumentsFile(path.join(dir, 'missing.csv'))).rejects.toThrow(/cannot read it \(ENOENT\)/);
  });
});

describe('checking a row', () => {
  it('states it for the writer: number normalised, holder in lower case, not backed by any official', () => {
    expect(checkDocumentRow(row({ holderAccountId: HOLDER.toUpperCase(), number: ' 010190001234 ' }), TODAY)).toEqual({
      stated: { type: 'DRIVING_LICENCE', number: '010190001234', issuedOn: '2019-08-15', expiresOn: '2029-08-15', licenceClasses: ['A1', 'B'], holderAccountId: HOLDER, revoked: false, revocationReason: null, revokedByAccountId: null },
    });
  });

  it.each<[string, Partial<IntegratedDocumentRow>, RegExp]>([
    ['a holder that is no account id', { holderAccountId: '001190000123' }, /^holderAccountId: "001190000123" is not an account id/],
    ['the sample files\' placeholder holder', { holderAccountId: SAMPLE_HOLDER_PLACEHOLDER }, /^holderAccountId: the sample files' placeholder; .*--holder/],
    ['another agency than the type\'s issuer', { issuerAgencyCode: 'C08' }, /^issuerAgencyCode: a DRIVING_LICENCE is issued by CDB, not "C08"$/],
    ['an unknown type', { type: 'BIRTH_CERTIFICATE' }, /^type: "BIRTH_CERTIFICATE" is not one of/],
    ['a revocation without a reason', { revoked: true }, /^revocationReason: Give a reason/],
    ['a reason without a revocation', { revocationReason: 'Mất' }, /^revocationReason: given for a row that is not revoked$/],
    ['several problems, all of them', { number: '12', expiresOn: '2019-01-01', licenceClasses: [] }, /^number: .+; expiresOn: .+; licenceClasses: .+$/],
  ])('rejects %s, saying why', (_case, change, reason) => {
    expect(checkDocumentRow(row(change), TODAY)).toEqual({ reason: expect.stringMatching(reason) });
  });
});
