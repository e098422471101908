import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { assertCan, BadInputError, ConflictError, Role, todayInVietnam, type Cache, type FieldProblem, type Logger, type Principal } from '../../../shared/src';
import { Account, AccountKind, AccountStatus, AssuranceLevel, Gender } from '../accounts/account.entity';
import type { CachedAccount } from '../accounts/account.loader';
import { checkPersonalIdNumber } from '../accounts/personal-id-number';
import { ageOn, checkPhoneAndEmail, ISO_3166_ALPHA_2, MINIMUM_SELF_REGISTRATION_AGE, normaliseMobile, normaliseName } from '../accounts/registration-rules';
import { OtpPurpose } from '../otp/otp-challenge.entity';
import { OTP_TTL_SECONDS, type OtpService } from '../otp/otp.service';
import type { PostalPointDirectory } from '../postal-points/postal-point.directory';
import type { ActivationService } from './activation.service';
import { staffPlace } from './activation.service';
import { checkDocumentInput, IdentityDocumentType, type CheckedDocument } from './activation.rules';
import { VerificationPurpose } from './account-verification.entity';
import { lockIdentity } from '../registrations/registration.service';

const PASSPORT = /^[A-Z0-9]{6,20}$/;

/**
 * A password hash that no password matches and that costs a login the same scrypt work as a real one: the
 * account of a person registered at a counter has no password until they set it with the code sent to them.
 */
function unusablePasswordHash(): string {
  return ['scrypt', 32768, 8, 1, randomBytes(16).toString('base64url'), randomBytes(32).toString('base64url')].join('$');
}

/** What the SMS to a person registered at a counter says (plain GSM text, like the other codes). */
const SET_PASSWORD_TEXT = (code: string) =>
  `Tai khoan dinh danh dien tu cua ban da duoc tao tai buu cuc. Ma dat mat khau: ${code}. Hieu luc ${OTP_TTL_SECONDS / 60} phut. Khong chia se ma nay, ke ca voi nhan vien buu cuc.`;

export interface CounterRegistration { document: CheckedDocument; phone: string; email?: string | null }
export interface CounterRegistered { account: Account; setPasswordChallengeId: string; setPasswordExpiresAt: Date; otpSent: boolean }

/** Every problem with what the clerk entered, at once. */
export function checkCounterRegistration(input: CounterRegistration, today: string): FieldProblem[] {
  const { document } = input;
  const problems = checkDocumentInput(document, today).map((p) => ({ ...p, field: `document.${p.field}` }));
  if (!document.gender) problems.push({ field: 'document.gender', message: 'Gender, as printed on the document.' });
  if (document.documentType === IdentityDocumentType.CHIP_ID_CARD) {
    if (document.gender && !problems.some((p) => p.field === 'document.dateOfBirth')) {
      for (const p of checkPersonalIdNumber(document.documentNumber.trim(), { dateOfBirth: document.dateOfBirth, gender: document.gender })) {
        problems.push({ field: 'document.documentNumber', message: `Personal identification number ${p.message}.` });
      }
    }
  } else {
    if (!PASSPORT.test(document.documentNumber.trim().toUpperCase())) problems.push({ field: 'document.documentNumber', message: 'A passport number is 6–20 letters and digits.' });
    if (!document.nationality || !ISO_3166_ALPHA_2.has(document.nationality)) problems.push({ field: 'document.nationality', message: 'Nationality is required for a passport: an ISO 3166 two-letter code, e.g. "JP".' });
    else if (document.nationality === 'VN') problems.push({ field: 'document.nationality', message: 'A Vietnamese citizen is registered with their chip ID card.' });
  }
  if (!problems.some((p) => p.field === 'document.dateOfBirth') && ageOn(document.dateOfBirth, today) < MINIMUM_SELF_REGISTRATION_AGE) {
    problems.push({ field: 'document.dateOfBirth', message: `Accounts are for people from ${MINIMUM_SELF_REGISTRATION_AGE} years of age; a parent registers younger children.` });
  }
  problems.push(...checkPhoneAndEmail(input.phone, input.email));
  return problems;
}

/**
 * Assisted registration at a postal counter (đăng ký tại quầy): the person and their document are in front of
 * the clerk, so the account is level 2 at once. The clerk never learns the password: the account is created
 * without one, and a code to set it goes to the person's own phone (they set it with `resetPassword`).
 * Pending online registrations of the same number are superseded: the person was seen.
 */
