import { describe, expect, it } from 'vitest';
import { Account, AssuranceLevel, Gender } from '../accounts/account.entity';
import { IdentityAttribute as A } from '../accounts/identity-attribute';
import { disclose, shownAttributes } from './qr-disclosure';
import { refusalOf } from './identity-qr.service';

describe('what an identity QR code shows', () => {
  it('always the name and date of birth, plus each chosen attribute once, in a stable order', () => {
    expect(shownAttributes(null)).toEqual([A.FULL_NAME, A.DATE_OF_BIRTH]);
    expect(shownAttributes([])).toEqual([A.FULL_NAME, A.DATE_OF_BIRTH]);
    expect(shownAttributes([A.GENDER, A.PERSONAL_ID_NUMBER, A.GENDER, A.FULL_NAME])).toEqual([A.PERSONAL_ID_NUMBER, A.FULL_NAME, A.DATE_OF_BIRTH, A.GENDER]);
  });

  it('nothing that was not chosen, whatever the registry holds', () => {
    const holder = Object.assign(new Account(), {
      id: 'x', fullName: 'Trần Thị Mai', dateOfBirth: '1990-01-01', level: AssuranceLevel.LEVEL_2, personalIdNumber: '001190123456',
      gender: Gender.FEMALE, phone: '+84912345678', email: 'mai@example.vn', passportNumber: 'B1234567', nationality: 'VN',
    });
    const at = new Date('2026-01-01T00:00:00Z');
    expect(disclose(holder, shownAttributes([A.GENDER]), at)).toEqual({
      fullName: 'Trần Thị Mai', dateOfBirth: '1990-01-01', level: AssuranceLevel.LEVEL_2, sharedAttributes: [A.FULL_NAME, A.DATE_OF_BIRTH, A.GENDER],
      personalIdNumber: null, gender: Gender.FEMALE, phone: null, email: null, passportNumber: null, nationality: null, documents: [], verifiedAt: at,
    });
    expect(disclose(holder, shownAttributes([A.PASSPORT, A.PHONE, A.EMAIL, A.PERSONAL_ID_NUMBER]), at)).toMatchObject({
      personalIdNumber: '001190123456', gender: null, phone: '+84912345678', email: 'mai@example.vn', passportNumber: 'B1234567', nationality: 'VN',
    });
  });

  it('the chosen documents, in their order, each as a reference naming the holder (whose they are is for the documents subgraph to say)', () => {
    const holder = Object.assign(new Account(), { id: 'holder-1', fullName: 'Trần Thị Mai', dateOfBirth: '1990-01-01', level: AssuranceLevel.LEVEL_2 });
    const ids = ['6f1c1a4e-0d2b-4c8e-9a51-2b7f3e0c9d11', '0a7e5d2c-3b1f-4e6a-8c9d-1f2e3a4b5c6d'];
    expect(disclose(holder, shownAttributes([]), new Date(), ids).documents).toEqual([
      { id: ids[0], holderAccountId: 'holder-1' }, { id: ids[1], holderAccountId: 'holder-1' },
    ]);
  });
});

describe('why a code that could not be claimed is refused', () => {
  const now = new Date('2026-01-01T00:01:00Z');
  it('used before expired before holder inactive', () => {
    const expired = new Date('2026-01-01T00:00:59Z');
    const valid = new Date('2026-01-01T00:01:30Z');
    expect(refusalOf({ usedAt: expired, expiresAt: expired, holderActiveAtLevel2: false }, now)).toBe('QR_USED');
    expect(refusalOf({ usedAt: null, expiresAt: expired, holderActiveAtLevel2: false }, now)).toBe('QR_EXPIRED');
    expect(refusalOf({ usedAt: null, expiresAt: now, holderActiveAtLevel2: true }, now)).toBe('QR_EXPIRED');
    expect(refusalOf({ usedAt: null, expiresAt: valid, holderActiveAtLevel2: false }, now)).toBe('QR_HOLDER_INACTIVE');
  });
});
