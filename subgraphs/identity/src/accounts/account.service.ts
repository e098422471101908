import { QueryFailedError, type DataSource } from 'typeorm';
import { BadInputError, ConflictError, ForbiddenError, RateLimitedError, Role, UnauthenticatedError, todayInVietnam, type Cache, type Logger, type RateLimiter } from '../../../shared/src';
import { OtpPurpose } from '../otp/otp-challenge.entity';
import type { OtpService } from '../otp/otp.service';
import type { PostalPointDirectory } from '../postal-points/postal-point.directory';
import type { IssuedSession, SessionService } from '../sessions/session.service';
import { Account, AccountKind, AccountStatus, AssuranceLevel, canLogIn, Gender } from './account.entity';
import type { CachedAccount } from './account.loader';
import { hashPassword, UNKNOWN_ACCOUNT_HASH, verifyPassword } from './password-hash';
import { checkCitizenRegistration, normaliseMobile, normaliseName, type CitizenRegistration } from './registration-rules';

const CANNOT_LOG_IN = 'This account is locked, suspended or revoked; contact a postal point or the police office.';

/** Failed logins per username before the account is locked for the rest of the window. */
export const LOGIN_FAILURES = { name: 'login-failure', limit: 5, windowSeconds: 15 * 60 };

export interface OtpChallengeInfo { challengeId: string; expiresAt: Date }

export class AccountService {
  constructor(
    private readonly db: DataSource,
    private readonly otp: OtpService,
    private readonly sessions: SessionService,
    private readonly postalPoints: PostalPointDirectory,
    private readonly limiter: RateLimiter,
    private readonly cache: Cache<CachedAccount>,
    private readonly log: Logger,
  ) {}

