import type { DataSource } from 'typeorm';
import { assertCan, BadInputError, isUuid, UnauthenticatedError, type LimitRule, type Principal, type RateLimiter } from '../../../shared/src';
import { AccessAction, AccessorKind, AccessOutcome } from '../access-log/access-log.entity';
import type { AccessRecord } from '../access-log/access-log.recorder';
import { AccountStatus, AssuranceLevel } from '../accounts/account.entity';
import { IdentityAttribute } from '../accounts/identity-attribute';
import { purposeKey } from '../consents/consent-rules';
import { documentsOfTypes } from '../documents/document-choice';
import { decide, identityCheckRefused, type CheckRow } from './decision';
import { claimedAttributes, compareClaims } from './matching';
import type { ResponseFloor } from './response-floor';
import { checkVerificationRequest, type VerificationRequest } from './verification.rules';
import type { IdentityVerification } from './verification.types';

/**
 * verifyIdentity answers no sooner than this, and in multiples of it (see ResponseFloor): far above a check's own
 * work (four statements), so the floor, not what was found, sets when the answer leaves.
 */
export const VERIFY_IDENTITY_FLOOR_MS = 250;

/** Checks per partner per minute (PARTNER_CHECKS_PER_MINUTE), counted before anything is looked up. */
export const partnerChecksPerMinute = (limit: number): LimitRule => ({ name: 'partner-checks', limit, windowSeconds: 60 });

/** A uuid no row has: a token whose subject is not one stands for no partner, and the lookup still runs. */
const NO_ONE = '00000000-0000-0000-0000-000000000000';

/**
 * The one lookup of a check, the same statement whoever is named: the partner, the account with the number, and
 * of that person's consents to that partner the one that decides (the one for this purpose first, then a live
 * one, then the newest) — so that every refusal can be told to the holder precisely.
 */
const CHECK_SQL = `
  SELECT p.id AS partner_id, p.name AS partner_name, p.active AS partner_active, p.client_id, p.allowed_attributes, p.allowed_document_types,
         a.id AS account_id, a.level, a.status, a.full_name, a.date_of_birth::text AS date_of_birth, a.gender, a.phone, a.email,
         c.id AS consent_id, c.attributes AS consent_attributes, c.document_types AS consent_document_types, c.purpose_key AS consent_purpose_key,
         c.expires_at AS consent_expires_at, c.revoked_at AS consent_revoked_at, c.replaced_at AS consent_replaced_at
    FROM (SELECT $1::uuid AS partner_id, $2::text AS personal_id_number) q
    LEFT JOIN identity.partners p ON p.id = q.partner_id
    LEFT JOIN identity.accounts a ON a.personal_id_number = q.personal_id_number
    LEFT JOIN LATERAL (
      SELECT * FROM identity.consents c
       WHERE c.account_id = a.id AND c.partner_id = q.partner_id
       ORDER BY (c.purpose_key = $3) DESC, (c.revoked_at IS NULL AND c.replaced_at IS NULL AND c.expires_at > $4) DESC, c.granted_at DESC
       LIMIT 1
    ) c ON true`;

/**
 * The access-log entry of a check, written in the check's transaction. Not through AccessLogRecorder, which skips
 * the statement when there is nothing to write: here it runs in every case and writes nothing when no one has the
 * number, so "no such person" costs the same statements as every other refusal.
 */
const LOG_SQL = `
  INSERT INTO identity.access_log (account_id, accessor_kind, accessor_id, accessor_name, action, attributes, purpose, outcome, reason, document_types)
  SELECT $1::uuid, $2, $3, $4, $5, $6::text[], $7, $8, $9, $10::text[] WHERE $1::uuid IS NOT NULL`;

type Answer = { allowed: true; verification: IdentityVerification } | { allowed: false };

/**
 * eKYC: a partner checks an identity its customer claims, only with the holder's consent. Every refusal is the one
 * `identityCheckRefused()`, after the same statements and no sooner than the response floor; every check of an
 * existing person, allowed or refused, is in their access log, committed with the decision.
 */
export class VerificationService {
  private readonly perMinute: LimitRule;

  constructor(
    private readonly db: DataSource,
    private readonly limiter: RateLimiter,
    private readonly floor: ResponseFloor,
    limits: { checksPerMinute: number },
    private readonly now = () => new Date(),
  ) {
    this.perMinute = partnerChecksPerMinute(limits.checksPerMinute);
  }

  async verify(principal: Principal | null, input: VerificationRequest): Promise<IdentityVerification> {
    if (!principal) throw new UnauthenticatedError();
    assertCan(principal, 'identity.verify', { partnerId: principal.accountId }, 'Only a partner\'s machine client checks identities (see issuePartnerToken).');
    // Counted first: a partner over its limit costs no lookup at all.
    await this.limiter.consume(this.perMinute, principal.accountId, 'This partner has used its checks for this minute; try again shortly.');
    const { value, problems } = checkVerificationRequest(input);
    if (problems.length) throw new BadInputError('The check has problems; see extensions.problems.', problems);
    const answer = await this.floor.hold(() => this.decideAndRecord(principal, value));
    // Thrown only now, after the transaction committed its access-log entry.
    if (!answer.allowed) throw identityCheckRefused();
    return answer.verification;
  }

  private decideAndRecord(partner: Principal, request: VerificationRequest): Promise<Answer> {
    const now = this.now();
    const key = purposeKey(request.purpose);
    const partnerId = isUuid(partner.accountId) ? partner.accountId : NO_ONE;
    return this.db.transaction(async (manager) => {
      const [row] = (await manager.query(CHECK_SQL, [partnerId, request.personalIdNumber, key, now])) as CheckRow[];
      const decision = decide(row, key, partner.clientId, now);
      const compared = decision.allowed
        ? compareClaims(request, { fullName: row.full_name, dateOfBirth: row.date_of_birth, gender: row.gender, phone: row.phone, email: row.email }, decision.scope)
        : undefined;
      // Documents are presented only for an account active at level 2 (decide() already requires level 2; a
      // suspended or revoked holder is still checked, and the answer says so, but presents nothing).
      const documentTypes = decision.allowed && row.status === AccountStatus.ACTIVE && row.level === AssuranceLevel.LEVEL_2 ? decision.documentTypes : [];
      const entry: Omit<AccessRecord, 'accountId'> & { accountId: string | null } = {
        accountId: row.account_id,
        accessorKind: AccessorKind.PARTNER,
        accessorId: partner.accountId,
        accessorName: row.partner_name ?? 'Unregistered partner',
        action: AccessAction.VERIFY_IDENTITY,
        // The number was used to find them; then what was compared (allowed) or what the partner asked to compare (refused).
        attributes: [IdentityAttribute.PERSONAL_ID_NUMBER, ...(compared ? compared.checked : claimedAttributes(request))],
        documentTypes,
        purpose: request.purpose,
        outcome: decision.allowed ? AccessOutcome.ALLOWED : AccessOutcome.REFUSED,
        reason: decision.allowed ? null : decision.reason,
      };
      await manager.query(LOG_SQL, [
        entry.accountId, entry.accessorKind, entry.accessorId, entry.accessorName, entry.action, entry.attributes, entry.purpose, entry.outcome, entry.reason,
        entry.documentTypes,
      ]);
      if (!decision.allowed || !compared) return { allowed: false };
      return {
        allowed: true,
        verification: {
          checks: compared.checks, level: row.level!, status: row.status as AccountStatus, documents: documentsOfTypes(row.account_id!, documentTypes),
          consentExpiresAt: decision.consentExpiresAt, checkedAt: now,
        },
      };
    });
  }
}
