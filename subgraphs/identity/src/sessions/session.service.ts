import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import {
  ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_TYPE, accountSessionsEnded, ACTING_FOR_CLAIM, assertCan, decodeCursor, isUuid, NotFoundError, pageSize, sessionEnded, SESSION_ID_CLAIM, TOKEN_ALGORITHM, toConnection,
  UnauthenticatedError, type AccessClaims, type ActingFor, type Connection, type Principal,
} from '../../../shared/src';
import { Account, AssuranceLevel } from '../accounts/account.entity';
import { canLogIn } from '../accounts/account-status';
import { RefreshToken } from './refresh-token.entity';
import { SessionInfo } from './session.types';
import { SessionEvents } from './session.events';
import type { SigningKey } from './signing-key';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

/** `sessionId` is the refresh-token family: the access token names it as its `sid` claim. */
export interface IssuedSession { accessToken: string; refreshToken: string; expiresAt: Date; account: Account; sessionId: string }

/** A session as listed: its family's first and newest token and when the live one expires. */
interface SessionRow { family_id: string; started_at: Date; started_us: string; last_refreshed_at: Date | null; expires_at: Date }

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Sessions: each is a refresh-token family, named in its access tokens (`sid`). Every ending is announced in the
 * transaction that makes it (session.events.ts), so that every subgraph and the gateway refuse the session's access
 * tokens within a second instead of letting them live out their 15 minutes.
 */
export class SessionService {
  constructor(
    private readonly db: DataSource,
    private readonly key: SigningKey,
    private readonly issuer: string,
    private readonly now = () => new Date(),
    private readonly events = new SessionEvents(),
  ) {}