  /** Self-registration online: level 1 after the phone is confirmed, level 2 after the in-person check. */
  async registerCitizen(input: CitizenRegistration): Promise<{ account: Account; challenge: OtpChallengeInfo; otpSent: boolean }> {
    const problems = checkCitizenRegistration(input, todayInVietnam());
    if (problems.length) throw new BadInputError('The registration has problems; see extensions.problems.', problems);
    const point = await this.postalPoints.find(input.verificationPostalPointCode);
    if (!point) throw new BadInputError('Unknown postal point.', [{ field: 'verificationPostalPointCode', message: 'No postal point has this code.' }]);
    if (!point.isOpen) throw new BadInputError('This postal point is closed; choose another.', [{ field: 'verificationPostalPointCode', message: 'The postal point is closed.' }]);
    const phone = normaliseMobile(input.phone)!;
    await this.otp.assertCanSend(phone);
    const passwordHash = await hashPassword(input.password);

    let created: { account: Account; challenge: Awaited<ReturnType<OtpService['create']>>; replaced: boolean };
    try {
      created = await this.db.transaction(async (manager) => {
        const repo = manager.getRepository(Account);
        const details = {
          fullName: normaliseName(input.fullName), dateOfBirth: input.dateOfBirth, gender: input.gender as Gender, phone,
          email: input.email?.trim() || null, passwordHash, verificationPostalPointCode: point.code,
        };
        const existing = await repo.findOne({ where: { personalIdNumber: input.personalIdNumber }, lock: { mode: 'pessimistic_write' } });
        if (existing && existing.status !== AccountStatus.PENDING_PHONE_VERIFICATION) {
          throw new ConflictError('An account already exists for this personal identification number.');
        }
        let account: Account;
        if (existing) {
          // Nobody has proved this phone yet, so nobody owns the account: a new registration takes its
          // place (the person lost the code, or typed a wrong phone) and earlier codes stop working.
          await repo.update(existing.id, details);
          await this.otp.cancelOpenChallenges(manager, existing.id);
          account = Object.assign(existing, details);
        } else {
          account = repo.create({
            ...details, kind: AccountKind.CITIZEN, role: Role.CITIZEN, username: input.personalIdNumber, personalIdNumber: input.personalIdNumber,
            level: null, status: AccountStatus.PENDING_PHONE_VERIFICATION, postalPointCode: null, agencyCode: null,
          });
          await repo.insert(account);
        }
        const challenge = await this.otp.create(manager, account.id, phone, OtpPurpose.PHONE_VERIFICATION);
        return { account, challenge, replaced: !!existing };
      });
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') {
        throw new ConflictError('An account already exists for this personal identification number.');
      }
      throw error;
    }
    if (created.replaced) await this.cache.purge(created.account.id);
    const otpSent = await this.otp.deliver(created.challenge.challenge, created.challenge.code).then(() => true, (error: Error) => {
      // The registration is kept: the portal offers "send the code again" (resendOtp).
      this.log.error('registration code could not be sent', { accountId: created.account.id, error: error.message });
      return false;
    });
    this.log.info('citizen registered', { accountId: created.account.id, replacedUnverified: created.replaced });
    delete created.account.passwordHash;
    return { account: created.account, challenge: { challengeId: created.challenge.challenge.id, expiresAt: created.challenge.challenge.expiresAt }, otpSent };
  }

  async confirmPhone(challengeId: string, code: string): Promise<Account> {
    const account = await this.otp.consume(challengeId, code, OtpPurpose.PHONE_VERIFICATION, async (manager, challenge) => {
      const repo = manager.getRepository(Account);
      const current = await repo.findOneOrFail({ where: { id: challenge.accountId }, lock: { mode: 'pessimistic_write' } });
      if (current.status !== AccountStatus.PENDING_PHONE_VERIFICATION) return current;
      await repo.update(current.id, { status: AccountStatus.PENDING_IN_PERSON_VERIFICATION, level: AssuranceLevel.LEVEL_1 });
      return repo.findOneOrFail({ where: { id: current.id } });
    });
    await this.cache.purge(account.id);
    return account;
  }

  /**
   * Step one of logging in. A wrong username and a wrong password get the same answer after the same
   * work; failures are counted per username in Redis and lock the account for a while.
   */
  async login(username: string, password: string): Promise<OtpChallengeInfo> {
    // Usernames are ID numbers or short staff names; anything longer is no one's (and must not become a Redis key).
    const subject = username.trim().toLowerCase().slice(0, 64);
    await this.limiter.check(LOGIN_FAILURES, subject, 'Too many failed logins; the account is locked for a while.');
    const account = await this.db.getRepository(Account).createQueryBuilder('a').addSelect('a.passwordHash').where('lower(a.username) = :u', { u: subject }).getOne();
    const passwordOk = await verifyPassword(password, account?.passwordHash ?? UNKNOWN_ACCOUNT_HASH);
    if (!account || !passwordOk) {
      const state = await this.limiter.increment(LOGIN_FAILURES, subject);
      if (state.count >= LOGIN_FAILURES.limit) throw new RateLimitedError('Too many failed logins; the account is locked for a while.', state.retryAfterSeconds);
      throw new UnauthenticatedError('Wrong username or password.');
    }
    if (account.status === AccountStatus.PENDING_PHONE_VERIFICATION) throw new ForbiddenError('Confirm your phone number first, with the code sent at registration.');
    if (!canLogIn(account.status)) throw new ForbiddenError(CANNOT_LOG_IN);
    await this.limiter.reset(LOGIN_FAILURES, subject);
    await this.otp.assertCanSend(account.phone);
    const { challenge, code } = await this.otp.create(this.db.manager, account.id, account.phone, OtpPurpose.LOGIN);
    await this.otp.deliver(challenge, code);
    return { challengeId: challenge.id, expiresAt: challenge.expiresAt };
  }

  async verifyLoginOtp(challengeId: string, code: string): Promise<IssuedSession> {
    const outcome = await this.otp.consume(challengeId, code, OtpPurpose.LOGIN, async (manager, challenge) => {
      const account = await manager.getRepository(Account).findOneOrFail({ where: { id: challenge.accountId } });
      // Locked, suspended or revoked while the code was on its way: the code is spent, no session starts.
      if (!canLogIn(account.status)) return null;
      return this.sessions.start(manager, account);
    });
    if (!outcome) throw new ForbiddenError(CANNOT_LOG_IN);
    return outcome;
  }
}
