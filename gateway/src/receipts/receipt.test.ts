import { describe, expect, it } from 'vitest';
import { pdfInfo, pdfText } from '../../../test/kit/pdf-text';
import { formatDate, formatDong, formatInstant, receiptFileName, receiptView } from './receipt.format';
import { escapeHtml, renderReceiptHtml } from './receipt.html';
import { renderReceiptPdf } from './receipt.pdf';
import { readReceipt, type Receipt } from './receipt.query';

const aReceipt = (overrides: Partial<Receipt> = {}): Receipt => ({
  id: '6f1c2d9e-8a1b-4c3d-9e8f-0a1b2c3d4e5f', registrationCode: 'HS-261123-AB12CD34', status: 'SUBMITTED', channel: 'ONLINE',
  submittedAt: '2026-11-23T17:30:00.000Z', receivedAt: null, appointmentDate: '2026-11-27', deliveryMethod: 'PICKUP', deliveryAddress: null,
  serviceName: 'Đổi giấy phép lái xe', agencyName: 'Cục Đường bộ Việt Nam', applicantName: 'Nguyễn Thị Lan', amountDue: '135000',
  ...overrides,
});
const lineOf = (receipt: Receipt, subtitle: string) => receiptView(receipt).lines.find((line) => line.subtitle === subtitle)?.value;

describe('the receipt’s formats', () => {
  it.each([
    ['0', '0 đ'], ['135000', '135.000 đ'], ['1250000', '1.250.000 đ'], ['999', '999 đ'], ['1000', '1.000 đ'],
    ['123456789012345678901', '123.456.789.012.345.678.901 đ'], [null, '—'], ['12.5', '—'],
  ])('money %s → %s', (amount, printed) => {
    expect(formatDong(amount)).toBe(printed);
  });

  it('prints dates as dd/MM/yyyy, instants in Vietnam time', () => {
    expect(formatDate('2026-11-27')).toBe('27/11/2026');
    expect(formatDate(null)).toBe('—');
    // 17:30 UTC is 00:30 the next day in Hà Nội.
    expect(formatInstant('2026-11-23T17:30:00.000Z')).toBe('24/11/2026 00:30');
    expect(formatInstant('nonsense')).toBe('—');
  });

  it('says when the dossier was received, or when it was submitted while it has not been', () => {
    expect(receiptView(aReceipt()).lines.map((l) => l.subtitle)).toContain('Submitted at');
    const received = aReceipt({ status: 'RECEIVED', receivedAt: '2026-11-24T02:05:00.000Z' });
    expect(lineOf(received, 'Received at')).toBe('24/11/2026 09:05');
    expect(lineOf(received, 'Submitted at')).toBeUndefined();
  });

  it('shows the address only for postal delivery, and a dash for what could not be read', () => {
    expect(lineOf(aReceipt(), 'Delivery address')).toBeUndefined();
    expect(lineOf(aReceipt({ deliveryMethod: 'POSTAL_DELIVERY', deliveryAddress: '12 Tràng Tiền, Hoàn Kiếm' }), 'Delivery address')).toBe('12 Tràng Tiền, Hoàn Kiếm');
    const degraded = aReceipt({ applicantName: null, amountDue: null });
    expect([lineOf(degraded, 'Applicant'), lineOf(degraded, 'Fees due')]).toEqual(['—', '—']);
  });

  it('names the PDF after the registration code', () => {
    expect(receiptFileName('HS-261123-AB12CD34')).toBe('phieu-tiep-nhan-HS-261123-AB12CD34.pdf');
    expect(receiptFileName('a"b;c')).toBe('phieu-tiep-nhan-a_b_c.pdf');
  });
});

describe('reading the graph’s answer', () => {
  const core = { id: 'x', registrationCode: 'HS-1', status: 'SUBMITTED', channel: 'ONLINE', submittedAt: '2026-11-23T17:30:00.000Z', receivedAt: null, appointmentDate: '2026-11-27', deliveryMethod: 'PICKUP', deliveryAddress: null, service: { name: 's' }, agency: { name: 'a' } };

  it('is missing when the dossier is null without an error: unknown and not yours are one answer', () => {
    expect(readReceipt({ data: { dossier: null, applicant: null, fees: null } })).toEqual({ kind: 'missing' });
  });

  it('keeps the core when identity or payments fail, and fails when documents does', () => {
    const partial = readReceipt({
      data: { dossier: core, applicant: null, fees: { amountDue: null } },
      // The gateway names no path for a subgraph it could not reach.
      errors: [{ message: 'down', path: ['applicant', 'applicant', 'fullName'] }, { message: 'The payments service is not answering', extensions: { code: 'SERVICE_UNAVAILABLE' } }],
    });
    expect(partial).toMatchObject({ kind: 'found', receipt: { registrationCode: 'HS-1', agencyName: 'a', applicantName: null, amountDue: null } });
    const atCounter = readReceipt({ data: { dossier: core, applicant: { applicant: null, applicantWithoutAccount: { fullName: 'Lê Văn Tám' } }, fees: null } });
    expect(atCounter).toMatchObject({ kind: 'found', receipt: { applicantName: 'Lê Văn Tám' } });
    expect(readReceipt({ data: { dossier: null }, errors: [{ message: 'down', path: ['dossier'], extensions: { code: 'SERVICE_UNAVAILABLE' } }] })).toEqual({ kind: 'unavailable' });
    expect(readReceipt({ errors: [{ message: 'bad token', extensions: { code: 'UNAUTHENTICATED' } }] })).toEqual({ kind: 'unauthenticated' });
  });
});

describe('the rendered receipt', () => {
  it('escapes every value of the page', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    const html = renderReceiptHtml(receiptView(aReceipt({ applicantName: '<img src=x onerror=alert(1)>', deliveryMethod: 'POSTAL_DELIVERY', deliveryAddress: '"><script>alert(1)</script>' })));
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('is a self-contained page: no URL to load anything from', () => {
    const html = renderReceiptHtml(receiptView(aReceipt()));
    expect(html).toContain('PHIẾU TIẾP NHẬN HỒ SƠ');
    expect(html).not.toMatch(/(src|href)=|url\(|@import/);
  });

  it('writes the PDF in DejaVu Sans, with its Vietnamese text readable, the same bytes every time', async () => {
    const view = receiptView(aReceipt());
    const pdf = await renderReceiptPdf(view);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfText(pdf);
    for (const expected of ['PHIẾU TIẾP NHẬN HỒ SƠ', 'HS-261123-AB12CD34', 'Đổi giấy phép lái xe', 'Nguyễn Thị Lan', '27/11/2026', '135.000 đ', 'CỤC ĐƯỜNG BỘ VIỆT NAM']) {
      expect(text).toContain(expected);
    }
    expect(pdf.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans\b/);
    expect(pdfInfo(pdf)).toMatchObject({ Title: 'Phiếu tiếp nhận hồ sơ HS-261123-AB12CD34', Subject: 'HS-261123-AB12CD34', CreationDate: 'D:20261123173000Z' });
    expect((await renderReceiptPdf(view)).equals(pdf)).toBe(true);
  });
});
