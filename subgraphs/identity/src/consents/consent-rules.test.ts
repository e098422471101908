import { describe, expect, it } from 'vitest';
import { IdentityAttribute } from '../accounts/identity-attribute';
import { IntegratedDocumentType } from '../documents/integrated-document.stub';
import { ConsentStatus } from './consent.entity';
import { checkConsentGrant, consentStatus, purposeKey } from './consent-rules';

const NOW = new Date('2027-03-01T08:00:00Z');
const DAY = 86_400_000;
const PARTNER = {
  allowedAttributes: [IdentityAttribute.FULL_NAME, IdentityAttribute.DATE_OF_BIRTH],
  allowedDocumentTypes: [IntegratedDocumentType.CITIZEN_ID_CARD, IntegratedDocumentType.DRIVING_LICENCE],
};
const grant = (change: Record<string, unknown> = {}) => ({
  partnerId: '8d7f3c2e-4b1a-4c5d-9e8f-1a2b3c4d5e6f', attributes: [IdentityAttribute.FULL_NAME], purpose: 'Mở tài khoản', expiresAt: new Date(NOW.getTime() + 30 * DAY), ...change,
});
const fields = (problems: { field: string }[]) => problems.map((p) => p.field);

describe('granting consent', () => {
  it('accepts attributes within the partner\'s, a purpose and an expiry up to a year away', () => {
    expect(checkConsentGrant(grant({ expiresAt: new Date(NOW.getTime() + 365 * DAY) }), PARTNER, NOW).problems).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, typeof PARTNER | null, string[]]>([
    ['an attribute the partner may not check', { attributes: [IdentityAttribute.FULL_NAME, IdentityAttribute.PHONE] }, PARTNER, ['attributes']],
    ['no attribute', { attributes: [] }, PARTNER, ['attributes']],
    ['an expiry in the past', { expiresAt: new Date(NOW.getTime() - 1) }, PARTNER, ['expiresAt']],
    ['an expiry in a minute', { expiresAt: new Date(NOW.getTime() + 60_000) }, PARTNER, ['expiresAt']],
    ['an expiry over a year away', { expiresAt: new Date(NOW.getTime() + 366 * DAY) }, PARTNER, ['expiresAt']],
    ['no purpose', { purpose: '  ' }, PARTNER, ['purpose']],
    ['no such (active) partner', {}, null, ['partnerId']],
    ['a document type named twice', { documentTypes: [IntegratedDocumentType.DRIVING_LICENCE, IntegratedDocumentType.DRIVING_LICENCE] }, PARTNER, ['documentTypes']],
    ['a document type the partner may not receive', { documentTypes: [IntegratedDocumentType.DRIVING_LICENCE, IntegratedDocumentType.TAX_CODE] }, PARTNER, ['documentTypes']],
    ['a document type, for a partner registered for none', { documentTypes: [IntegratedDocumentType.CITIZEN_ID_CARD] }, { ...PARTNER, allowedDocumentTypes: [] }, ['documentTypes']],
    ['everything wrong at once', { partnerId: 'nope', attributes: [], purpose: '', expiresAt: new Date(0) }, null, ['partnerId', 'attributes', 'purpose', 'expiresAt']],
  ])('refuses %s', (_case, change, partner, expected) => {
    expect(fields(checkConsentGrant(grant(change), partner, NOW).problems)).toEqual(expected);
  });

  it('stores no document type unless named, and the named ones in the catalogue\'s order', () => {
    expect(checkConsentGrant(grant(), PARTNER, NOW).value.documentTypes).toEqual([]);
    expect(checkConsentGrant(grant({ documentTypes: null }), PARTNER, NOW).value.documentTypes).toEqual([]);
    const both = checkConsentGrant(grant({ documentTypes: [IntegratedDocumentType.DRIVING_LICENCE, IntegratedDocumentType.CITIZEN_ID_CARD] }), PARTNER, NOW);
    expect(both).toEqual({ value: expect.objectContaining({ documentTypes: [IntegratedDocumentType.CITIZEN_ID_CARD, IntegratedDocumentType.DRIVING_LICENCE] }), problems: [] });
  });

  it('folds the purpose a check is compared on: case, spacing and diacritics', () => {
    expect(purposeKey('  MỞ   tài khoản THANH TOÁN ')).toBe(purposeKey('Mở tài khoản thanh toán'));
    expect(purposeKey('Đăng ký vay')).toBe('dang ky vay');
    expect(purposeKey('Mở tài khoản')).not.toBe(purposeKey('Vay tiêu dùng'));
  });

  it.each<[string, { revokedAt: Date | null; replacedAt: Date | null; expiresAt: Date }, ConsentStatus]>([
    ['live', { revokedAt: null, replacedAt: null, expiresAt: new Date(NOW.getTime() + 1) }, ConsentStatus.ACTIVE],
    ['past its expiry', { revokedAt: null, replacedAt: null, expiresAt: NOW }, ConsentStatus.EXPIRED],
    ['revoked (even if also expired)', { revokedAt: NOW, replacedAt: null, expiresAt: new Date(0) }, ConsentStatus.REVOKED],
    ['replaced by a new grant', { revokedAt: null, replacedAt: NOW, expiresAt: new Date(NOW.getTime() + DAY) }, ConsentStatus.REPLACED],
  ])('reads %s as %s', (_case, consent, status) => {
    expect(consentStatus(consent, NOW)).toBe(status);
  });
});
