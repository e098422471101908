import type { DataSource, EntityManager } from 'typeorm';
import { BadInputError, clientIpSubject, ConflictError, maskPhone, Role, todayInVietnam, type LimitRule, type Logger, type RateLimiter } from '../../../shared/src';
import { Account, AccountKind, AccountStatus, AssuranceLevel } from '../accounts/account.entity';
import { hashPassword } from '../accounts/password-hash';
import { checkCitizenRegistration, normaliseMobile, normaliseName, type CitizenRegistration } from '../accounts/registration-rules';
import { OtpPurpose } from '../otp/otp-challenge.entity';
import { refusalError, type OtpService } from '../otp/otp.service';
import type { PostalPointDirectory } from '../postal-points/postal-point.directory';
import type { SmsSender } from '../sms/sms-sender';
import { ClaimStatus, RegistrationClaim } from './registration-claim.entity';

/** How long a claim may wait for its phone (codes live 5 minutes; resendOtp renews them within this). */
export const CLAIM_TTL_SECONDS = 24 * 3600;

/** Registrations per client IP per hour: each one costs a deliberately slow, memory-hard password hash. */
export const registrationsPerIp = (limit: number): LimitRule => ({ name: 'registration-ip', limit, windowSeconds: 3600 });

/** What the holder of a number reads when someone registers it again (no diacritics: plain GSM SMS, like the codes). */
export const ALREADY_REGISTERED_NOTICE = 'Co nguoi vua dang ky tai khoan dinh danh dien tu bang so dinh danh cua ban. '
  + 'Ban da co tai khoan nen khong co tai khoan moi nao duoc tao. Neu khong phai ban, khong can lam gi; khong cung cap mat khau hay ma OTP cho bat ky ai.';

export interface RegistrationStarted { challengeId: string; expiresAt: Date; otpSent: boolean }

const CLAIM_COLUMNS = 'personal_id_number, phone, full_name, date_of_birth, gender, email, password_hash, verification_postal_point_code, status, expires_at';

/**
 * One statement, never read-then-write: a new claim, or — for the same number and the same phone, while it
 * is still pending — the same claim with the new details (the caller then voids its earlier codes). Claims
 * of other phones are never touched. A DECOY row matches no pending claim and is always a new row.
 */
const UPSERT_CLAIM = `
  INSERT INTO identity.registration_claims AS c (${CLAIM_COLUMNS})
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + make_interval(secs => $10))
  ON CONFLICT (personal_id_number, phone) WHERE status = 'PENDING' DO UPDATE SET
    full_name = EXCLUDED.full_name, date_of_birth = EXCLUDED.date_of_birth, gender = EXCLUDED.gender, email = EXCLUDED.email,
    password_hash = EXCLUDED.password_hash, verification_postal_point_code = EXCLUDED.verification_postal_point_code,
    expires_at = EXCLUDED.expires_at, updated_at = now()
  RETURNING c.id`;

/**
 * Serialises everything that decides who owns a personal identification number (registering a claim,
 * confirming one) for that number only. Taken first in each of those transactions, before any row lock,
 * so they cannot deadlock.
 */
async function lockNumber(manager: EntityManager, personalIdNumber: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`identity:registration:${personalIdNumber}`]);
}

type Confirmation = { account: Account } | { refused: 'SUPERSEDED' | 'EXPIRED' | 'UNKNOWN' };

