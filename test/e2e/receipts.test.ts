import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../gateway/src/config';
import { startGateway } from '../../gateway/src/index';
import { Role } from '../../subgraphs/shared/src/auth/roles';
import { aLoggedInCitizen } from '../kit/builders';
import { testGatewayKeys } from '../kit/gateway-proof';
import { gql } from '../kit/gql';
import { pdfInfo, pdfText } from '../kit/pdf-text';
import { useStack } from '../kit/stack';

const SUBMIT = `mutation Submit($input: SubmitDossierInput!) { submitDossier(input: $input) { id registrationCode appointmentDate } }`;
const RECEIVE = `mutation Receive($id: ID!) { receiveDossier(id: $id) { id status receivedAt } }`;
const PAPER = `mutation Paper($input: CounterDossierInput!) { receivePaperDossier(input: $input) { id registrationCode receivedAt } }`;

/** A date as the receipt prints it: dd/MM/yyyy. */
const printed = (date: string) => date.split('-').reverse().join('/');
/** An instant as the receipt prints it, in Vietnam time (UTC+7 all year). */
const printedInstant = (instant: string) => {
  const local = new Date(new Date(instant).getTime() + 7 * 3600_000).toISOString();
  return `${printed(local.slice(0, 10))} ${local.slice(11, 16)}`;
};

