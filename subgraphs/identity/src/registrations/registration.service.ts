import type { DataSource, EntityManager } from 'typeorm';
import { BadInputError, clientIpSubject, lockForTransaction, ConflictError, maskPhone, Role, todayInVietnam, type LimitRule, type Logger, type RateLimiter } from '../../../shared/src';
import { Account, AccountKind, AccountStatus, AssuranceLevel } from '../accounts/account.entity';
import { hashPassword } from '../accounts/password-hash';
import {
  checkCitizenRegistration, checkForeignerRegistration, foreignerUsername, normaliseMobile, normaliseName, normaliseNationality, normalisePassportNumber,
  type CitizenRegistration, type ForeignerRegistration,
} from '../accounts/registration-rules';
import { OtpPurpose } from '../otp/otp-challenge.entity';
import { refusalError, type OtpService } from '../otp/otp.service';
import type { PostalPointDirectory } from '../postal-points/postal-point.directory';
import type { SmsSender } from '../sms/sms-sender';
import { ClaimStatus, RegistrationClaim } from './registration-claim.entity';

/** Notices to a holder whose number was registered again: one a day is enough to warn them. */
export const REGISTRATION_NOTICES_PER_PHONE: LimitRule = { name: 'registration-notice-phone', limit: 1, windowSeconds: 24 * 3600 };

/** How long a claim may wait for its phone (codes live 5 minutes; resendOtp renews them within this). */
export const CLAIM_TTL_SECONDS = 24 * 3600;

/** Registrations per client IP per hour: each one costs a deliberately slow, memory-hard password hash. */
export const registrationsPerIp = (limit: number): LimitRule => ({ name: 'registration-ip', limit, windowSeconds: 3600 });

/** What the holder of a number reads when someone registers it again (no diacritics: plain GSM SMS, like the codes). */
export const ALREADY_REGISTERED_NOTICE = 'Co nguoi vua dang ky tai khoan dinh danh dien tu bang so dinh danh cua ban. '
  + 'Ban da co tai khoan nen khong co tai khoan moi nao duoc tao. Neu khong phai ban, khong can lam gi; khong cung cap mat khau hay ma OTP cho bat ky ai.';

/** The same notice for a foreigner whose passport was registered again (in English, plain GSM). */
export const PASSPORT_ALREADY_REGISTERED_NOTICE = 'Someone has just registered an electronic identity account (tai khoan dinh danh dien tu) with your passport. '
  + 'You already have an account, so no new account was created. If it was not you, do nothing; never give your password or OTP codes to anyone.';

export interface RegistrationStarted { challengeId: string; expiresAt: Date; otpSent: boolean }

/**
 * Who a claim says it is: a citizen by their personal identification number, a foreigner (người nước ngoài)
 * by passport number and nationality (the same passport number of another country is another person).
 * Everything that decides who owns an identity goes through the few functions below, one case per kind.
 */
export type ClaimedIdentity =
  | { kind: AccountKind.CITIZEN; personalIdNumber: string }
  | { kind: AccountKind.FOREIGNER; passportNumber: string; nationality: string };

/** The account's username: the personal identification number, or "JP:TK1234567" (see foreignerUsername). */
export function usernameOf(identity: ClaimedIdentity): string {
  return identity.kind === AccountKind.CITIZEN ? identity.personalIdNumber : foreignerUsername(identity.nationality, identity.passportNumber);
}

function identityOfClaim(claim: { personalIdNumber: string | null; passportNumber: string | null; nationality: string | null }): ClaimedIdentity {
  // The table's CHECK guarantees exactly one of the two.
  return claim.personalIdNumber !== null
    ? { kind: AccountKind.CITIZEN, personalIdNumber: claim.personalIdNumber }
    : { kind: AccountKind.FOREIGNER, passportNumber: claim.passportNumber!, nationality: claim.nationality! };
}

const CLAIM_COLUMNS = 'phone, full_name, date_of_birth, gender, email, password_hash, verification_postal_point_code, status, expires_at';

/**
 * One statement, never read-then-write: a new claim, or — for the same identity and the same phone, while it
 * is still pending — the same claim with the new details (the caller then voids its earlier codes). Claims
 * of other phones are never touched. A DECOY row matches no pending claim and is always a new row. The
 * conflict target is the identity's partial unique index (see the migrations).
 */
