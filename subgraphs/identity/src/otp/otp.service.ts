import { createHmac, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { BadInputError, isUuid, RateLimitedError, type Logger, type RateLimiter } from '../../../shared/src';
import type { SmsSender } from '../sms/sms-sender';
import { OtpChallenge, OtpPurpose } from './otp-challenge.entity';

export const OTP_TTL_SECONDS = 300;
export const OTP_MAX_FAILED_ATTEMPTS = 5;
export const OTP_MAX_SENDS_PER_CHALLENGE = 3;
/** SMS to one phone per hour, across every replica (Redis); counted before each send. */
export const OTP_SENDS_PER_PHONE = { name: 'otp-send-phone', limit: 5, windowSeconds: 3600 };
const TOO_MANY_SENDS = 'Too many codes were sent to this phone; try again later.';

/** Why a code was refused; portals show a different hint for each. */
export type OtpRefusal = 'OTP_INVALID' | 'OTP_EXPIRED' | 'OTP_USED' | 'OTP_ATTEMPTS_EXCEEDED' | 'OTP_UNKNOWN_CHALLENGE';

function newCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

const MESSAGES: Record<OtpPurpose, (code: string) => string> = {
  [OtpPurpose.PHONE_VERIFICATION]: (code) => `Ma xac thuc dang ky tai khoan dinh danh dien tu: ${code}. Hieu luc ${OTP_TTL_SECONDS / 60} phut. Khong chia se ma nay.`,
  [OtpPurpose.LOGIN]: (code) => `Ma dang nhap tai khoan dinh danh dien tu: ${code}. Hieu luc ${OTP_TTL_SECONDS / 60} phut. Khong chia se ma nay.`,
  [OtpPurpose.PASSWORD_RESET]: (code) => `Ma dat lai mat khau tai khoan dinh danh dien tu: ${code}. Hieu luc ${OTP_TTL_SECONDS / 60} phut. Neu khong phai ban yeu cau, hay bo qua tin nhan nay. Khong chia se ma nay.`,
};

/**
 * Purposes whose answers must not tell whether a real person stands behind a challenge (a password reset
 * is asked for a username, which may be nobody's): the phone's SMS limit is applied silently (no SMS, same
 * answer) and the SMS leaves in the background, so neither an error nor the SMS gateway's latency shows.
 */
export const QUIET_PURPOSES: ReadonlySet<OtpPurpose> = new Set([OtpPurpose.PASSWORD_RESET]);

/**
 * Who a challenge belongs to: a login or password-reset code to an account, a phone-verification code to a
 * registration claim; a decoy may belong to nobody (a password reset for a username nobody has).
 */
export type ChallengeOwner = { accountId: string; claimId?: never } | { claimId: string; accountId?: never } | { nobody: true; accountId?: never; claimId?: never };

export class OtpService {
  /**
   * @param hmacSecret key of the HMAC-SHA256 codes are stored under (OTP_HMAC_SECRET): without it, the
   *   stored hash of a six-digit code is reversed by trying the million candidates.
   */
  constructor(
    private readonly db: DataSource, private readonly sms: SmsSender, private readonly limiter: RateLimiter, private readonly hmacSecret: string,
    private readonly now = () => new Date(),
    /** Where a background SMS failure is told (QUIET_PURPOSES). */
    private readonly log?: Logger,
  ) {}

  private hashCode(challengeId: string, code: string): string {
    return createHmac('sha256', this.hmacSecret).update(`${challengeId}:${code}`).digest('hex');
  }

  /** What a decoy challenge stores: the hash of something that is not six digits, so no code ever matches. */
  private unmatchableHash(challengeId: string): string {
    return this.hashCode(challengeId, `decoy:${randomBytes(16).toString('hex')}`);
  }

  /**
   * Counts one SMS to the phone (atomically, across replicas) and refuses once the phone has had too many
   * lately. Call it before writing or sending anything.
   */
  async reserveSend(phone: string): Promise<void> {
    await this.limiter.consume(OTP_SENDS_PER_PHONE, phone, TOO_MANY_SENDS);
  }

  /**
   * Creates a challenge (inside the caller's transaction, if any); send it with `deliver` after commit. A
   * decoy challenge gets a code that is never stored nor sent.
   */
  async create(manager: EntityManager, owner: ChallengeOwner, phone: string, purpose: OtpPurpose, options: { decoy?: boolean } = {}): Promise<{ challenge: OtpChallenge; code: string }> {
    const repo = manager.getRepository(OtpChallenge);
    const id = randomUUID();
    const code = newCode();
    const decoy = options.decoy ?? false;
    if ('nobody' in owner && !decoy) throw new Error('only a decoy challenge may belong to nobody');
    const challenge = repo.create({
      id, accountId: owner.accountId ?? null, claimId: owner.claimId ?? null, phone, purpose, decoy,
      codeHash: decoy ? this.unmatchableHash(id) : this.hashCode(id, code),
      expiresAt: new Date(this.now().getTime() + OTP_TTL_SECONDS * 1000), failedAttempts: 0, sends: 1, consumedAt: null,
    });
    await repo.insert(challenge);
    return { challenge, code };
  }

  /** Makes every unused code of a registration claim stop working (a newer registration of the same number and phone replaced it). */
  async voidOpenChallenges(manager: EntityManager, claimId: string): Promise<void> {
    await manager.getRepository(OtpChallenge).update({ claimId, consumedAt: IsNull() }, { consumedAt: this.now() });
  }

  /** Sends the code (counted beforehand with `reserveSend`). A decoy sends nothing. */
  async deliver(challenge: OtpChallenge, code: string, text: (code: string) => string = MESSAGES[challenge.purpose]): Promise<void> {
    if (challenge.decoy) return;
    await this.sms.send(challenge.phone, text(code));
  }

  /**
   * Sends the code without making the caller wait (QUIET_PURPOSES): the answer takes as long whether or not
   * an SMS leaves. A failure is logged; the holder asks for the code again (resendOtp).
   */
  deliverInBackground(challenge: OtpChallenge, code: string): void {
    this.deliver(challenge, code).catch((error: Error) => {
      this.log?.error('one-time code could not be sent', { challengeId: challenge.id, purpose: challenge.purpose, error: error.message });
    });
  }

  /**
   * A new code for the same challenge. The count of wrong attempts is kept: asking for another code
   * must not buy more guesses.
   */
  async resend(challengeId: string): Promise<OtpChallenge> {
    if (!isUuid(challengeId)) throw refusalError('OTP_UNKNOWN_CHALLENGE');
    const result = await this.db.transaction(async (manager) => {
      const repo = manager.getRepository(OtpChallenge);
      const challenge = await repo.findOne({ where: { id: challengeId }, lock: { mode: 'pessimistic_write' } });
      if (!challenge) return { refusal: 'OTP_UNKNOWN_CHALLENGE' as const };
      if (challenge.consumedAt) return { refusal: 'OTP_USED' as const };
      if (challenge.failedAttempts >= OTP_MAX_FAILED_ATTEMPTS) return { refusal: 'OTP_ATTEMPTS_EXCEEDED' as const };
      if (challenge.sends >= OTP_MAX_SENDS_PER_CHALLENGE) return { refusal: 'OTP_RESEND_LIMIT' as const };
      const quiet = QUIET_PURPOSES.has(challenge.purpose);
      // A quiet challenge whose phone is at its limit answers as if sent: nothing is sent, the earlier code stays valid.
      const send = await this.reserveSend(challenge.phone).then(() => true, (error) => {
        if (quiet && error instanceof RateLimitedError) return false;
        throw error;
      });
      const code = newCode();
      if (challenge.decoy) challenge.codeHash = this.unmatchableHash(challenge.id);
      else if (send) challenge.codeHash = this.hashCode(challenge.id, code);
      challenge.sends += 1;
      challenge.expiresAt = new Date(this.now().getTime() + OTP_TTL_SECONDS * 1000);
      await repo.save(challenge);
      return { challenge, code, send, quiet };
    });
    if ('refusal' in result) {
      if (result.refusal === 'OTP_RESEND_LIMIT') throw new RateLimitedError('No more codes can be sent for this request; start again.', OTP_TTL_SECONDS);
      throw refusalError(result.refusal!);
    }
    if (result.send && result.quiet) this.deliverInBackground(result.challenge, result.code);
    else if (result.send) await this.deliver(result.challenge, result.code);
    return result.challenge;
  }

  /**
   * Checks a code in its own transaction and commits the attempt count even when the code is wrong,
   * then calls `onSuccess` in the same transaction as consuming the code, so a code is used once.
   * `lockFirst` runs at the start of that transaction, before the challenge's row is locked (a caller
   * that needs a wider lock takes it there, always in the same order).
   */
  async consume<T>(challengeId: string, code: string, purpose: OtpPurpose, onSuccess: (manager: EntityManager, challenge: OtpChallenge) => Promise<T>, lockFirst?: (manager: EntityManager) => Promise<void>): Promise<T> {
    if (!isUuid(challengeId)) throw refusalError('OTP_UNKNOWN_CHALLENGE');
    const outcome = await this.db.transaction(async (manager) => {
      await lockFirst?.(manager);
      const repo = manager.getRepository(OtpChallenge);
      const challenge = await repo.findOne({ where: { id: challengeId }, lock: { mode: 'pessimistic_write' } });
      if (!challenge || challenge.purpose !== purpose) return { refusal: 'OTP_UNKNOWN_CHALLENGE' as OtpRefusal };
      if (challenge.consumedAt) return { refusal: 'OTP_USED' as OtpRefusal };
      if (challenge.failedAttempts >= OTP_MAX_FAILED_ATTEMPTS) return { refusal: 'OTP_ATTEMPTS_EXCEEDED' as OtpRefusal };
      if (challenge.expiresAt.getTime() <= this.now().getTime()) return { refusal: 'OTP_EXPIRED' as OtpRefusal };
      const given = Buffer.from(this.hashCode(challenge.id, /^\d{6}$/.test(code) ? code : 'x'));
      if (!timingSafeEqual(given, Buffer.from(challenge.codeHash))) {
        await repo.increment({ id: challenge.id }, 'failedAttempts', 1);
        const left = OTP_MAX_FAILED_ATTEMPTS - challenge.failedAttempts - 1;
        return { refusal: (left > 0 ? 'OTP_INVALID' : 'OTP_ATTEMPTS_EXCEEDED') as OtpRefusal, left };
      }
      await repo.update(challenge.id, { consumedAt: this.now() });
      return { value: await onSuccess(manager, challenge) };
    });
    if ('refusal' in outcome) throw refusalError(outcome.refusal!, outcome.left);
    return outcome.value as T;
  }
}

export function refusalError(refusal: OtpRefusal, attemptsLeft?: number): Error {
  switch (refusal) {
    case 'OTP_ATTEMPTS_EXCEEDED':
      return new RateLimitedError('Too many wrong codes for this request; start again to get a new code.', OTP_TTL_SECONDS);
    case 'OTP_EXPIRED':
      return withReason(new BadInputError('The code has expired; ask for a new one.'), refusal);
    case 'OTP_USED':
      return withReason(new BadInputError('This code has already been used.'), refusal);
    case 'OTP_UNKNOWN_CHALLENGE':
      return withReason(new BadInputError('Unknown verification request.'), refusal);
    case 'OTP_INVALID':
      return withReason(new BadInputError(`The code is wrong; ${attemptsLeft} attempt(s) left.`), refusal, { attemptsLeft });
  }
}

function withReason<E extends BadInputError>(error: E, reason: OtpRefusal, extra: Record<string, unknown> = {}): E {
  Object.assign(error.extensions, { reason, ...extra });
  return error;
}
