import { describe, expect, it } from 'vitest';
import { DelegationScope } from '../../../shared/src';
import { DelegationStatus } from './delegation.entity';
import { checkDelegationGrant, checkOrganisationRegistration, delegationStatus, MAX_DELEGATION_DAYS, normaliseTaxCode } from './organisation-rules';

describe('tax codes (mã số thuế)', () => {
  it.each([
    ['0101234567', '0101234567'],
    ['0101234567-001', '0101234567-001'],
    ['0101234567001', '0101234567-001'],
    [' 0101234567 ', '0101234567'],
    ['0101234567 - 001', '0101234567-001'],
    ['0312 345 678', '0312345678'],
    ['0101234567-999', '0101234567-999'],
  ])('accepts %j as %j', (raw, normal) => expect(normaliseTaxCode(raw)).toBe(normal));

  it.each([
    ['', 'empty'],
    ['010123456', '9 digits'],
    ['01012345678', '11 digits'],
    ['010123456789', '12 digits'],
    ['0101234567-01', 'a 2-digit unit'],
    ['0101234567-0001', 'a 4-digit unit'],
    ['0101234567-000', 'unit 000'],
    ['0101234567--001', 'two hyphens'],
    ['0101234567/001', 'another separator'],
    ['01012345AB', 'letters'],
    ['０１０１２３４５６７', 'full-width digits'],
    ['-0101234567', 'a leading hyphen'],
  ])('refuses %j (%s)', (raw) => expect(normaliseTaxCode(raw)).toBeNull());

  it('reports every problem of a registration at once, and stores the normal form and a tidy name', () => {
    expect(checkOrganisationRegistration({ taxCode: '12', name: ' ' }).problems.map((p) => p.field)).toEqual(['taxCode', 'name']);
    expect(checkOrganisationRegistration({ taxCode: '0101234567001', name: '  Công ty  TNHH   Sao Mai ' })).toEqual({
      value: { taxCode: '0101234567-001', name: 'Công ty TNHH Sao Mai' }, problems: [],
    });
    expect(checkOrganisationRegistration({ taxCode: '0101234567', name: 'x'.repeat(301) }).problems.map((p) => p.field)).toEqual(['name']);
  });
});

describe('delegation grants', () => {
  const now = new Date('2026-12-01T03:00:00Z');
  const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000);
  const grant = (overrides: Partial<Parameters<typeof checkDelegationGrant>[0]> = {}) => checkDelegationGrant({
    organisationId: '5d1b5a36-5d86-4a5e-9a8f-0a0b4f1f0a01', delegatePersonalIdNumber: '001190000123',
    scopes: [DelegationScope.SUBMIT_DOSSIERS, DelegationScope.VIEW_DOSSIERS, DelegationScope.SUBMIT_DOSSIERS], expiresAt: inDays(30), ...overrides,
  }, now);

  it('keeps each scope once and trims the number', () => {
    expect(grant({ delegatePersonalIdNumber: ' 001190000123 ' })).toMatchObject({
      value: { delegatePersonalIdNumber: '001190000123', scopes: [DelegationScope.SUBMIT_DOSSIERS, DelegationScope.VIEW_DOSSIERS] }, problems: [],
    });
  });

  it.each<[string, Partial<Parameters<typeof checkDelegationGrant>[0]>, string[]]>([
    ['no scope', { scopes: [] }, ['scopes']],
    ['an expiry in the past', { expiresAt: inDays(-1) }, ['expiresAt']],
    ['an expiry in two minutes', { expiresAt: new Date(now.getTime() + 120_000) }, ['expiresAt']],
    ['an expiry beyond a year', { expiresAt: inDays(MAX_DELEGATION_DAYS + 1) }, ['expiresAt']],
    ['a number that is not 12 digits', { delegatePersonalIdNumber: '00119000012' }, ['delegatePersonalIdNumber']],
    ['everything wrong', { delegatePersonalIdNumber: 'x', scopes: [], expiresAt: inDays(400) }, ['delegatePersonalIdNumber', 'scopes', 'expiresAt']],
  ])('refuses %s', (_what, overrides, fields) => expect(grant(overrides).problems.map((p) => p.field)).toEqual(fields));

  it('accepts exactly a year', () => expect(grant({ expiresAt: inDays(MAX_DELEGATION_DAYS) }).problems).toEqual([]));

  it.each<[string, { revokedAt: Date | null; replacedAt: Date | null; expiresAt: Date }, DelegationStatus]>([
    ['live', { revokedAt: null, replacedAt: null, expiresAt: inDays(1) }, DelegationStatus.ACTIVE],
    ['past its expiry', { revokedAt: null, replacedAt: null, expiresAt: now }, DelegationStatus.EXPIRED],
    ['revoked (even if expired since)', { revokedAt: inDays(-2), replacedAt: null, expiresAt: inDays(-1) }, DelegationStatus.REVOKED],
    ['replaced', { revokedAt: null, replacedAt: inDays(-1), expiresAt: inDays(1) }, DelegationStatus.REPLACED],
  ])('reads as %s', (_what, delegation, status) => expect(delegationStatus(delegation, now)).toBe(status));
});