export class CounterRegistrationService {
  constructor(
    private readonly db: DataSource,
    private readonly otp: OtpService,
    private readonly postalPoints: PostalPointDirectory,
    private readonly activation: ActivationService,
    private readonly cache: Cache<CachedAccount>,
    private readonly log: Logger,
  ) {}

  async register(principal: Principal | null, input: CounterRegistration): Promise<CounterRegistered> {
    const clerk = assertCan(principal, 'account.registerAtCounter', {}, 'Only a postal clerk with a level-2 account registers people at a counter.');
    const problems = checkCounterRegistration(input, todayInVietnam());
    if (problems.length) throw new BadInputError('The registration has problems; see extensions.problems.', problems);
    const place = await staffPlace(clerk, this.postalPoints);
    const phone = normaliseMobile(input.phone)!;
    const { document } = input;
    const citizen = document.documentType === IdentityDocumentType.CHIP_ID_CARD;
    const number = citizen ? document.documentNumber.trim() : document.documentNumber.trim().toUpperCase();
    await this.otp.reserveSend(phone);

    const created = await this.db.transaction(async (manager) => {
      await lockIdentity(manager, citizen ? { kind: AccountKind.CITIZEN, personalIdNumber: number } : { kind: AccountKind.FOREIGNER, nationality: document.nationality!, passportNumber: number });
      const taken = citizen
        ? await manager.query(`SELECT 1 FROM identity.accounts WHERE personal_id_number = $1 OR lower(username) = $1`, [number])
        : await manager.query(`SELECT 1 FROM identity.accounts WHERE nationality = $1 AND upper(passport_number) = $2`, [document.nationality, number]);
      if (taken.length) {
        const conflict = new ConflictError('This person already has an account: activate it (accountToActivate, activateAccount) instead.');
        Object.assign(conflict.extensions, { reason: 'ACCOUNT_EXISTS' });
        throw conflict;
      }
      await (citizen
        ? manager.query(`UPDATE identity.registration_claims SET status = 'SUPERSEDED', updated_at = now() WHERE personal_id_number = $1 AND status = 'PENDING'`, [number])
        : manager.query(`UPDATE identity.registration_claims SET status = 'SUPERSEDED', updated_at = now() WHERE nationality = $1 AND passport_number = $2 AND status = 'PENDING'`, [document.nationality, number]));
      const accounts = manager.getRepository(Account);
      const now = new Date();
      const account = accounts.create({
        kind: citizen ? AccountKind.CITIZEN : AccountKind.FOREIGNER, role: Role.CITIZEN,
        username: citizen ? number : `${document.nationality}:${number}`,
        personalIdNumber: citizen ? number : null, passportNumber: citizen ? null : number, nationality: citizen ? null : document.nationality!,
        fullName: normaliseName(document.fullName), dateOfBirth: document.dateOfBirth, gender: document.gender as Gender,
        phone, email: input.email?.trim() || null, passwordHash: unusablePasswordHash(),
        level: AssuranceLevel.LEVEL_2, status: AccountStatus.ACTIVE,
        verificationPostalPointCode: place.postalPointCode, postalPointCode: null, agencyCode: null,
        activatedAt: now, activatedByAccountId: clerk.accountId, activatedPostalPointCode: place.postalPointCode, activatedAgencyCode: null,
        statusChangedAt: now, statusReason: null,
      });
      await accounts.insert(account);
      await this.activation.audit(manager, clerk, place, account.id, VerificationPurpose.REGISTRATION_AT_COUNTER, document, []);
      const challenge = await this.otp.create(manager, { accountId: account.id }, phone, OtpPurpose.PASSWORD_RESET);
      return { account: await accounts.findOneByOrFail({ id: account.id }), ...challenge };
    });
    await this.cache.purge(created.account.id);
    const otpSent = await this.otp.deliver(created.challenge, created.code, SET_PASSWORD_TEXT).then(() => true, (error: Error) => {
      this.log.error('set-password code could not be sent', { accountId: created.account.id, error: error.message });
      return false;
    });
    this.log.info('registered at a counter (level 2)', { accountId: created.account.id, postalPoint: place.postalPointCode });
    return { account: created.account, setPasswordChallengeId: created.challenge.id, setPasswordExpiresAt: created.challenge.expiresAt, otpSent };
  }

}
