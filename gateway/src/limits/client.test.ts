import { describe, expect, it } from 'vitest';
import { Role, type Principal } from '../../../subgraphs/shared/src';
import { claimedTokenClaims, clientNameOf, clientOf } from './client';

const partner: Principal = { accountId: 'p-1', role: Role.PARTNER_BANK, level: 1, clientId: 'Bank.Example', requestsPerMinute: 90 };
const throughPortal: Principal = { accountId: 'a-1', role: Role.CITIZEN, level: 2, clientId: 'rp-portal' };
const citizen: Principal = { accountId: 'a-2', role: Role.CITIZEN, level: 2 };

describe('the client a request counts against', () => {
  it('is its verified token\'s client first, whatever name the request gives itself', () => {
    expect(clientOf(partner, 'something-else')).toEqual({ subject: 'token:bank.example', source: 'token', machine: true, requestsPerMinute: 90 });
    expect(clientOf(throughPortal, 'something-else')).toEqual({ subject: 'token:rp-portal', source: 'token', machine: false });
  });

  it('is otherwise the name it gives itself, in a key space of its own, or none', () => {
    expect(clientOf(citizen, ' Web-Portal ')).toEqual({ subject: 'name:web-portal', source: 'header', machine: false });
    expect(clientOf(null, 'bank.example')?.subject).toBe('name:bank.example');
    expect(clientOf(citizen, undefined)).toBeUndefined();
    expect(clientOf(null, undefined)).toBeUndefined();
  });

  it('takes a registered limit only from a partner\'s token', () => {
    expect(clientOf({ ...throughPortal, requestsPerMinute: 1_000_000 }, undefined)).not.toHaveProperty('requestsPerMinute');
  });

  it.each([
    ['', undefined], ['   ', undefined], ['x'.repeat(65), undefined], ['tab\tinside', undefined], ['Cổng', undefined], ['line\nbreak', undefined],
    ['x'.repeat(64), 'x'.repeat(64)], ['My Portal (v2)', 'my portal (v2)'],
  ])('reads the name %j as %j', (header, expected) => {
    expect(clientNameOf(header)).toBe(expected);
  });

  it('peeks at a token\'s claims without trusting them, and at nothing else', () => {
    const token = ['{"alg":"ES256"}', '{"role":"PARTNER_BANK","client_id":"x"}'].map((part) => Buffer.from(part).toString('base64url')).join('.') + '.sig';
    expect(claimedTokenClaims(`Bearer ${token}`)).toMatchObject({ role: 'PARTNER_BANK', client_id: 'x' });
    expect(claimedTokenClaims('Bearer not-a-token')).toBeUndefined();
    expect(claimedTokenClaims(`Basic ${token}`)).toBeUndefined();
    expect(claimedTokenClaims(undefined)).toBeUndefined();
  });
});
