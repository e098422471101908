import type { DataSource } from 'typeorm';
import { clientIpSubject, ForbiddenError, Role, UnauthenticatedError, type LimitRule, type RateLimiter } from '../../../shared/src';
import { OtpPurpose } from '../otp/otp-challenge.entity';
import type { OtpService } from '../otp/otp.service';
import type { IssuedSession, SessionService } from '../sessions/session.service';
import { Account, AccountStatus } from './account.entity';
import { canLogIn } from './account-status';
import { UNKNOWN_ACCOUNT_HASH, verifyPassword } from './password-hash';

const CANNOT_LOG_IN = 'This account is locked, suspended or revoked; contact a postal point or the police office.';
const TOO_MANY_FOR_USERNAME = 'Too many failed logins; the account is locked for a while.';

/**
 * Login attempts per username in 15 minutes. Each attempt is counted before its password is checked, so of
 * any number of parallel guesses exactly this many reach the check; a right password clears the count.
 */
export const LOGIN_ATTEMPTS_PER_USERNAME: LimitRule = { name: 'login-username', limit: 5, windowSeconds: 15 * 60 };

/**
 * What a username's login attempts are counted under, and what is looked up (against `lower(username)`, the
 * unique index): the username as typed, trimmed and lower-cased. Usernames are a citizen's ID number, a
 * foreigner's nationality and passport number ("JP:TK1234567", so "jp:tk1234567" logs in too) or short staff
 * names; anything longer is no one's (and must not become a Redis key).
 */
export function loginSubject(username: string): string {
  return username.trim().toLowerCase().slice(0, 64);
}

/** Login attempts per client IP in 15 minutes (LOGIN_ATTEMPTS_PER_IP); a right password gives its attempt back. */
export const loginAttemptsPerIp = (limit: number): LimitRule => ({ name: 'login-ip', limit, windowSeconds: 15 * 60 });

export interface OtpChallengeInfo { challengeId: string; expiresAt: Date }

/** Logging in (two steps: password, then a code by SMS). Registration lives in registrations/. */
export class AccountService {
  private readonly perIp: LimitRule;

  constructor(
    private readonly db: DataSource,
    private readonly otp: OtpService,
    private readonly sessions: SessionService,
    private readonly limiter: RateLimiter,
    limits: { loginAttemptsPerIp: number },
    /** The password check; tests may count its calls. */
    private readonly checkPassword: (password: string, stored: string) => Promise<boolean> = verifyPassword,
  ) {
    this.perIp = loginAttemptsPerIp(limits.loginAttemptsPerIp);
  }

  /**
   * Step one of logging in. A wrong username and a wrong password get the same answer after the same
   * work. Attempts are counted in Redis per client IP and per username before the password is checked;
   * five in a row without the right password lock the username for the rest of the window.
   */
  async login(username: string, password: string, clientIp: string): Promise<OtpChallengeInfo> {
    const subject = loginSubject(username);
    const ip = clientIpSubject(clientIp);
    // Counted before the password is checked, each in one atomic step: parallel guesses cannot slip through.
    await this.limiter.consume(this.perIp, ip, 'Too many failed logins from this network; try again later.');
    await this.limiter.consume(LOGIN_ATTEMPTS_PER_USERNAME, subject, TOO_MANY_FOR_USERNAME);
    const account = await this.db.getRepository(Account).createQueryBuilder('a').addSelect('a.passwordHash').where('lower(a.username) = :u', { u: subject }).getOne();
    const passwordOk = await this.checkPassword(password, account?.passwordHash ?? UNKNOWN_ACCOUNT_HASH);
    if (!account || !passwordOk) throw new UnauthenticatedError('Wrong username or password.');
    await Promise.all([this.limiter.reset(LOGIN_ATTEMPTS_PER_USERNAME, subject), this.limiter.refund(this.perIp, ip)]);
    // Partners are machine clients: they authenticate with client credentials (issuePartnerToken), never with a password and a code.
    if (account.role === Role.PARTNER_BANK) throw new ForbiddenError('Partner banks do not log in: their systems use client credentials (issuePartnerToken).');
    // Registrations no longer create such accounts; one left by an older version still cannot log in.
    if (account.status === AccountStatus.PENDING_PHONE_VERIFICATION) throw new ForbiddenError('Confirm your phone number first, with the code sent at registration.');
    if (!canLogIn(account.status)) throw new ForbiddenError(CANNOT_LOG_IN);
    await this.otp.reserveSend(account.phone);
    const { challenge, code } = await this.otp.create(this.db.manager, { accountId: account.id }, account.phone, OtpPurpose.LOGIN);
    await this.otp.deliver(challenge, code);
    return { challengeId: challenge.id, expiresAt: challenge.expiresAt };
  }

  async verifyLoginOtp(challengeId: string, code: string): Promise<IssuedSession> {
    const outcome = await this.otp.consume(challengeId, code, OtpPurpose.LOGIN, async (manager, challenge) => {
      // Shared lock: a suspension that is ending the account's sessions waits for this one to start, or this sees it.
      const account = await manager.getRepository(Account).findOneOrFail({ where: { id: challenge.accountId! }, lock: { mode: 'pessimistic_read' } });
      // Locked, suspended or revoked while the code was on its way: the code is spent, no session starts.
      if (!canLogIn(account.status)) return null;
      return this.sessions.start(manager, account);
    });
    if (!outcome) throw new ForbiddenError(CANNOT_LOG_IN);
    return outcome;
  }

  /**
   * Step two for single sign-on: the same code, the same attempt counts, but no graph session starts: the person is
   * signed in to the OpenID Connect provider, which issues the relying party's tokens itself (sso/).
   */
  async verifySignInCode(challengeId: string, code: string): Promise<Account> {
    const account = await this.otp.consume(challengeId, code, OtpPurpose.LOGIN, async (manager, challenge) => {
      const found = await manager.getRepository(Account).findOneOrFail({ where: { id: challenge.accountId! }, lock: { mode: 'pessimistic_read' } });
      return canLogIn(found.status) ? found : null;
    });
    if (!account) throw new ForbiddenError(CANNOT_LOG_IN);
    return account;
  }
}