function upsertClaim(identityColumns: string[], conflictTarget: string): string {
  const placeholders = Array.from({ length: identityColumns.length + 8 }, (_, i) => `$${i + 1}`).join(', ');
  return `
  INSERT INTO identity.registration_claims AS c (${identityColumns.join(', ')}, ${CLAIM_COLUMNS})
  VALUES (${placeholders}, now() + make_interval(secs => $${identityColumns.length + 9}))
  ON CONFLICT ${conflictTarget} WHERE status = 'PENDING' DO UPDATE SET
    full_name = EXCLUDED.full_name, date_of_birth = EXCLUDED.date_of_birth, gender = EXCLUDED.gender, email = EXCLUDED.email,
    password_hash = EXCLUDED.password_hash, verification_postal_point_code = EXCLUDED.verification_postal_point_code,
    expires_at = EXCLUDED.expires_at, updated_at = now()
  RETURNING c.id`;
}

/** Per kind: how a claim of the identity is written, which account holds it, and how its other claims are superseded. */
const CLAIM_SQL = {
  [AccountKind.CITIZEN]: {
    upsert: upsertClaim(['personal_id_number'], '(personal_id_number, phone)'),
    holder: `SELECT id, phone FROM identity.accounts WHERE personal_id_number = $1 OR lower(username) = $1 LIMIT 1`,
    supersede: `UPDATE identity.registration_claims SET status = 'SUPERSEDED', updated_at = now() WHERE personal_id_number = $1 AND status = 'PENDING'`,
  },
  [AccountKind.FOREIGNER]: {
    upsert: upsertClaim(['nationality', 'passport_number'], '(nationality, passport_number, phone)'),
    // The passport pair as stored (accounts_passport_key), or the username in any letter case (accounts_username_key).
    holder: `SELECT id, phone FROM identity.accounts WHERE (nationality = $1 AND upper(passport_number) = $2) OR lower(username) = lower($3) LIMIT 1`,
    supersede: `UPDATE identity.registration_claims SET status = 'SUPERSEDED', updated_at = now() WHERE nationality = $1 AND passport_number = $2 AND status = 'PENDING'`,
  },
} as const;

/** The identity's own values, in the order its statements above take them. */
function identityValues(identity: ClaimedIdentity): string[] {
  return identity.kind === AccountKind.CITIZEN ? [identity.personalIdNumber] : [identity.nationality, identity.passportNumber];
}

async function findHolder(manager: EntityManager, identity: ClaimedIdentity): Promise<{ id: string; phone: string } | undefined> {
  const params = identity.kind === AccountKind.CITIZEN ? identityValues(identity) : [...identityValues(identity), usernameOf(identity)];
  const [holder] = (await manager.query(CLAIM_SQL[identity.kind].holder, params)) as { id: string; phone: string }[];
  return holder;
}

/**
 * Serialises everything that decides who owns an identity (registering a claim, confirming one, registering
 * at a counter) for that identity only, keyed by its username (a 12-digit number, or "JP:TK1234567": the two
 * kinds never share a key). Taken first in each of those transactions, before any row lock, so they cannot deadlock.
 */
export async function lockIdentity(manager: EntityManager, identity: ClaimedIdentity): Promise<void> {
  await lockForTransaction(manager, `identity:registration:${usernameOf(identity)}`);
}

/** What a registration of either kind claims besides its identity: already checked; name, phone and e-mail are normalised as the claim is written. */
interface ClaimDetails {
  fullName: string; dateOfBirth: string; gender: string; phone: string; email?: string | null; password: string; verificationPostalPointCode: string;
}

type Confirmation = { account: Account } | { refused: 'SUPERSEDED' | 'EXPIRED' | 'UNKNOWN'; kind?: AccountKind };

/**
 * Self-registration online (đăng ký tài khoản định danh điện tử) of a citizen, by personal identification
 * number, or of a foreigner, by passport number and nationality. A registration is a *claim* on that
 * identity; it never overwrites anything. The account is created when a claim proves its phone: the first
 * one to do so wins, the others of that identity are superseded.
 *
 * Whether an identity already has an account is never told to a registrant: such a registration gets the
 * same answer after the same work (a claim that can never be confirmed, since no code is sent for it), and
 * the holder's registered phone gets a notice instead.
 */
export class RegistrationService {
  private readonly perIp: LimitRule;

  constructor(
    private readonly db: DataSource,
    private readonly otp: OtpService,
    private readonly sms: SmsSender,
    private readonly postalPoints: PostalPointDirectory,
    private readonly limiter: RateLimiter,
    private readonly log: Logger,
    limits: { registrationsPerIp: number },
  ) {
    this.perIp = registrationsPerIp(limits.registrationsPerIp);
  }

