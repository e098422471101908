import type { DataSource } from 'typeorm';
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

  constructor(private readonly db: DataSource, private readonly log: Logger) {}

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
      revokeByGrantId(grantId: string) { return store.revokeByGrantId(grantId); }
    };
  }

  async upsert(model: string, id: string, payload: OidcPayload, expiresIn?: number): Promise<void> {
    await this.db.query(`
      INSERT INTO identity.oidc_artifacts (model, id, payload, grant_id, user_code, uid, expires_at)
      VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(secs => $7::int) END)
      ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, user_code = EXCLUDED.user_code,
        uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at`,
    [model, id, JSON.stringify(payload), payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null, expiresIn ?? null]);
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

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.db.query(`DELETE FROM identity.oidc_artifacts WHERE grant_id = $1`, [grantId]);
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