describe('the dossier receipt (phiếu tiếp nhận), at the gateway', () => {
  const stack = useStack({ postalPoints: 50 });
  let applicant: Awaited<ReturnType<typeof aLoggedInCitizen>>;
  let dossier: { id: string; registrationCode: string; appointmentDate: string };

  const receipt = (id: string, token?: string, suffix = '', base = stack.gateway.url) =>
    fetch(`${base}/dossiers/${encodeURIComponent(id)}/receipt${suffix}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    applicant = await aLoggedInCitizen(stack, { fullName: 'Phạm Thị Hồng Nhung' });
    ({ submitDossier: dossier } = await gql(stack.gatewayUrl, SUBMIT, { input: { serviceCode: 'GPLX_EXCHANGE', acceptDeclaration: true } }, applicant.token));
  });

  it('gives the applicant a printable page with the code, service, name, appointment and fee', async () => {
    const response = await receipt(dossier.id, applicant.token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    for (const expected of ['PHIẾU TIẾP NHẬN HỒ SƠ', dossier.registrationCode, 'Đổi giấy phép lái xe', 'Phạm Thị Hồng Nhung', printed(dossier.appointmentDate), '135.000 đ', 'Trực tuyến', 'Submitted at']) {
      expect(html).toContain(expected);
    }
  });

  it('gives the same receipt as a PDF whose text and metadata carry the registration code', async () => {
    const response = await receipt(dossier.id, applicant.token, '.pdf');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe(`inline; filename="phieu-tiep-nhan-${dossier.registrationCode}.pdf"`);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    const pdf = Buffer.from(await response.arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdfInfo(pdf)).toMatchObject({ Subject: dossier.registrationCode, Title: `Phiếu tiếp nhận hồ sơ ${dossier.registrationCode}` });
    const text = pdfText(pdf);
    for (const expected of [dossier.registrationCode, 'Phạm Thị Hồng Nhung', printed(dossier.appointmentDate), '135.000 đ']) expect(text).toContain(expected);
  });

  it('is where the graph’s Dossier.receiptUrl points', async () => {
    const { dossier: { receiptUrl } } = await gql(stack.gatewayUrl, `query($id: ID!) { dossier(id: $id) { receiptUrl } }`, { id: dossier.id }, applicant.token);
    const { pathname } = new URL(receiptUrl);
    expect(pathname).toBe(`/dossiers/${dossier.id}/receipt`);
    const response = await fetch(`${stack.gateway.url}${pathname}`, { headers: { authorization: `Bearer ${applicant.token}` } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(dossier.registrationCode);
  });

  it('opens for an official of the dossier’s agency (CDB handles GPLX_EXCHANGE)', async () => {
    const official = await stack.tokenFor({ role: Role.OFFICIAL, level: 2, agencyCode: 'CDB' });
    const response = await receipt(dossier.id, official);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(dossier.registrationCode);
    expect((await receipt(dossier.id, official, '.pdf')).status).toBe(200);
  });

  it('answers anyone else exactly as for a dossier that does not exist', async () => {
    const nobody = await receipt(randomUUID(), applicant.token);
    expect(nobody.status).toBe(404);
    const notFound = await nobody.text();
    const other = await aLoggedInCitizen(stack);
    const callers = {
      'another citizen': other.token,
      'an official of another agency': await stack.tokenFor({ role: Role.OFFICIAL, level: 2, agencyCode: 'C06' }),
      'a clerk of a postal point that did not receive it': await stack.tokenFor({ role: Role.POSTAL_CLERK, level: 2, postalPointCode: '001-BC-0001' }),
    };
    for (const [who, token] of Object.entries(callers)) {
      for (const suffix of ['', '.pdf']) {
        const response = await receipt(dossier.id, token, suffix);
        expect(response.status, `${who}${suffix}`).toBe(404);
        expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
        expect(await response.text(), who).toBe(notFound);
      }
    }
  });

  it('answers 404 for an id that cannot be a dossier’s', async () => {
    for (const id of ['not-a-uuid', '1', `${dossier.id}x`, "' OR 1=1 --"]) {
      expect((await receipt(id, applicant.token)).status, id).toBe(404);
    }
  });

  it('needs a valid bearer token: 401 without one, with a bad one or with another scheme', async () => {
    const expired = await stack.tokenFor({ role: Role.CITIZEN, accountId: applicant.accountId }, { issuedInSeconds: -3600 });
    const requests: [string, Record<string, string>][] = [
      ['no token', {}],
      ['a token that is no JWT', { authorization: 'Bearer not-a-token' }],
      ['an expired token', { authorization: `Bearer ${expired}` }],
      ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ];
    for (const [what, headers] of requests) {
      for (const suffix of ['', '.pdf']) {
        const response = await fetch(`${stack.gateway.url}/dossiers/${dossier.id}/receipt${suffix}`, { headers });
        expect(response.status, `${what}${suffix}`).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer');
        expect(await response.text()).not.toContain(dossier.registrationCode);
      }
    }
  });

  it('escapes what the applicant typed', async () => {
    const address = '12 Tràng Tiền <script>alert("x")</script> & <img src=x onerror=alert(1)>';
    const { submitDossier } = await gql(stack.gatewayUrl, SUBMIT, { input: { serviceCode: 'GPLX_EXCHANGE', acceptDeclaration: true, deliveryMethod: 'POSTAL_DELIVERY', deliveryAddress: address } }, applicant.token);
    const html = await (await receipt(submitDossier.id, applicant.token)).text();
    expect(html).toContain('12 Tràng Tiền &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('Chuyển phát qua bưu chính công ích');
  });

  it('says when the dossier was received once it has been', async () => {
    const official = await stack.tokenFor({ role: Role.OFFICIAL, level: 2, agencyCode: 'CDB' });
    const { submitDossier } = await gql(stack.gatewayUrl, SUBMIT, { input: { serviceCode: 'GPLX_EXCHANGE', acceptDeclaration: true } }, applicant.token);
    const { receiveDossier } = await gql(stack.gatewayUrl, RECEIVE, { id: submitDossier.id }, official);
    const html = await (await receipt(submitDossier.id, applicant.token)).text();
    expect(html).toContain(`Received at</small></th><td>${printedInstant(receiveDossier.receivedAt)}</td>`);
    expect(html).not.toContain('Submitted at');
    expect(html).toContain('Đã tiếp nhận');
  });

  it('names the person without an account of a paper dossier, for the postal point that took it in', async () => {
    const point = '001-BC-0001';
    const clerk = await stack.tokenFor({ role: Role.POSTAL_CLERK, level: 2, postalPointCode: point });
    const { receivePaperDossier: paper } = await gql(stack.gatewayUrl, PAPER, { input: {
      serviceCode: 'GPLX_EXCHANGE', acceptDeclaration: true, applicantWithoutAccount: { fullName: 'Lê Văn Tám', personalIdNumber: '079190001234' },
    } }, clerk);
    const html = await (await receipt(paper.id, clerk)).text();
    for (const expected of [paper.registrationCode, 'Lê Văn Tám', 'Tại điểm bưu điện', printedInstant(paper.receivedAt)]) expect(html).toContain(expected);
    expect((await receipt(paper.id, await stack.tokenFor({ role: Role.POSTAL_CLERK, level: 2, postalPointCode: '002-BC-0001' }))).status).toBe(404);
  });

  /** A second gateway over the same subgraphs, with one of them unreachable. */
  async function aGatewayWithout(subgraph: 'documents' | 'payments') {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const dead = `http://127.0.0.1:${(closed.address() as net.AddressInfo).port}/graphql`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    return startGateway(loadGatewayConfig({
      NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', GATEWAY_PORT: '0', SUBGRAPH_TIMEOUT_MS: '1000',
      SUPERGRAPH_PATH: path.join(__dirname, '../../schema/supergraph.graphql'),
      IDENTITY_URL: `${stack.identity.url}/graphql`,
      DOCUMENTS_URL: subgraph === 'documents' ? dead : `${stack.documents.url}/graphql`,
      PAYMENTS_URL: subgraph === 'payments' ? dead : `${stack.payments.url}/graphql`,
      IDENTITY_JWKS_URL: `${stack.identity.url}/.well-known/jwks.json`, GATEWAY_PRIVATE_KEY: testGatewayKeys().GATEWAY_PRIVATE_KEY,
    }));
  }

  it('shows a dash for the fee when payments does not answer, and keeps the rest', async () => {
    const gateway = await aGatewayWithout('payments');
    try {
      const response = await receipt(dossier.id, applicant.token, '', gateway.url);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain(dossier.registrationCode);
      expect(html).toContain('Phạm Thị Hồng Nhung');
      expect(html).toMatch(/Fees due<\/small><\/th><td class="emphasis">—<\/td>/);
      expect((await receipt(dossier.id, applicant.token, '.pdf', gateway.url)).status).toBe(200);
    } finally {
      await gateway.stop();
    }
  });

  it('says "try again" when documents does not answer, never "not found"', async () => {
    const gateway = await aGatewayWithout('documents');
    try {
      for (const suffix of ['', '.pdf']) {
        const response = await receipt(dossier.id, applicant.token, suffix, gateway.url);
        expect(response.status, suffix).toBe(503);
        expect(response.headers.get('retry-after')).toBe('5');
      }
    } finally {
      await gateway.stop();
    }
  });
});
