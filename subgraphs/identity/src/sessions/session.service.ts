import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_TYPE, TOKEN_ALGORITHM, UnauthenticatedError, type AccessClaims } from '../../../shared/src';
import { Account, AssuranceLevel } from '../accounts/account.entity';
import { canLogIn } from '../accounts/account-status';
import { RefreshToken } from './refresh-token.entity';
import type { SigningKey } from './signing-key';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

export interface IssuedSession { accessToken: string; refreshToken: string; expiresAt: Date; account: Account }

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export class SessionService {
  constructor(private readonly db: DataSource, private readonly key: SigningKey, private readonly issuer: string, private readonly now = () => new Date()) {}

  async accessToken(account: Account): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const expiresAt = new Date((issuedAt + ACCESS_TOKEN_TTL_SECONDS) * 1000);
    const claims: AccessClaims = {
      role: account.role,
      level: account.level === AssuranceLevel.LEVEL_2 ? 2 : 1,
      ...(account.postalPointCode ? { postal_point: account.postalPointCode } : {}),
      ...(account.agencyCode ? { agency: account.agencyCode } : {}),
    };
    const token = await new SignJWT({ ...claims })
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
    const refreshToken = await this.newRefreshToken(manager, account.id, randomUUID());
    const { token, expiresAt } = await this.accessToken(account);
    return { accessToken: token, refreshToken, expiresAt, account };
  }

  /** Rotates a refresh token. Reuse of a replaced token revokes its whole family. */
  async refresh(presented: string): Promise<IssuedSession> {
    const outcome = await this.db.transaction(async (manager) => {
      const tokens = manager.getRepository(RefreshToken);
      const current = await tokens.findOne({ where: { tokenHash: sha256(presented) }, lock: { mode: 'pessimistic_write' } });
      if (!current || current.revokedAt || current.expiresAt <= this.now()) return null;
      if (current.replacedAt) {
        await tokens.update({ familyId: current.familyId, revokedAt: IsNull() }, { revokedAt: this.now() });
        return 'reused' as const;
      }
      const account = await manager.getRepository(Account).findOne({ where: { id: current.accountId } });
      if (!account || !canLogIn(account.status)) return null;
      await tokens.update(current.id, { replacedAt: this.now() });
      const refreshToken = await this.newRefreshToken(manager, account.id, current.familyId);
      return { account, refreshToken };
    });
    if (outcome === null) throw new UnauthenticatedError('The refresh token is not valid; log in again.');
    if (outcome === 'reused') throw new UnauthenticatedError('This refresh token was already used; the session has been ended for safety. Log in again.');
    const { token, expiresAt } = await this.accessToken(outcome.account);
    return { accessToken: token, refreshToken: outcome.refreshToken, expiresAt, account: outcome.account };
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
