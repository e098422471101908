import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../subgraphs/shared/src';
import { Housekeeping } from '../../subgraphs/identity/src/housekeeping/housekeeping';
import { aConfirmedCitizen, aRegistration, REGISTER } from '../kit/builders';
import { gql } from '../kit/gql';
import { useStack } from '../kit/stack';

describe('identity housekeeping', () => {
  const stack = useStack({ postalPoints: 20 });
  const db = () => stack.identity.database.dataSource;
  const exists = async (table: string, id: string) => (await db().query(`SELECT 1 FROM identity.${table} WHERE id = $1`, [id])).length === 1;

  it('deletes registrations that lapsed a week ago and QR codes that expired unscanned a day ago; keeps accounts\' claims, scanned codes and anything recent', async () => {
    const [{ code: point }] = await stack.payments.database.dataSource.query(`SELECT code FROM payments.postal_points WHERE is_open ORDER BY code LIMIT 1`);
    const lapsed = (await gql(stack.gatewayUrl, REGISTER, { input: aRegistration({}, point) })).registerCitizen.otpChallengeId as string;
    const recent = (await gql(stack.gatewayUrl, REGISTER, { input: aRegistration({}, point) })).registerCitizen.otpChallengeId as string;
    const claimOf = async (challengeId: string) => (await db().query(`SELECT claim_id FROM identity.otp_challenges WHERE id = $1`, [challengeId]))[0].claim_id as string;
    const [lapsedClaim, recentClaim] = [await claimOf(lapsed), await claimOf(recent)];
    const citizen = await aConfirmedCitizen(stack);
    const [{ id: confirmedClaim }] = await db().query(`SELECT id FROM identity.registration_claims WHERE account_id = $1`, [citizen.accountId]);
    await db().query(`UPDATE identity.registration_claims SET expires_at = now() - interval '8 days' WHERE id = ANY($1::uuid[])`, [[lapsedClaim, confirmedClaim]]);

    const qr = async (expiredAgo: string, used: boolean) => {
      const id = randomUUID();
      await db().query(
        `INSERT INTO identity.qr_codes (id, account_id, shared_attributes, created_at, expires_at, used_at, verified_by_account_id, verified_by_role)
         VALUES ($1, $2, '{}', now() - $3::interval - interval '1 minute', now() - $3::interval, $4, $5, $6)`,
        [id, citizen.accountId, expiredAgo, used ? new Date() : null, used ? randomUUID() : null, used ? 'OFFICIAL' : null]);
      return id;
    };
    const oldUnused = await qr('2 days', false);
    const oldScanned = await qr('2 days', true);
    const recentUnused = await qr('1 hour', false);

    const swept = await new Housekeeping(db(), createLogger({ service: 'test', level: 'silent' })).sweep();
    expect(swept).toMatchObject({ claims: 1, challenges: 1, qrCodes: 1 });
    expect({
      lapsedClaim: await exists('registration_claims', lapsedClaim), lapsedCode: await exists('otp_challenges', lapsed),
      recentClaim: await exists('registration_claims', recentClaim), confirmedClaim: await exists('registration_claims', confirmedClaim),
      oldUnused: await exists('qr_codes', oldUnused), oldScanned: await exists('qr_codes', oldScanned), recentUnused: await exists('qr_codes', recentUnused),
    }).toEqual({ lapsedClaim: false, lapsedCode: false, recentClaim: true, confirmedClaim: true, oldUnused: false, oldScanned: true, recentUnused: true });
    // A second sweep finds nothing more.
    expect(await new Housekeeping(db(), createLogger({ service: 'test', level: 'silent' })).sweep()).toEqual({ claims: 0, challenges: 0, qrCodes: 0 });
  });
});