  async registerCitizen(input: CitizenRegistration, clientIp: string): Promise<RegistrationStarted> {
    const problems = checkCitizenRegistration(input, todayInVietnam());
    if (problems.length) throw new BadInputError('The registration has problems; see extensions.problems.', problems);
    return this.claim({ kind: AccountKind.CITIZEN, personalIdNumber: input.personalIdNumber }, input, clientIp);
  }

  /**
   * A foreigner registers like a citizen, identified by passport number and nationality; the account's
   * username is "JP:TK1234567" (foreignerUsername). Level 2 is the same in-person activation, with the passport.
   */
  async registerForeigner(input: ForeignerRegistration, clientIp: string): Promise<RegistrationStarted> {
    const problems = checkForeignerRegistration(input, todayInVietnam());
    if (problems.length) throw new BadInputError('The registration has problems; see extensions.problems.', problems);
    return this.claim({
      kind: AccountKind.FOREIGNER, passportNumber: normalisePassportNumber(input.passportNumber), nationality: normaliseNationality(input.nationality),
    }, input, clientIp);
  }

  private async claim(identity: ClaimedIdentity, input: ClaimDetails, clientIp: string): Promise<RegistrationStarted> {
    const point = await this.postalPoints.find(input.verificationPostalPointCode);
    if (!point) throw new BadInputError('Unknown postal point.', [{ field: 'verificationPostalPointCode', message: 'No postal point has this code.' }]);
    if (!point.isOpen) throw new BadInputError('This postal point is closed; choose another.', [{ field: 'verificationPostalPointCode', message: 'The postal point is closed.' }]);
    const phone = normaliseMobile(input.phone)!;

    // Counted before the expensive part, whatever the identity: the answers for a taken and a free one
    // must not differ here either (the registrant's phone is counted even when no code will go to it).
    await this.limiter.consume(this.perIp, clientIpSubject(clientIp), 'Too many registrations from this network; try again later.');
    await this.otp.reserveSend(phone);
    const passwordHash = await hashPassword(input.password);

    // The same statements in the same order for a taken and a free identity; only values differ.
    const started = await this.db.transaction(async (manager) => {
      await lockIdentity(manager, identity);
      const holder = await findHolder(manager, identity);
      const [claim] = (await manager.query(CLAIM_SQL[identity.kind].upsert, [
        ...identityValues(identity), phone, normaliseName(input.fullName), input.dateOfBirth, input.gender, input.email?.trim() || null, passwordHash,
        point.code, holder ? ClaimStatus.DECOY : ClaimStatus.PENDING, CLAIM_TTL_SECONDS,
      ])) as { id: string }[];
      await this.otp.voidOpenChallenges(manager, claim.id);
      const { challenge, code } = await this.otp.create(manager, { claimId: claim.id }, phone, OtpPurpose.PHONE_VERIFICATION, { decoy: !!holder });
      return { claimId: claim.id, challenge, code, holder };
    });

    let otpSent: boolean;
    if (started.holder) {
      otpSent = await this.noticeToHolder(started.holder.phone, identity.kind === AccountKind.CITIZEN ? ALREADY_REGISTERED_NOTICE : PASSPORT_ALREADY_REGISTERED_NOTICE);
      this.log.info(`registration of ${identity.kind === AccountKind.CITIZEN ? 'a number' : 'a passport'} that has an account: decoy claim`, { claimId: started.claimId, accountId: started.holder.id });
    } else {
      otpSent = await this.otp.deliver(started.challenge, started.code).then(() => true, (error: Error) => {
        // The claim is kept: the portal offers "send the code again" (resendOtp).
        this.log.error('registration code could not be sent', { claimId: started.claimId, error: error.message });
        return false;
      });
      this.log.info(`${identity.kind === AccountKind.CITIZEN ? 'citizen' : 'foreigner'} registration claimed`, { claimId: started.claimId, phone: maskPhone(phone) });
    }
    return { challengeId: started.challenge.id, expiresAt: started.challenge.expiresAt, otpSent };
  }

