import type { DataSource } from 'typeorm';
import { assertCan, decodeCursor, isUuid, NotFoundError, pageSize, toConnection, type Connection, type Principal } from '../../../shared/src';
import type { OidcStore } from './oidc-store';
import type { ConnectedSystem } from './connected-system.types';
import { scopeList } from './sign-in.log';

/**
 * A person's connected systems, one per relying party holding a live grant of theirs (oidc-provider's `Grant`, one
 * per browser session that consented): its scopes are what those grants hold, its sign-in times come from the access
 * log (SIGN_IN entries), or, for a grant older than the log's entries, from the grant itself.
 */
const LIST_SQL = `
  WITH live AS (
    SELECT g.payload->>'clientId' AS client_id,
      array_remove(array_agg(DISTINCT scope), NULL) AS scopes,
      min(to_timestamp((g.payload->>'iat')::double precision)) AS granted_at
    FROM identity.oidc_artifacts g
    LEFT JOIN LATERAL unnest(string_to_array(concat_ws(' ', g.payload #>> '{openid,scope}',
      (SELECT string_agg(r.value, ' ') FROM jsonb_each_text(coalesce(g.payload->'resources', '{}'::jsonb)) AS r)), ' ')) AS scope ON scope <> ''
    WHERE g.model = 'Grant' AND g.payload->>'accountId' = $1 AND (g.expires_at IS NULL OR g.expires_at > now())
    GROUP BY 1
  ), systems AS (
    SELECT l.client_id, coalesce(p.name, l.client_id) AS name, l.scopes, l.granted_at
    FROM live l LEFT JOIN identity.relying_parties p ON p.client_id = l.client_id
  )
  SELECT s.client_id AS "clientId", s.name, s.scopes,
    coalesce(t.first_at, s.granted_at) AS "firstSignInAt", coalesce(t.last_at, s.granted_at) AS "lastSignInAt"
  FROM systems s
  LEFT JOIN LATERAL (
    SELECT min(e.occurred_at) AS first_at, max(e.occurred_at) AS last_at FROM identity.access_log e
    WHERE e.account_id = $1::uuid AND e.accessor_kind = 'RELYING_SYSTEM' AND e.accessor_id = s.client_id AND e.action = 'SIGN_IN' AND e.outcome = 'ALLOWED'
  ) t ON true
  WHERE $2::text IS NULL OR (s.name, s.client_id) > ($2::text, $3::text)
  ORDER BY s.name, s.client_id
  LIMIT $4`;

export class ConnectedSystemService {
  constructor(private readonly db: DataSource, private readonly store: OidcStore) {}

  /** The systems an account signed in to and has not revoked, by name; only its holder reads them, with the graph's own login. */
  async list(principal: Principal | null, accountId: string, first?: number | null, after?: string | null): Promise<Connection<ConnectedSystem>> {
    assertCan(principal, 'account.manageConnectedSystems', { accountId }, 'Only the holder sees the systems they signed in to.');
    const size = pageSize(first);
    const cursor = decodeCursor(after, ['string', 'string']);
    if (!isUuid(accountId)) return toConnection([], size, () => [], false);
    const rows = (await this.db.query(LIST_SQL, [accountId.toLowerCase(), cursor?.[0] ?? null, cursor?.[1] ?? null, size + 1])) as ConnectedSystem[];
    return toConnection(rows.map((row) => ({ ...row, scopes: scopeList(row.scopes.join(' ')) })), size, (s) => [s.name, s.clientId], !!cursor);
  }

  /**
   * Ends every grant the caller's account gave the system, with everything issued under them (store.endGrant), in one
   * transaction with their announcement (`grant.ended`): its refresh tokens stop working at once, its access tokens for
   * the graph are refused within a second. The account is the token's, never an argument: nobody else's grants are reachable.
   *
   * Not written to the access log: the log says who accessed the person's data, and this is the person's own act
   * (like revoking a consent or ending a session); the system's sign-ins before it stay in the log.
   */
  async revoke(principal: Principal | null, clientId: string): Promise<boolean> {
    const person = assertCan(principal, 'account.manageConnectedSystems', { accountId: principal?.accountId ?? '' }, 'Only the holder revokes the systems they signed in to.');
    const notConnected = () => new NotFoundError('You have no connection with this system: you never signed in to it, or it was already revoked.');
    if (clientId.length > 100 || !isUuid(person.accountId)) throw notConnected();
    return this.db.transaction(async (manager) => {
      const grants = (await manager.query(`
        SELECT id FROM identity.oidc_artifacts
        WHERE model = 'Grant' AND payload->>'accountId' = $1 AND payload->>'clientId' = $2 AND (expires_at IS NULL OR expires_at > now())
        FOR UPDATE`, [person.accountId.toLowerCase(), clientId])) as { id: string }[];
      if (!grants.length) throw notConnected();
      for (const { id } of grants) await this.store.endGrant(manager, id);
      return true;
    });
  }
}
