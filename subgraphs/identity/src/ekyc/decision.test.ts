import { describe, expect, it } from 'vitest';
import { AssuranceLevel } from '../accounts/account.entity';
import { IdentityAttribute } from '../accounts/identity-attribute';
import { IntegratedDocumentType } from '../documents/integrated-document.stub';
import { decide, identityCheckRefused, RefusalReason, type CheckRow } from './decision';

const NOW = new Date('2027-03-01T08:00:00Z');
const PURPOSE = 'mo tai khoan thanh toan';
const { FULL_NAME, DATE_OF_BIRTH, PHONE } = IdentityAttribute;
const { CITIZEN_ID_CARD, DRIVING_LICENCE, HEALTH_INSURANCE_CARD } = IntegratedDocumentType;

const allowedRow: CheckRow = {
  partner_id: 'p1', partner_name: 'Bank', partner_active: true, client_id: 'bank.one', allowed_attributes: [FULL_NAME, DATE_OF_BIRTH],
  allowed_document_types: [CITIZEN_ID_CARD, DRIVING_LICENCE],
  account_id: 'a1', level: AssuranceLevel.LEVEL_2, status: 'ACTIVE', full_name: 'x', date_of_birth: '1990-01-01', gender: null, phone: '+84912345678', email: null,
  consent_id: 'c1', consent_attributes: [FULL_NAME, DATE_OF_BIRTH, PHONE], consent_document_types: [DRIVING_LICENCE, HEALTH_INSURANCE_CARD], consent_purpose_key: PURPOSE,
  consent_expires_at: new Date('2027-06-01T00:00:00Z'), consent_revoked_at: null, consent_replaced_at: null,
};
const noConsent = { consent_id: null, consent_attributes: null, consent_document_types: null, consent_purpose_key: null, consent_expires_at: null, consent_revoked_at: null, consent_replaced_at: null };

describe('whether a partner may check a person', () => {
  it.each<[string, Partial<CheckRow>, string | undefined, RefusalReason]>([
    ['no account has the number', { account_id: null, ...noConsent }, 'bank.one', RefusalReason.NO_ACCOUNT],
    ['the partner is deactivated', { partner_active: false }, 'bank.one', RefusalReason.PARTNER_INACTIVE],
    ['the token names no registered partner', { partner_id: null, partner_active: null }, undefined, RefusalReason.PARTNER_INACTIVE],
    ['the token\'s client id is not the partner\'s', {}, 'bank.two', RefusalReason.PARTNER_INACTIVE],
    ['no consent to this partner', noConsent, 'bank.one', RefusalReason.NO_CONSENT],
    ['a consent for another purpose', { consent_purpose_key: 'vay tieu dung' }, 'bank.one', RefusalReason.PURPOSE_NOT_CONSENTED],
    ['a revoked consent', { consent_revoked_at: new Date('2027-02-01T00:00:00Z') }, 'bank.one', RefusalReason.CONSENT_REVOKED],
    ['a replaced consent', { consent_replaced_at: new Date('2027-02-01T00:00:00Z') }, 'bank.one', RefusalReason.CONSENT_REVOKED],
    ['a consent that expired this very instant', { consent_expires_at: NOW }, 'bank.one', RefusalReason.CONSENT_EXPIRED],
    ['a level-1 account', { level: AssuranceLevel.LEVEL_1 }, 'bank.one', RefusalReason.ACCOUNT_NOT_LEVEL_2],
  ])('refuses when %s', (_case, change, clientId, reason) => {
    expect(decide({ ...allowedRow, ...change }, PURPOSE, clientId, NOW)).toEqual({ allowed: false, reason });
  });

  it('allows within the consent and what the partner is allowed, both', () => {
    const decision = decide(allowedRow, PURPOSE, 'bank.one', NOW);
    expect(decision).toMatchObject({ allowed: true, consentExpiresAt: allowedRow.consent_expires_at });
    // PHONE is in the consent but no longer among the partner's allowed attributes.
    expect(decision.allowed && [...decision.scope]).toEqual([FULL_NAME, DATE_OF_BIRTH]);
    // HEALTH_INSURANCE_CARD is in the consent but not among the partner's allowed document types.
    expect(decision.allowed && decision.documentTypes).toEqual([DRIVING_LICENCE]);
    expect(decide({ ...allowedRow, consent_document_types: [] }, PURPOSE, 'bank.one', NOW)).toMatchObject({ allowed: true, documentTypes: [] });
    expect(decide({ ...allowedRow, allowed_document_types: null }, PURPOSE, 'bank.one', NOW)).toMatchObject({ allowed: true, documentTypes: [] });
  });

  it('refuses every case with one error: the same code, message and extensions', () => {
    const [a, b] = [identityCheckRefused(), identityCheckRefused()];
    expect(a).not.toBe(b);
    expect({ message: a.message, extensions: a.extensions }).toEqual({ message: b.message, extensions: b.extensions });
    expect(a.extensions).toEqual({ code: 'FORBIDDEN', reason: 'IDENTITY_CHECK_REFUSED' });
  });
});
