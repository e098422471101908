import type { DataSource, EntityManager } from 'typeorm';
import { GRAPH_SCOPE, type Logger } from '../../../shared/src';
import { RelyingParty } from './relying-party.entity';

/** What oidc-provider stores of an artefact (a session, a grant, a code, a refresh token, an interaction …). */
export type OidcPayload = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string; consumed?: number };

/** oidc-provider's adapter interface, one instance per model name. */
export interface OidcAdapter {
  upsert(id: string, payload: OidcPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<OidcPayload | undefined>;
  findByUserCode(userCode: string): Promise<OidcPayload | undefined>;
  findByUid(uid: string): Promise<OidcPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

const SWEEP_EVERY_MS = 10 * 60_000;

/** What must happen in the same transaction as the store's own writes (see single-sign-on.ts for who listens). */
export interface OidcStoreHooks {
  /** A new authorization code is being stored: the sign-in it ends is recorded with it (sign-in.log.ts). */
  codeIssued?(manager: EntityManager, code: OidcPayload): Promise<void>;
  /** A grant's artefacts are being deleted: its end is announced with it, so its access tokens for the graph are refused. */
  grantEnded?(manager: EntityManager, grantId: string): Promise<void>;
}

const UPSERT = `
  INSERT INTO identity.oidc_artifacts (model, id, payload, grant_id, user_code, uid, expires_at)
  VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(secs => $7::int) END)
  ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, user_code = EXCLUDED.user_code,
    uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at`;

/**
 * The provider's artefacts in PostgreSQL (identity.oidc_artifacts): one row per (model, id), its payload as JSON, its
 * expiry, and the grant it belongs to (so a grant is revoked with one statement: logout, a reused refresh token).
 * Expired rows read as absent at once and are deleted by a sweep (one replica at a time).
 *
 * The `Client` model is not stored here: it is read from identity.relying_parties, which administrators manage through
 * the graph; an inactive relying party is no client at all.
 */
export class OidcStore {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: DataSource, private readonly log: Logger, private readonly hooks: OidcStoreHooks = {}) {}

  /** The adapter class oidc-provider's `adapter` setting takes. */
  adapterClass(): new (model: string) => OidcAdapter {
    const store = this;
    return class {
      constructor(readonly model: string) {}
      upsert(id: string, payload: OidcPayload, expiresIn?: number) { return store.upsert(this.model, id, payload, expiresIn); }
      find(id: string) { return this.model === 'Client' ? store.findClient(id) : store.findBy(this.model, 'id', id); }
      findByUserCode(userCode: string) { return store.findBy(this.model, 'user_code', userCode); }
      findByUid(uid: string) { return store.findBy(this.model, 'uid', uid); }
      consume(id: string) { return store.consume(this.model, id); }
      destroy(id: string) { return store.destroy(this.model, id); }
      // oidc-provider revokes a grant's tokens (helpers/revoke.js: logout, the revocation endpoint, a code or a rotated
      // refresh token used twice) by calling this on every token model of the grant at once, AccessToken's always among
      // them, and calls it nowhere else: AccessToken's call announces the end, once per revocation.
      revokeByGrantId(grantId: string) { return store.revokeByGrantId(grantId, { announce: this.model === 'AccessToken' }); }
    };
  }

  async upsert(model: string, id: string, payload: OidcPayload, expiresIn?: number): Promise<void> {
    const parameters = [model, id, JSON.stringify(payload), payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null, expiresIn ?? null];
    const codeIssued = this.hooks.codeIssued;
    if (model !== 'AuthorizationCode' || !codeIssued) {
      await this.db.query(UPSERT, parameters);
      return;
    }
    await this.db.transaction(async (manager) => {
      // `xmax = 0`: the row was inserted, not updated; a code is recorded once, whatever saves it again.
      const [row] = (await manager.query(`${UPSERT} RETURNING (xmax = 0) AS inserted`, parameters)) as { inserted: boolean }[];
      if (row?.inserted) await codeIssued(manager, payload);
    });
  }

  /** Reads and deletes an artefact in one step: of two requests presenting it, only one gets it (single-use state). */
  async take(model: string, id: string): Promise<OidcPayload | undefined> {
    const rows = (await this.db.query(`
      WITH gone AS (DELETE FROM identity.oidc_artifacts WHERE model = $1 AND id = $2 RETURNING payload, expires_at)
      SELECT payload FROM gone WHERE expires_at IS NULL OR expires_at > now()`, [model, id])) as { payload: OidcPayload }[];
    return rows[0]?.payload;
  }

  async findBy(model: string, column: 'id' | 'uid' | 'user_code', value: string): Promise<OidcPayload | undefined> {
    const rows = (await this.db.query(`
      SELECT payload, consumed_at FROM identity.oidc_artifacts
      WHERE model = $1 AND ${column} = $2 AND (expires_at IS NULL OR expires_at > now())
      LIMIT 1`, [model, value])) as { payload: OidcPayload; consumed_at: Date | null }[];
    if (!rows.length) return undefined;
    const { payload, consumed_at: consumedAt } = rows[0];
    return consumedAt ? { ...payload, consumed: Math.floor(consumedAt.getTime() / 1000) } : payload;
  }

  /** Marks a code or a rotated refresh token used: presented again, the provider revokes its whole grant. */
  async consume(model: string, id: string): Promise<void> {
    await this.db.query(`UPDATE identity.oidc_artifacts SET consumed_at = now() WHERE model = $1 AND id = $2 AND consumed_at IS NULL`, [model, id]);
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.db.query(`DELETE FROM identity.oidc_artifacts WHERE model = $1 AND id = $2`, [model, id]);
  }

  /** Deletes every artefact of a grant (codes, refresh tokens, stored access tokens); with `announce`, announces its end in the same transaction. */
  async revokeByGrantId(grantId: string, options: { announce?: boolean } = {}): Promise<void> {
    const grantEnded = this.hooks.grantEnded;
    if (!options.announce || !grantEnded) {
      await this.db.query(`DELETE FROM identity.oidc_artifacts WHERE grant_id = $1`, [grantId]);
      return;
    }
    await this.db.transaction(async (manager) => {
      await manager.query(`DELETE FROM identity.oidc_artifacts WHERE grant_id = $1`, [grantId]);
      await grantEnded(manager, grantId);
    });
  }

  /**
   * Ends a grant in the caller's transaction: the grant itself and everything issued under it, announced like a
   * revocation by the provider (a relying party the person revokes: connected-system.service.ts).
   */
  async endGrant(manager: EntityManager, grantId: string): Promise<void> {
    await manager.query(`DELETE FROM identity.oidc_artifacts WHERE grant_id = $1 OR (model = 'Grant' AND id = $1)`, [grantId]);
    await this.hooks.grantEnded?.(manager, grantId);
  }

  /** A relying party as client metadata (only while it is active). Its secret is the stored hash: see `compareClientSecret` in provider.ts. */
  async findClient(clientId: string): Promise<OidcPayload | undefined> {
    const party = await this.db.getRepository(RelyingParty).createQueryBuilder('r').addSelect('r.secretHash')
      .where('r.client_id = :clientId AND r.active', { clientId }).getOne();
    if (!party) return undefined;
    return {
      client_id: party.clientId,
      client_name: party.name,
      redirect_uris: party.redirectUris,
      post_logout_redirect_uris: party.postLogoutRedirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      // Client `scope` names only the provider's own scopes; access to the graph (a resource server's scope) is `graph_access`.
      scope: party.allowedScopes.filter((scope) => scope !== GRAPH_SCOPE).join(' '),
      graph_access: party.allowedScopes.includes(GRAPH_SCOPE),
      id_token_signed_response_alg: 'ES256',
      ...(party.secretHash ? { token_endpoint_auth_method: 'client_secret_basic', client_secret: party.secretHash } : { token_endpoint_auth_method: 'none' }),
      allowed_levels: party.allowedLevels,
    };
  }

  start(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((error: Error) => this.log.warn('single sign-on sweep failed; next round retries', { error: error.message }));
    }, SWEEP_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Deletes expired artefacts; returns how many. One replica at a time (a transaction-scoped advisory lock). */
  async sweep(): Promise<number> {
    return this.db.transaction(async (manager) => {
      const [{ locked }] = (await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext('identity:oidc-sweep')) AS locked`)) as { locked: boolean }[];
      if (!locked) return 0;
      const [{ n }] = (await manager.query(`
        WITH gone AS (DELETE FROM identity.oidc_artifacts WHERE expires_at < now() RETURNING 1) SELECT count(*)::int AS n FROM gone`)) as { n: number }[];
      return n;
    });
  }
}