  /**
   * An access token for `account` in the session (refresh-token family) `sessionId`, named by its `sid` claim.
   * With `acting` (actForOrganisation), it also carries the `act_for` claim and lives no longer than `acting.until`
   * (the delegation's expiry). Refreshing a session never issues one: `refresh` gives the person's own token, and
   * acting again goes through actForOrganisation, which checks the delegation again.
   */
  async accessToken(account: Account, sessionId: string, acting?: ActingFor & { until: Date | null }): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const lifetime = Math.min(ACCESS_TOKEN_TTL_SECONDS, acting?.until ? Math.floor(acting.until.getTime() / 1000) - issuedAt : Infinity);
    const expiresAt = new Date((issuedAt + lifetime) * 1000);
    const claims: AccessClaims = {
      role: account.role,
      level: account.level === AssuranceLevel.LEVEL_2 ? 2 : 1,
      ...(account.postalPointCode ? { postal_point: account.postalPointCode } : {}),
      ...(account.agencyCode ? { agency: account.agencyCode } : {}),
      ...(acting ? { [ACTING_FOR_CLAIM]: { organisation_id: acting.organisationId, delegation_id: acting.delegationId, scopes: [...acting.scopes] } } : {}),
    };
    const token = await new SignJWT({ ...claims, [SESSION_ID_CLAIM]: sessionId })
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: this.key.kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(this.issuer)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setSubject(account.id)
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key.privateKey);
    return { token, expiresAt };
  }

  /** Starts a new session (a new refresh-token family) inside the caller's transaction. */
  async start(manager: EntityManager, account: Account): Promise<IssuedSession> {
    const sessionId = randomUUID();
    const refreshToken = await this.newRefreshToken(manager, account.id, sessionId);
    const { token, expiresAt } = await this.accessToken(account, sessionId);
    return { accessToken: token, refreshToken, expiresAt, account, sessionId };
  }

  /** Rotates a refresh token. Reuse of a replaced token revokes its whole family. */
  async refresh(presented: string): Promise<IssuedSession> {
    const outcome = await this.db.transaction(async (manager) => {
      const tokens = manager.getRepository(RefreshToken);
      const found = await tokens.findOne({ where: { tokenHash: sha256(presented) } });
      if (!found) return null;
      // The account first (shared), then the token: the order in which a suspension or a new password locks the
      // account and then ends its sessions. So they wait for each other instead of deadlocking, and a refresh
      // cannot slip a new token past a suspension that is ending every session.
      const account = await manager.getRepository(Account).findOne({ where: { id: found.accountId }, lock: { mode: 'pessimistic_read' } });
      const current = await tokens.findOne({ where: { id: found.id }, lock: { mode: 'pessimistic_write' } });
      if (!current || current.revokedAt || current.expiresAt <= this.now()) return null;
      if (current.replacedAt) {
        await tokens.update({ familyId: current.familyId, revokedAt: IsNull() }, { revokedAt: this.now() });
        // A replayed refresh token means a stolen one: the access tokens of its session are ended too.
        await this.events.write(manager, sessionEnded(current.familyId, current.accountId));
        return 'reused' as const;
      }
      if (!account || !canLogIn(account.status)) return null;
      await tokens.update(current.id, { replacedAt: this.now() });
      const refreshToken = await this.newRefreshToken(manager, account.id, current.familyId);
      return { account, refreshToken, sessionId: current.familyId };
    });
    if (outcome === null) throw new UnauthenticatedError('The refresh token is not valid; log in again.');
    if (outcome === 'reused') throw new UnauthenticatedError('This refresh token was already used; the session has been ended for safety. Log in again.');
    const { token, expiresAt } = await this.accessToken(outcome.account, outcome.sessionId);
    return { accessToken: token, refreshToken: outcome.refreshToken, expiresAt, account: outcome.account, sessionId: outcome.sessionId };
  }

  /**
   * Ends every session of an account inside the caller's transaction (suspension, revocation, a new
   * password), but `except` (the session that changed the password may stay). Returns how many refresh
   * tokens were revoked. Their access tokens are refused everywhere within a second: announced in the same
   * transaction as `account.sessionsEnded` and, for each session ended, `session.ended`.
   */
  async endAll(manager: EntityManager, accountId: string, except?: string): Promise<number> {
    const at = this.now();
    const [rows] = (await manager.query(
      `UPDATE identity.refresh_tokens SET revoked_at = $2
        WHERE account_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR family_id <> $3::uuid)
        RETURNING family_id`,
      [accountId, at, except ?? null],
    )) as [{ family_id: string }[], number];
    const families = [...new Set(rows.map((r) => r.family_id))];
    await this.events.write(manager, ...families.map((family) => sessionEnded(family, accountId)), accountSessionsEnded(accountId, at, except));
    return rows.length;
  }

  /** Logging out: ends the caller's current session (the `sid` of their access token). False when it had already ended. */
  async logout(principal: Principal | null): Promise<boolean> {
    const caller = this.self(principal);
    const sessionId = caller?.sessionId;
    if (!sessionId) return false;
    return this.endOne(caller.accountId, sessionId);
  }

  /** Ends one of the caller's own live sessions; anyone else's, an ended one or an unknown id is NOT_FOUND alike. */
  async revoke(principal: Principal | null, sessionId: string): Promise<boolean> {
    const caller = this.self(principal);
    if (!isUuid(sessionId) || !(await this.endOne(caller.accountId, sessionId))) throw new NotFoundError('No such session.');
    return true;
  }

  /** The caller's live sessions (a refresh token not used, revoked nor expired), newest first. */
  async list(principal: Principal | null, first?: number | null, after?: string | null): Promise<Connection<SessionInfo>> {
    const caller = this.self(principal);
    const size = pageSize(first);
    // Cut on (start in microseconds, family id): exact, whatever the clock's resolution.
    const cursor = decodeCursor(after, ['bigint', 'uuid']);
    const rows = (await this.db.query(`
      SELECT * FROM (
        SELECT family_id, min(created_at) AS started_at, (extract(epoch FROM min(created_at)) * 1000000)::bigint AS started_us,
          CASE WHEN count(*) > 1 THEN max(created_at) END AS last_refreshed_at,
          max(expires_at) FILTER (WHERE replaced_at IS NULL AND revoked_at IS NULL) AS expires_at
        FROM identity.refresh_tokens WHERE account_id = $1
        GROUP BY family_id
        HAVING bool_or(replaced_at IS NULL AND revoked_at IS NULL AND expires_at > $2)
      ) s
      WHERE $3::bigint IS NULL OR (s.started_us, s.family_id) < ($3::bigint, $4::uuid)
      ORDER BY s.started_us DESC, s.family_id DESC
      LIMIT $5`, [caller.accountId, this.now(), cursor?.[0] ?? null, cursor?.[1] ?? null, size + 1])) as SessionRow[];
    const current = caller?.sessionId;
    const position = new Map(rows.map((r) => [r.family_id, String(r.started_us)]));
    const sessions = rows.map((r) => Object.assign(new SessionInfo(), {
      id: r.family_id, startedAt: r.started_at, lastRefreshedAt: r.last_refreshed_at, expiresAt: r.expires_at, current: r.family_id === current,
    }));
    return toConnection(sessions, size, (s) => [position.get(s.id)!, s.id], !!cursor);
  }

  /** The caller, acting on their own sessions (nobody manages another person's). */
  private self(principal: Principal | null): Principal {
    return assertCan(principal, 'account.manageSessions', { accountId: principal?.accountId ?? '' });
  }

  /** Revokes what is left of one of the account's sessions, and announces it; true when it was still live. */
  private async endOne(accountId: string, familyId: string): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      const [{ live, revoked }] = (await manager.query(`
        WITH ended AS (
          UPDATE identity.refresh_tokens SET revoked_at = $3
          WHERE account_id = $1 AND family_id = $2 AND revoked_at IS NULL
          RETURNING replaced_at, expires_at
        )
        SELECT count(*) FILTER (WHERE replaced_at IS NULL AND expires_at > $3)::int AS live, count(*)::int AS revoked FROM ended`,
      [accountId, familyId, this.now()])) as { live: number; revoked: number }[];
      if (revoked > 0) await this.events.write(manager, sessionEnded(familyId, accountId));
      return live > 0;
    });
  }

  private async newRefreshToken(manager: EntityManager, accountId: string, familyId: string): Promise<string> {
    const value = randomBytes(32).toString('base64url');
    await manager.getRepository(RefreshToken).insert({
      accountId, familyId, tokenHash: sha256(value),
      expiresAt: new Date(this.now().getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000), replacedAt: null, revokedAt: null,
    });
    return value;
  }
}
