import type { DataSource, EntityManager } from 'typeorm';
import { assertCan, BadInputError, ForbiddenError, isUuid, NotFoundError, todayInVietnam, type Cache, type FieldProblem, type Logger, type Principal } from '../../../shared/src';
import { AccessAction, AccessOutcome } from '../access-log/access-log.entity';
import { AccessLogRecorder, staffAccessor } from '../access-log/access-log.recorder';
import { AccountEvent, assertTransition } from '../accounts/account-status';
import { Account, AssuranceLevel } from '../accounts/account.entity';
import type { CachedAccount } from '../accounts/account.loader';
import { IdentityAttribute } from '../accounts/identity-attribute';
import type { PostalPointDirectory } from '../postal-points/postal-point.directory';
import { AccountVerification, VerificationPurpose } from './account-verification.entity';
import { checkDocumentInput, documentMismatches, IdentityDocumentType, type CheckedDocument } from './activation.rules';

/** What an activation shows the staff member and records: the identity attributes the document carries. */
export function attributesOf(type: IdentityDocumentType): IdentityAttribute[] {
  return type === IdentityDocumentType.PASSPORT
    ? [IdentityAttribute.PASSPORT, IdentityAttribute.FULL_NAME, IdentityAttribute.DATE_OF_BIRTH, IdentityAttribute.GENDER]
    : [IdentityAttribute.PERSONAL_ID_NUMBER, IdentityAttribute.FULL_NAME, IdentityAttribute.DATE_OF_BIRTH, IdentityAttribute.GENDER];
}

export interface StaffPlace { postalPointCode: string | null; agencyCode: string | null }

/**
 * Where a staff member acts, checked now: a clerk's postal point must exist and be open (any open point may
 * activate, not only the one the person chose); an official acts for their agency.
 */
export async function staffPlace(principal: Principal, postalPoints: PostalPointDirectory): Promise<StaffPlace> {
  if (!principal.postalPointCode) return { postalPointCode: null, agencyCode: principal.agencyCode ?? null };
  const point = await postalPoints.find(principal.postalPointCode);
  if (!point || !point.isOpen) throw new ForbiddenError(`Postal point ${principal.postalPointCode} is ${point ? 'closed' : 'unknown'}; accounts are verified only at an open point.`);
  return { postalPointCode: point.code, agencyCode: null };
}

type Outcome = { account: Account } | { mismatches: FieldProblem[] };

/**
 * Level 2 (kích hoạt tài khoản định danh điện tử mức độ 2): a postal clerk at an open postal point, or an
 * official of the police (C06), has the person and their chip ID card (a foreigner's passport) in front of
 * them, types what the document says, and the account becomes LEVEL_2 and ACTIVE when it matches the record.
 * A mismatch changes nothing on the account and names every field that disagrees; the attempt itself is
 * recorded (verification audit and the holder's access log), as is a success.
 */
export class ActivationService {
  constructor(
    private readonly db: DataSource,
    private readonly cache: Cache<CachedAccount>,
    private readonly postalPoints: PostalPointDirectory,
    private readonly recorder: AccessLogRecorder,
    private readonly log: Logger,
  ) {}

  /** The account a document belongs to, for the counter to activate: by the card's number, or a passport and nationality. */
  async accountToActivate(principal: Principal | null, documentType: IdentityDocumentType, documentNumber: string, nationality?: string | null): Promise<Account | null> {
    assertCan(principal, 'account.activate', {}, 'Only a postal clerk or a police official (C06) with a level-2 account activates accounts.');
    const repo = this.db.getRepository(Account);
    const number = documentNumber.trim();
    if (number.length > 32) return null;
    return documentType === IdentityDocumentType.PASSPORT
      ? repo.createQueryBuilder('a').where('a.nationality = upper(:n) AND upper(a.passport_number) = upper(:p)', { n: (nationality ?? '').trim(), p: number }).getOne()
      : repo.findOne({ where: { personalIdNumber: number } });
  }

  async activate(principal: Principal | null, accountId: string, document: CheckedDocument): Promise<Account> {
    const staff = assertCan(principal, 'account.activate', { accountId }, 'Only a postal clerk or a police official (C06) with a level-2 account activates accounts.');
    const problems = checkDocumentInput(document, todayInVietnam());
    if (problems.length) throw new BadInputError('The document details have problems; see extensions.problems.', problems.map((p) => ({ ...p, field: `document.${p.field}` })));
    if (!isUuid(accountId)) throw new NotFoundError('No account has this id.');
    const place = await staffPlace(staff, this.postalPoints);

    const outcome = await this.db.transaction(async (manager): Promise<Outcome> => {
      const accounts = manager.getRepository(Account);
      const account = await accounts.findOne({ where: { id: accountId }, lock: { mode: 'pessimistic_write' } });
      if (!account) throw new NotFoundError('No account has this id.');
      const next = assertTransition(account, AccountEvent.ACTIVATE);
      const mismatches = documentMismatches(document, {
        kind: account.kind, personalIdNumber: account.personalIdNumber, passportNumber: account.passportNumber, nationality: account.nationality,
        fullName: account.fullName, dateOfBirth: account.dateOfBirth, gender: account.gender,
      });
      await this.audit(manager, staff, place, account.id, VerificationPurpose.ACTIVATION, document, mismatches);
      if (mismatches.length) return { mismatches };
      await accounts.update(account.id, {
        level: AssuranceLevel.LEVEL_2, status: next, activatedAt: new Date(), activatedByAccountId: staff.accountId,
        activatedPostalPointCode: place.postalPointCode, activatedAgencyCode: place.agencyCode, statusChangedAt: new Date(), statusReason: null,
      });
      return { account: await accounts.findOneByOrFail({ id: account.id }) };
    });
    await this.cache.purge(accountId);
    if ('mismatches' in outcome) {
      const error = new BadInputError('The document does not match the record; nothing was changed. See extensions.problems.', outcome.mismatches.map((p) => ({ ...p, field: `document.${p.field}` })));
      Object.assign(error.extensions, { reason: 'DOCUMENT_MISMATCH' });
      throw error;
    }
    this.log.info('account activated (level 2)', { accountId, by: staff.accountId, postalPoint: place.postalPointCode, agency: place.agencyCode });
    return outcome.account;
  }

  /** The verification audit row and the holder's access-log entry, in the caller's transaction. */
  async audit(manager: EntityManager, staff: Principal, place: StaffPlace, accountId: string, purpose: VerificationPurpose, document: CheckedDocument, mismatches: FieldProblem[]): Promise<void> {
    await manager.getRepository(AccountVerification).insert({
      accountId, purpose, documentType: document.documentType, documentNumber: document.documentNumber.trim(), documentIssueDate: document.issueDate,
      verifiedByAccountId: staff.accountId, postalPointCode: place.postalPointCode, agencyCode: place.agencyCode,
      matched: mismatches.length === 0, mismatchedFields: mismatches.map((p) => p.field),
    });
    await this.recorder.record(manager, {
      accountId, ...staffAccessor(staff), ...place,
      action: purpose === VerificationPurpose.ACTIVATION ? AccessAction.ACTIVATE : AccessAction.REGISTER_AT_COUNTER,
      attributes: attributesOf(document.documentType),
      purpose: purpose === VerificationPurpose.ACTIVATION ? 'In-person verification for level 2' : 'Registration at a counter',
      outcome: mismatches.length ? AccessOutcome.REFUSED : AccessOutcome.ALLOWED,
      reason: mismatches.length ? 'DOCUMENT_MISMATCH' : null,
    });
  }
}

