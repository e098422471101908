import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  assertCan, BadInputError, clientIpSubject, ForbiddenError, RateLimitedError, Role, UnauthenticatedError,
  type Cache, type FieldProblem, type LimitRule, type Logger, type Principal, type RateLimiter,
} from '../../../shared/src';
import { Account } from '../accounts/account.entity';
import type { CachedAccount } from '../accounts/account.loader';
import { LOGIN_ATTEMPTS_PER_USERNAME, loginSubject } from '../accounts/account.service';
import { canLogIn } from '../accounts/account-status';
import { hashPassword, verifyPassword } from '../accounts/password-hash';
import { checkPassword, type PasswordContext } from '../accounts/password-policy';
import { OtpPurpose } from '../otp/otp-challenge.entity';
import type { OtpService } from '../otp/otp.service';
import type { SessionService } from '../sessions/session.service';

/**
 * Password-reset requests per username per hour, counted whether or not anyone has the username (so the
 * answers never differ), and kept below the phone's SMS allowance so that resets cannot use it all up and
 * keep the holder from logging in.
 */
export const PASSWORD_RESETS_PER_USERNAME: LimitRule = { name: 'password-reset-username', limit: 3, windowSeconds: 3600 };
/** Password-reset requests and attempts (each attempt at a code is counted too) per client IP per hour. */
export const PASSWORD_RESETS_PER_IP: LimitRule = { name: 'password-reset-ip', limit: 30, windowSeconds: 3600 };

const CANNOT_LOG_IN = 'This account is suspended or revoked; contact a postal point or the police office.';

export interface ResetStarted { challengeId: string; expiresAt: Date }

function policyProblems(password: string, context: PasswordContext, field = 'newPassword'): FieldProblem[] {
  return checkPassword(password, context).map((message) => ({ field, message }));
}

function contextOf(account: Account): PasswordContext {
  return { username: account.username, personalIdNumber: account.personalIdNumber ?? undefined, phone: account.phone };
}

/**
 * Changing a password (logged in, with the old one) and resetting a forgotten one with a code sent by SMS
 * to the registered phone. A new password ends the account's other sessions (a reset: all of them).
 *
 * A reset is asked for a username, which may be nobody's: such a request gets the same answer after the
 * same work (limits, one lookup, one challenge written, one SMS count) as a real one, a decoy challenge
 * that no code can ever match, and no SMS. The code leaves in the background, so the SMS gateway's latency
 * does not tell either. An account that cannot log in (suspended, revoked, a partner bank) gets a decoy too.
 */
export class PasswordService {
  constructor(
    private readonly db: DataSource,
    private readonly otp: OtpService,
    private readonly sessions: SessionService,
    private readonly limiter: RateLimiter,
    private readonly accountCache: Cache<CachedAccount>,
    private readonly log?: Logger,
    /** The password check; tests may count its calls. */
    private readonly passwordMatches: (password: string, stored: string) => Promise<boolean> = verifyPassword,
  ) {}

  /**
   * The logged-in holder sets a new password, giving the current one. A wrong current password counts as a
   * failed login of the username (five lock it); all problems are reported at once. Every other session
   * ends; the one making the change stays.
   */
  async change(principal: Principal | null, oldPassword: string, newPassword: string): Promise<boolean> {
    const caller = assertCan(principal, 'account.changePassword', { accountId: principal?.accountId ?? '' });
    const account = await this.db.getRepository(Account).createQueryBuilder('a').addSelect('a.passwordHash').where('a.id = :id', { id: caller.accountId }).getOne();
    if (!account) throw new UnauthenticatedError('This account no longer exists.');
    if (!canLogIn(account.status)) throw new ForbiddenError(CANNOT_LOG_IN);
    const subject = loginSubject(account.username);
    // Counted before the check, as a login is: a stolen access token cannot be used to guess the password.
    await this.limiter.consume(LOGIN_ATTEMPTS_PER_USERNAME, subject, 'Too many wrong passwords; the account is locked for a while.');
    const oldOk = await this.passwordMatches(oldPassword, account.passwordHash!);
    if (oldOk) await this.limiter.reset(LOGIN_ATTEMPTS_PER_USERNAME, subject);
    const problems: FieldProblem[] = [
      ...(oldOk ? [] : [{ field: 'oldPassword', message: 'This is not the current password.' }]),
      ...policyProblems(newPassword, contextOf(account)),
      ...(oldOk && newPassword === oldPassword ? [{ field: 'newPassword', message: 'Choose a password other than the current one.' }] : []),
    ];
    if (problems.length) {
      const error = new BadInputError('The password was not changed; see extensions.problems.', problems);
      if (!oldOk) Object.assign(error.extensions, { reason: 'WRONG_PASSWORD' });
      throw error;
    }
    const passwordHash = await hashPassword(newPassword);
    const ended = await this.db.transaction(async (manager) => {
      // The account, then its sessions: the order every change that ends sessions takes (see SessionService.refresh).
      const locked = await manager.getRepository(Account).findOne({ where: { id: account.id }, lock: { mode: 'pessimistic_write' } });
      if (!locked || !canLogIn(locked.status)) return null;
      await manager.getRepository(Account).update(account.id, { passwordHash });
      return this.sessions.endAll(manager, account.id, caller?.sessionId);
    });
    if (ended === null) throw new ForbiddenError(CANNOT_LOG_IN);
    await this.accountCache.purge(account.id);
    this.log?.info('password changed', { accountId: account.id, sessionsEnded: ended });
    return true;
  }

