import { randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import type { DataSource, EntityManager } from 'typeorm';
import { assertCan, BadInputError, isUuid, UnauthenticatedError, type LimitRule, type Principal, type RateLimiter } from '../../../shared/src';
import { AccessAction, AccessOutcome } from '../access-log/access-log.entity';
import { staffAccessor, type AccessLogRecorder } from '../access-log/access-log.recorder';
import { Account, AccountKind, AccountStatus, AssuranceLevel } from '../accounts/account.entity';
import type { IdentityAttribute } from '../accounts/identity-attribute';
import { checkSharedDocumentIds } from '../documents/document-choice';
import { IdentityQrCode } from './identity-qr.entity';
import type { IdentityQr, IdentityQrVerification } from './identity-qr.types';
import { disclose, shownAttributes } from './qr-disclosure';
import type { QrPayloadCodec } from './qr-payload';

/** The VNeID procedure: a code is valid for 60 seconds and for one scan; after that a new one must be made. */
export const QR_TTL_SECONDS = 60;

/**
 * Why a scan was refused (`extensions.reason`, with code BAD_USER_INPUT): the code is not one identity
 * signed (QR_INVALID), identity signed it but has no record of it (QR_UNKNOWN), its 60 seconds are over
 * (QR_EXPIRED), it was scanned already (QR_USED), or the holder's account is no longer active at level 2
 * (QR_HOLDER_INACTIVE).
 */
export type QrRefusal = 'QR_INVALID' | 'QR_UNKNOWN' | 'QR_EXPIRED' | 'QR_USED' | 'QR_HOLDER_INACTIVE';

const REFUSALS: Record<QrRefusal, string> = {
  QR_INVALID: 'This is not a genuine identity QR code.',
  QR_UNKNOWN: 'This identity QR code is not known here.',
  QR_EXPIRED: 'This identity QR code has expired; ask the holder to make a new one.',
  QR_USED: 'This identity QR code has already been scanned; ask the holder to make a new one.',
  QR_HOLDER_INACTIVE: 'The holder\'s account is not active at level 2: this identity cannot be verified now.',
};

export function qrRefusalError(reason: QrRefusal): BadInputError {
  const error = new BadInputError(REFUSALS[reason], [{ field: 'payload', message: REFUSALS[reason] }]);
  Object.assign(error.extensions, { reason });
  return error;
}

/** What the row and its holder say about a code that could not be claimed; the first that applies is the reason. */
export function refusalOf(code: { usedAt: Date | null; expiresAt: Date; holderActiveAtLevel2: boolean }, now: Date): QrRefusal {
  if (code.usedAt) return 'QR_USED';
  if (code.expiresAt.getTime() <= now.getTime()) return 'QR_EXPIRED';
  if (!code.holderActiveAtLevel2) return 'QR_HOLDER_INACTIVE';
  // Unreachable while the claim and this read agree; a code that cannot be claimed is never shown.
  return 'QR_USED';
}

type ScanOutcome = { verification: IdentityQrVerification } | { refusal: QrRefusal };

/** Identity QR codes one holder may make in ten minutes. */
export const QR_CODES_PER_HOLDER: LimitRule = { name: 'identity-qr-holder', limit: 30, windowSeconds: 600 };

/**
 * Identity QR codes (VNeID): a level-2 holder makes one (valid 60 s, one scan), choosing what it shares
 * beyond name, date of birth and level, and up to five of their integrated documents; a level-2 official or
 * postal clerk scans it. Only a level-2 holder makes codes, so only a level-2 holder's documents are ever
 * presented this way. Time comes from `now`, so tests move it instead of sleeping.
 */
export class IdentityQrService {
  constructor(
    private readonly db: DataSource,
    private readonly codec: QrPayloadCodec,
    private readonly accessLog: AccessLogRecorder,
    private readonly now: () => Date = () => new Date(),
    private readonly options: { limiter?: RateLimiter } = {},
  ) {}

  async create(
    principal: Principal | null,
    share: readonly IdentityAttribute[] | null | undefined,
    documentIds: readonly string[] | null | undefined = [],
  ): Promise<IdentityQr> {
    if (!principal) throw new UnauthenticatedError();
    // The registry decides, not the token alone: a code made by a suspended account would outlive its token's check.
    const holder = isUuid(principal.accountId) ? await this.db.getRepository(Account).findOne({ where: { id: principal.accountId } }) : null;
    assertCan(principal, 'identityQr.create', {
      accountId: holder?.id ?? '',
      isPerson: holder?.kind === AccountKind.CITIZEN || holder?.kind === AccountKind.FOREIGNER,
      active: holder?.status === AccountStatus.ACTIVE,
      level: holder?.level === AssuranceLevel.LEVEL_2 ? 2 : holder?.level === AssuranceLevel.LEVEL_1 ? 1 : null,
    }, 'Only the holder of an active level-2 account (a citizen or a foreigner) can make an identity QR code.');
    const documents = checkSharedDocumentIds(documentIds);
    if (documents.problems.length) throw new BadInputError('The documents to share have problems; see extensions.problems.', documents.problems);
    // A person at a counter makes one or two; many in a row is a script filling the table.
    await this.options.limiter?.consume(QR_CODES_PER_HOLDER, holder!.id, 'Too many identity QR codes in a short time; try again in a few minutes.');

    const createdAt = this.now();
    const expiresAt = new Date(createdAt.getTime() + QR_TTL_SECONDS * 1000);
    const sharedAttributes = shownAttributes(share);
    const sharedDocumentIds = documents.value;
    const id = randomUUID();
    const payload = await this.codec.sign(id);
    await this.db.getRepository(IdentityQrCode).insert({
      id, accountId: holder!.id, sharedAttributes, sharedDocumentIds, createdAt, expiresAt,
      usedAt: null, verifiedByAccountId: null, verifiedByRole: null, verifiedPostalPointCode: null, verifiedAgencyCode: null,
    });
    const svg = await QRCode.toString(payload, { type: 'svg' });
    return { payload, expiresAt, svg, sharedAttributes, sharedDocumentIds };
  }

  /**
   * A scan. The claim is one `UPDATE … WHERE used_at IS NULL … RETURNING`: of any number of simultaneous
   * scans exactly one gets the row (the others wait for its lock, then find it used). The claim, who made it
   * and the holder's access-log entry commit together; a refusal whose holder is known is logged too, and
   * the error is raised only after that entry has committed.
   */
  async verify(principal: Principal | null, payload: string): Promise<IdentityQrVerification> {
    const scanner = assertCan(principal, 'identityQr.verify', {}, 'Only an official or a postal clerk with a level-2 account verifies identity QR codes.');
    const codeId = await this.codec.read(payload);
    if (!codeId) throw qrRefusalError('QR_INVALID');
    const now = this.now();
    const outcome = await this.db.transaction(async (manager): Promise<ScanOutcome> => {
      const [claimed] = (await manager.query(
        `UPDATE identity.qr_codes q
            SET used_at = $2, verified_by_account_id = $3, verified_by_role = $4, verified_postal_point_code = $5, verified_agency_code = $6
           FROM identity.accounts a
          WHERE q.id = $1 AND q.used_at IS NULL AND q.expires_at > $2
            AND a.id = q.account_id AND a.status = $7 AND a.level = $8
          RETURNING q.account_id, q.shared_attributes, q.shared_document_ids`,
        [codeId, now, scanner.accountId, scanner.role, scanner.postalPointCode ?? null, scanner.agencyCode ?? null, AccountStatus.ACTIVE, AssuranceLevel.LEVEL_2],
      )) as [{ account_id: string; shared_attributes: IdentityAttribute[]; shared_document_ids: string[] }[], number];

      if (claimed.length) {
        const { account_id: holderId, shared_attributes: shown, shared_document_ids: documentIds } = claimed[0];
        const holder = await manager.getRepository(Account).findOneOrFail({ where: { id: holderId } });
        await this.log(manager, scanner, holderId, AccessOutcome.ALLOWED, shown, null, documentIds);
        return { verification: disclose(holder, shown, now, documentIds) };
      }

      const rows = (await manager.query(
        `SELECT q.account_id, q.used_at, q.expires_at, (a.status = $2 AND a.level = $3) AS holder_ok
           FROM identity.qr_codes q JOIN identity.accounts a ON a.id = q.account_id
          WHERE q.id = $1`,
        [codeId, AccountStatus.ACTIVE, AssuranceLevel.LEVEL_2],
      )) as { account_id: string; used_at: Date | null; expires_at: Date; holder_ok: boolean }[];
      if (!rows.length) return { refusal: 'QR_UNKNOWN' };
      const [row] = rows;
      const refusal = refusalOf({ usedAt: row.used_at, expiresAt: row.expires_at, holderActiveAtLevel2: row.holder_ok }, now);
      await this.log(manager, scanner, row.account_id, AccessOutcome.REFUSED, [], refusal);
      return { refusal };
    });
    if ('refusal' in outcome) throw qrRefusalError(outcome.refusal);
    return outcome.verification;
  }

  /**
   * When `staffAccountId` last verified `holderAccountId` with an identity QR code (at or after `since`), or
   * null: what lets a verifier read the holder's data for a while.
   */
  async lastVerification(staffAccountId: string, holderAccountId: string, since?: Date): Promise<Date | null> {
    if (!isUuid(staffAccountId) || !isUuid(holderAccountId)) return null;
    const rows = (await this.db.query(
      `SELECT max(used_at) AS at FROM identity.qr_codes
        WHERE verified_by_account_id = $1 AND account_id = $2 AND used_at IS NOT NULL AND ($3::timestamptz IS NULL OR used_at >= $3)`,
      [staffAccountId, holderAccountId, since ?? null],
    )) as { at: Date | null }[];
    return rows[0]?.at ?? null;
  }

  private log(
    manager: EntityManager, scanner: Principal, holderId: string, outcome: AccessOutcome, attributes: IdentityAttribute[], reason: QrRefusal | null, documentIds: string[] = [],
  ) {
    return this.accessLog.record(manager, {
      accountId: holderId, ...staffAccessor(scanner), action: AccessAction.VERIFY_QR,
      attributes, documentIds, outcome, reason,
    });
  }
}