/**
 * Citizen self-registration online (đăng ký tài khoản định danh điện tử). A registration is a *claim* on a
 * personal identification number; it never overwrites anything. The account is created when a claim proves
 * its phone: the first one to do so wins, the others of that number are superseded.
 *
 * Whether a number already has an account is never told to a registrant: such a registration gets the same
 * answer after the same work (a claim that can never be confirmed, since no code is sent for it), and the
 * holder's registered phone gets a notice instead.
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
    const point = await this.postalPoints.find(input.verificationPostalPointCode);
    if (!point) throw new BadInputError('Unknown postal point.', [{ field: 'verificationPostalPointCode', message: 'No postal point has this code.' }]);
    if (!point.isOpen) throw new BadInputError('This postal point is closed; choose another.', [{ field: 'verificationPostalPointCode', message: 'The postal point is closed.' }]);
    const phone = normaliseMobile(input.phone)!;
    const personalIdNumber = input.personalIdNumber;

    // Counted before the expensive part, whatever the number: the answers for a taken and a free number
    // must not differ here either (the registrant's phone is counted even when no code will go to it).
    await this.limiter.consume(this.perIp, clientIpSubject(clientIp), 'Too many registrations from this network; try again later.');
    await this.otp.reserveSend(phone);
    const passwordHash = await hashPassword(input.password);

    // The same statements in the same order for a taken and a free number; only values differ.
    const started = await this.db.transaction(async (manager) => {
      await lockNumber(manager, personalIdNumber);
      const [holder] = (await manager.query(
        `SELECT id, phone FROM identity.accounts WHERE personal_id_number = $1 OR lower(username) = $1 LIMIT 1`, [personalIdNumber],
      )) as { id: string; phone: string }[];
      const [claim] = (await manager.query(UPSERT_CLAIM, [
        personalIdNumber, phone, normaliseName(input.fullName), input.dateOfBirth, input.gender, input.email?.trim() || null, passwordHash,
        point.code, holder ? ClaimStatus.DECOY : ClaimStatus.PENDING, CLAIM_TTL_SECONDS,
      ])) as { id: string }[];
      await this.otp.voidOpenChallenges(manager, claim.id);
      const { challenge, code } = await this.otp.create(manager, { claimId: claim.id }, phone, OtpPurpose.PHONE_VERIFICATION, { decoy: !!holder });
      return { claimId: claim.id, challenge, code, holder };
    });

    let otpSent: boolean;
    if (started.holder) {
      otpSent = await this.noticeToHolder(started.holder.phone);
      this.log.info('registration of a number that has an account: decoy claim', { claimId: started.claimId, accountId: started.holder.id });
    } else {
      otpSent = await this.otp.deliver(started.challenge, started.code).then(() => true, (error: Error) => {
        // The claim is kept: the portal offers "send the code again" (resendOtp).
        this.log.error('registration code could not be sent', { claimId: started.claimId, error: error.message });
        return false;
      });
      this.log.info('citizen registration claimed', { claimId: started.claimId, phone: maskPhone(phone) });
    }
    return { challengeId: started.challenge.id, expiresAt: started.challenge.expiresAt, otpSent };
  }

  /**
   * Tells the holder that their number was registered again, within their phone's SMS limit. Silent in
   * every outcome: a limit reached (or Redis down) means no notice, never an error the registrant would see.
   * Its result stands in for "the code was sent", so a failing SMS gateway looks the same as for a free number.
   */
  private async noticeToHolder(holderPhone: string): Promise<boolean> {
    try {
      await this.otp.reserveSend(holderPhone);
    } catch (error) {
      this.log.info('registration notice not sent: the holder\'s phone is at its SMS limit, or limits cannot be checked', { error: (error as Error).message });
      return true;
    }
    return this.sms.send(holderPhone, ALREADY_REGISTERED_NOTICE).then(() => true, (error: Error) => {
      this.log.error('registration notice could not be sent', { error: error.message });
      return false;
    });
  }

  /**
   * Proves a claim's phone and makes it the account, atomically with using the code. Under the number's
   * lock: the first claim to get here creates the account, and every other pending claim of the number is
   * superseded; a superseded claim that proves its phone later is told CONFLICT (it has proved a phone, so
   * telling it is acceptable).
   */
  async confirmPhone(challengeId: string, code: string): Promise<Account> {
    const outcome = await this.otp.consume<Confirmation>(challengeId, code, OtpPurpose.PHONE_VERIFICATION, async (manager, challenge) => {
      if (!challenge.claimId) return { refused: 'UNKNOWN' };
      const claims = manager.getRepository(RegistrationClaim);
      const claim = await claims.createQueryBuilder('c').addSelect('c.passwordHash').where('c.id = :id', { id: challenge.claimId }).setLock('pessimistic_write').getOneOrFail();
      if (claim.status !== ClaimStatus.PENDING) return { refused: 'SUPERSEDED' };
      if (claim.expiresAt.getTime() <= Date.now()) return { refused: 'EXPIRED' };
      const taken = await manager.query(`SELECT 1 FROM identity.accounts WHERE personal_id_number = $1 OR lower(username) = $1 LIMIT 1`, [claim.personalIdNumber]);
      if (taken.length) {
        await claims.update(claim.id, { status: ClaimStatus.SUPERSEDED });
        return { refused: 'SUPERSEDED' };
      }
      const accounts = manager.getRepository(Account);
      const account = accounts.create({
        kind: AccountKind.CITIZEN, role: Role.CITIZEN, username: claim.personalIdNumber, personalIdNumber: claim.personalIdNumber,
        fullName: claim.fullName, dateOfBirth: claim.dateOfBirth, gender: claim.gender, phone: claim.phone, email: claim.email,
        passwordHash: claim.passwordHash, verificationPostalPointCode: claim.verificationPostalPointCode, postalPointCode: null, agencyCode: null,
        level: AssuranceLevel.LEVEL_1, status: AccountStatus.PENDING_IN_PERSON_VERIFICATION,
      });
      await accounts.insert(account);
      await claims.update(claim.id, { status: ClaimStatus.CONFIRMED, accountId: account.id });
      await manager.query(
        `UPDATE identity.registration_claims SET status = 'SUPERSEDED', updated_at = now() WHERE personal_id_number = $1 AND status = 'PENDING'`,
        [claim.personalIdNumber],
      );
      return { account: await accounts.findOneByOrFail({ id: account.id }) };
    }, (manager) => this.lockNumberOfChallenge(manager, challengeId));

    if ('refused' in outcome) {
      if (outcome.refused === 'SUPERSEDED') throw new ConflictError('Another registration of this personal identification number confirmed its phone first; this one can no longer become an account.');
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

  private async lockNumberOfChallenge(manager: EntityManager, challengeId: string): Promise<void> {
    const [row] = (await manager.query(
      `SELECT c.personal_id_number FROM identity.otp_challenges o JOIN identity.registration_claims c ON c.id = o.claim_id WHERE o.id = $1`, [challengeId],
    )) as { personal_id_number: string }[];
    if (row) await lockNumber(manager, row.personal_id_number);
  }
}