  /**
   * Tells the holder that their number (or passport) was registered again, at most once a day and on a budget
   * of its own: counted against the phone's code budget, repeated registrations of someone's number would
   * block their login codes for an hour.
   * Silent in every outcome: a limit reached (or Redis down) means no notice, never an error the registrant
   * would see. Its result stands in for "the code was sent", so a failing SMS gateway looks the same as for a
   * free identity.
   */
  private async noticeToHolder(holderPhone: string, notice: string): Promise<boolean> {
    try {
      await this.limiter.consume(REGISTRATION_NOTICES_PER_PHONE, holderPhone, 'notice already sent');
    } catch (error) {
      this.log.info('registration notice not sent: one was sent to this phone today, or limits cannot be checked', { error: (error as Error).message });
      return true;
    }
    return this.sms.send(holderPhone, notice).then(() => true, (error: Error) => {
      this.log.error('registration notice could not be sent', { error: error.message });
      return false;
    });
  }

  /**
   * Proves a claim's phone and makes it the account (a citizen's or a foreigner's, as the claim says),
   * atomically with using the code. Under the identity's lock: the first claim to get here creates the
   * account, and every other pending claim of the identity is superseded; a superseded claim that proves its
   * phone later is told CONFLICT (it has proved a phone, so telling it is acceptable).
   */
  async confirmPhone(challengeId: string, code: string): Promise<Account> {
    const outcome = await this.otp.consume<Confirmation>(challengeId, code, OtpPurpose.PHONE_VERIFICATION, async (manager, challenge) => {
      if (!challenge.claimId) return { refused: 'UNKNOWN' };
      const claims = manager.getRepository(RegistrationClaim);
      const claim = await claims.createQueryBuilder('c').addSelect('c.passwordHash').where('c.id = :id', { id: challenge.claimId }).setLock('pessimistic_write').getOneOrFail();
      const identity = identityOfClaim(claim);
      if (claim.status !== ClaimStatus.PENDING) return { refused: 'SUPERSEDED', kind: identity.kind };
      if (claim.expiresAt.getTime() <= Date.now()) return { refused: 'EXPIRED' };
      if (await findHolder(manager, identity)) {
        await claims.update(claim.id, { status: ClaimStatus.SUPERSEDED });
        return { refused: 'SUPERSEDED', kind: identity.kind };
      }
      const accounts = manager.getRepository(Account);
      const account = accounts.create({
        kind: identity.kind, role: Role.CITIZEN, username: usernameOf(identity),
        personalIdNumber: identity.kind === AccountKind.CITIZEN ? identity.personalIdNumber : null,
        passportNumber: identity.kind === AccountKind.FOREIGNER ? identity.passportNumber : null,
        nationality: identity.kind === AccountKind.FOREIGNER ? identity.nationality : null,
        fullName: claim.fullName, dateOfBirth: claim.dateOfBirth, gender: claim.gender, phone: claim.phone, email: claim.email,
        passwordHash: claim.passwordHash, verificationPostalPointCode: claim.verificationPostalPointCode, postalPointCode: null, agencyCode: null,
        level: AssuranceLevel.LEVEL_1, status: AccountStatus.PENDING_IN_PERSON_VERIFICATION,
      });
      await accounts.insert(account);
      await claims.update(claim.id, { status: ClaimStatus.CONFIRMED, accountId: account.id });
      await manager.query(CLAIM_SQL[identity.kind].supersede, identityValues(identity));
      return { account: await accounts.findOneByOrFail({ id: account.id }) };
    }, (manager) => this.lockIdentityOfChallenge(manager, challengeId));

    if ('refused' in outcome) {
      if (outcome.refused === 'SUPERSEDED') {
        const what = outcome.kind === AccountKind.FOREIGNER ? 'passport' : 'personal identification number';
        throw new ConflictError(`Another registration of this ${what} confirmed its phone first; this one can no longer become an account.`);
      }
      if (outcome.refused === 'EXPIRED') {
        const expired = new BadInputError('This registration has expired; register again.');
        Object.assign(expired.extensions, { reason: 'OTP_EXPIRED' });
        throw expired;
      }
      throw refusalError('OTP_UNKNOWN_CHALLENGE');
    }
    this.log.info('phone confirmed: account created', { accountId: outcome.account.id });
    return outcome.account;
  }

  private async lockIdentityOfChallenge(manager: EntityManager, challengeId: string): Promise<void> {
    const [row] = (await manager.query(
      `SELECT c.personal_id_number, c.passport_number, c.nationality FROM identity.otp_challenges o JOIN identity.registration_claims c ON c.id = o.claim_id WHERE o.id = $1`,
      [challengeId],
    )) as { personal_id_number: string | null; passport_number: string | null; nationality: string | null }[];
    if (row) await lockIdentity(manager, identityOfClaim({ personalIdNumber: row.personal_id_number, passportNumber: row.passport_number, nationality: row.nationality }));
  }
}