  /** Sends a reset code to the username's registered phone; the same answer for a username nobody has. */
  async requestReset(username: string, clientIp: string): Promise<ResetStarted> {
    await this.limiter.consume(PASSWORD_RESETS_PER_IP, clientIpSubject(clientIp), 'Too many password resets from this network; try again later.');
    const subject = loginSubject(username);
    await this.limiter.consume(PASSWORD_RESETS_PER_USERNAME, subject, 'Too many password resets for this username; try again later.');
    const account = await this.db.getRepository(Account).createQueryBuilder('a').where('lower(a.username) = :u', { u: subject }).getOne();
    // Partner banks' systems use client credentials, never a password: they get a decoy too.
    const holder = account && canLogIn(account.status) && account.role !== Role.PARTNER_BANK ? account : null;
    // Counted for a decoy too, under a phone of its own: the same work, and its resends are counted like any.
    const phone = holder?.phone ?? account?.phone ?? `decoy:${randomBytes(8).toString('hex')}`;
    // The holder's phone at its SMS limit: no code goes, and the answer must not say so (it would tell that
    // the username is someone's). The earlier codes still work.
    const sendable = await this.otp.reserveSend(phone).then(() => true, (error) => {
      if (error instanceof RateLimitedError) return false;
      throw error;
    });
    const real = !!holder && sendable;
    const { challenge, code } = await this.otp.create(
      this.db.manager, account ? { accountId: account.id } : { nobody: true }, phone, OtpPurpose.PASSWORD_RESET, { decoy: !real },
    );
    this.otp.deliverInBackground(challenge, code);
    if (!real) this.log?.info('password reset: decoy challenge', { challengeId: challenge.id, reason: account ? (holder ? 'SMS_LIMIT' : 'CANNOT_LOG_IN') : 'UNKNOWN_USERNAME' });
    return { challengeId: challenge.id, expiresAt: challenge.expiresAt };
  }

  /**
   * Sets the new password with the code, atomically with using the code; ends every session and clears the
   * username's login lock. A new password that breaks the rules is refused and the code stays usable.
   */
  async reset(challengeId: string, code: string, newPassword: string, clientIp: string): Promise<boolean> {
    await this.limiter.consume(PASSWORD_RESETS_PER_IP, clientIpSubject(clientIp), 'Too many password resets from this network; try again later.');
    // What can be said without knowing whose the challenge is, before a code is tried.
    const general = policyProblems(newPassword, {});
    if (general.length) throw new BadInputError('The new password does not meet the rules; see extensions.problems.', general);
    const outcome = await this.otp.consume(challengeId, code, OtpPurpose.PASSWORD_RESET, async (manager, challenge) => {
      const accounts = manager.getRepository(Account);
      const account = await accounts.findOne({ where: { id: challenge.accountId! }, lock: { mode: 'pessimistic_write' } });
      if (!account || !canLogIn(account.status)) return null;
      // Thrown inside the transaction: the code is not used up, the holder tries another password.
      const problems = policyProblems(newPassword, contextOf(account));
      if (problems.length) throw new BadInputError('The new password does not meet the rules; see extensions.problems.', problems);
      await accounts.update(account.id, { passwordHash: await hashPassword(newPassword) });
      // Every other reset code of the account stops working.
      await manager.query(
        `UPDATE identity.otp_challenges SET consumed_at = now() WHERE account_id = $1 AND purpose = $2 AND consumed_at IS NULL`,
        [account.id, OtpPurpose.PASSWORD_RESET],
      );
      return { account, ended: await this.sessions.endAll(manager, account.id) };
    });
    if (!outcome) throw new ForbiddenError(CANNOT_LOG_IN);
    await Promise.all([this.limiter.reset(LOGIN_ATTEMPTS_PER_USERNAME, loginSubject(outcome.account.username)), this.accountCache.purge(outcome.account.id)]);
    this.log?.info('password reset', { accountId: outcome.account.id, sessionsEnded: outcome.ended });
    return true;
  }
}
