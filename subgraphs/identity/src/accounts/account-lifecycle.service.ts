import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import {
  assertCan, BadInputError, decodeCursor, isUuid, NotFoundError, pageSize, toConnection,
  type Cache, type Connection, type FieldProblem, type LimitState, type Logger, type Principal, type RateLimiter,
} from '../../../shared/src';
import { AccessAction } from '../access-log/access-log.entity';
import { staffAccessor, type AccessLogRecorder } from '../access-log/access-log.recorder';
import type { SessionService } from '../sessions/session.service';
import { AccountStatusChange } from './account-lifecycle.entity';
import { Account, AccountStatus } from './account.entity';
import type { CachedAccount } from './account.loader';
import { LOGIN_ATTEMPTS_PER_USERNAME, loginSubject } from './account.service';
import { AccountEvent, assertTransition, canLogIn } from './account-status';

export const REASON_MAX_LENGTH = 500;

/** The events an administrator applies by hand, each with the action of the catalogue that allows it. */
export const STAFF_EVENTS = {
  [AccountEvent.SUSPEND]: 'account.suspend',
  [AccountEvent.REINSTATE]: 'account.reinstate',
  [AccountEvent.REVOKE]: 'account.revoke',
} as const;
export type StaffEvent = keyof typeof STAFF_EVENTS;

/** Events after which the holder may not go on with the sessions they have: every refresh token is revoked. */
const ENDS_SESSIONS: ReadonlySet<AccountEvent> = new Set([AccountEvent.SUSPEND, AccountEvent.REVOKE]);

/** A reason must say something (1–500 characters once trimmed); returned as the field's problems, all at once. */
export function reasonProblems(reason: string): FieldProblem[] {
  const length = [...reason.trim()].length;
  if (length === 0) return [{ field: 'reason', message: 'Give the reason (1–500 characters).' }];
  if (length > REASON_MAX_LENGTH) return [{ field: 'reason', message: `At most ${REASON_MAX_LENGTH} characters (${length} given).` }];
  return [];
}

/** A username's login lock, as the login limiter keeps it: locked once its failures reach the limit. */
export interface LoginLock { until: Date }

export function lockFrom(state: LimitState | null, now: Date): LoginLock | null {
  if (!state || state.count < LOGIN_ATTEMPTS_PER_USERNAME.limit) return null;
  return { until: new Date(now.getTime() + state.retryAfterSeconds * 1000) };
}

/**
 * The account life cycle staff drive (suspend, reinstate, revoke), and the status an account reads, which
 * is LOCKED while failed logins keep its username locked. Every change goes through the status machine
 * (account-status.ts) and is written together with its history row and the holder's access-log entry, in
 * one transaction; suspending or revoking also ends every session in it.
 */
export class AccountLifecycleService {
  /** One login-lock loader per request (keyed by the request's context): one Redis round trip per batch. */
  private readonly lockLoaders = new WeakMap<object, DataLoader<string, LoginLock | null>>();

  constructor(
    private readonly db: DataSource,
    private readonly sessions: SessionService,
    private readonly recorder: AccessLogRecorder,
    private readonly accountCache: Cache<CachedAccount>,
    private readonly limiter: RateLimiter,
    private readonly log?: Logger,
    private readonly now = () => new Date(),
  ) {}

  /**
   * Applies `event` to the account on an administrator's word and reason. Refused: FORBIDDEN (the action),
   * BAD_USER_INPUT (the reason), NOT_FOUND, CONFLICT ILLEGAL_TRANSITION (nothing changes).
   */
  async change(principal: Principal | null, accountId: string, event: StaffEvent, reason: string): Promise<Account> {
    const staff = assertCan(principal, STAFF_EVENTS[event], { accountId });
    const problems = reasonProblems(reason);
    if (problems.length) throw new BadInputError('The reason is missing or too long; see extensions.problems.', problems);
    if (!isUuid(accountId)) throw new NotFoundError('No such account.');
    const why = reason.trim();

    const changed = await this.db.transaction(async (manager) => {
      const accounts = manager.getRepository(Account);
      const account = await accounts.findOne({ where: { id: accountId }, lock: { mode: 'pessimistic_write' } });
      if (!account) return null;
      const from = account.status;
      const to = assertTransition(account, event);
      const at = this.now();
      await accounts.update(account.id, { status: to, statusReason: why, statusChangedAt: at });
      await manager.getRepository(AccountStatusChange).insert({
        accountId: account.id, occurredAt: at, event, fromStatus: from, toStatus: to, reason: why,
        changedByAccountId: staff.accountId, changedByRole: staff.role,
      });
      await this.recorder.record(manager, {
        accountId: account.id, ...staffAccessor(staff), action: AccessAction.CHANGE_STATUS, purpose: `${event}: ${why}`,
      });
      const ended = ENDS_SESSIONS.has(event) ? await this.sessions.endAll(manager, account.id) : 0;
      return { account: await accounts.findOneByOrFail({ id: account.id }), from, ended };
    });
    if (!changed) throw new NotFoundError('No such account.');
    await this.accountCache.purge(accountId);
    this.log?.info('account status changed', { accountId, event, from: changed.from, to: changed.account.status, sessionsEnded: changed.ended });
    return changed.account;
  }

  /** Why and when an account's status changed, newest first; for the holder and administrators. */
  async history(principal: Principal | null, accountId: string, first?: number | null, after?: string | null): Promise<Connection<AccountStatusChange>> {
    assertCan(principal, 'account.readStatusHistory', { accountId }, 'Only the holder and administrators read an account\'s status history.');
    const size = pageSize(first);
    const cursor = decodeCursor(after, ['bigint']);
    if (!isUuid(accountId)) return toConnection([], size, () => [], false);
    const query = this.db.getRepository(AccountStatusChange).createQueryBuilder('h')
      .where('h.account_id = :accountId', { accountId })
      .orderBy('h.seq', 'DESC')
      .limit(size + 1);
    if (cursor) query.andWhere('h.seq < :seq::bigint', { seq: cursor[0] });
    return toConnection(await query.getMany(), size, (h) => [h.seq], !!cursor);
  }

  /** The status the account reads: its stored one, or LOCKED while failed logins keep its username locked. */
  async statusOf(account: Account, requestScope: object): Promise<AccountStatus> {
    return (await this.lockOf(account, requestScope)) ? AccountStatus.LOCKED : account.status;
  }

  /** Until when failed logins keep the account locked; null when they do not. */
  async lockedUntil(account: Account, requestScope: object): Promise<Date | null> {
    return (await this.lockOf(account, requestScope))?.until ?? null;
  }

  /**
   * Only an account that could otherwise log in reads as locked (a suspension or revocation says more).
   * Without Redis the stored status is shown: reading a status must not fail, only letting attempts through does.
   */
  private async lockOf(account: Account, requestScope: object): Promise<LoginLock | null> {
    if (!canLogIn(account.status) || !account.username) return null;
    let loader = this.lockLoaders.get(requestScope);
    if (!loader) {
      loader = new DataLoader<string, LoginLock | null>(async (subjects) => {
        try {
          const states = await this.limiter.peek(LOGIN_ATTEMPTS_PER_USERNAME, subjects);
          const now = this.now();
          return states.map((state) => lockFrom(state, now));
        } catch (error) {
          this.log?.warn('login locks cannot be read; showing stored statuses', { error: (error as Error).message });
          return subjects.map(() => null);
        }
      });
      this.lockLoaders.set(requestScope, loader);
    }
    return loader.load(loginSubject(account.username));
  }
}
