import type { EntityManager } from 'typeorm';
import { whyLeftAlone, type CheckedFacts } from './document-rules';
import { ISSUER_OF } from './document-rules';

/** What the issuer states about one document, checked (document-rules.ts checkIssuedFacts). */
export interface StatedDocument extends CheckedFacts {
  holderAccountId: string;
  /** The issuer's records say it is revoked (the import); an issue or an approval states a document in force. */
  revoked: boolean;
  revocationReason: string | null;
  revokedByAccountId: string | null;
}

export type WriteOutcome =
  | { kind: 'INSERTED' | 'UPDATED' | 'UNCHANGED'; id: string }
  /** Left alone: the number is in another holder's wallet, or the wallet holds a later issue of it. */
  | { kind: 'OTHER_HOLDER' | 'STALE'; id: string; storedIssuedOn: string };

/**
 * Writes what issuers state, as one statement for any number of documents (the import's batches, a single issue
 * or approval): new numbers are inserted; for a number already in the wallet the rule of document-rules.ts
 * (whyLeftAlone) applies: another holder or an earlier issue date leaves the row alone and is reported, the
 * same facts write nothing (so a retry or a second import moves no `updated_at`), a later issue date replaces
 * the facts and the revocation state, and a correction on the same issue date keeps a revocation standing.
 * A revocation once recorded keeps its first time and reason. `(type, number)` must be unique within `rows`.
 * Rows the statement leaves alone stay locked until the caller's transaction ends.
 */
export async function writeDocuments(manager: EntityManager, rows: readonly StatedDocument[]): Promise<WriteOutcome[]> {
  if (!rows.length) return [];
  const column = <T>(pick: (row: StatedDocument) => T) => rows.map(pick);
  // `xmax = 0` is PostgreSQL's tell for a row this statement inserted rather than updated. The revocation
  // state is written with one expression and compared with the same one, so an unchanged row is skipped.
  const written = (await manager.query(
    `INSERT INTO documents.integrated_documents AS d
       (type, number, holder_account_id, issuer_agency_code, issued_on, expires_on, licence_classes, backed_by_issuer,
        revoked_at, revocation_reason, revoked_by_account_id)
     SELECT s.type, s.number, s.holder, s.agency, s.issued_on, s.expires_on,
            CASE WHEN s.classes = '' THEN '{}'::text[] ELSE string_to_array(s.classes, ',') END, true,
            CASE WHEN s.revoked THEN now() END, CASE WHEN s.revoked THEN s.reason END, CASE WHEN s.revoked THEN s.revoked_by END
       FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::date[], $6::date[], $7::text[], $8::boolean[], $9::text[], $10::uuid[])
            AS s(type, number, holder, agency, issued_on, expires_on, classes, revoked, reason, revoked_by)
     ON CONFLICT (type, number) DO UPDATE SET
       issuer_agency_code = EXCLUDED.issuer_agency_code,
       issued_on = EXCLUDED.issued_on, expires_on = EXCLUDED.expires_on, licence_classes = EXCLUDED.licence_classes,
       revoked_at = CASE WHEN EXCLUDED.issued_on > d.issued_on THEN EXCLUDED.revoked_at ELSE COALESCE(d.revoked_at, EXCLUDED.revoked_at) END,
       revocation_reason = CASE WHEN EXCLUDED.issued_on > d.issued_on THEN EXCLUDED.revocation_reason ELSE COALESCE(d.revocation_reason, EXCLUDED.revocation_reason) END,
       revoked_by_account_id = CASE WHEN EXCLUDED.issued_on > d.issued_on OR d.revoked_at IS NULL THEN EXCLUDED.revoked_by_account_id ELSE d.revoked_by_account_id END,
       backed_by_issuer = true,
       updated_at = now()
     WHERE d.holder_account_id = EXCLUDED.holder_account_id AND EXCLUDED.issued_on >= d.issued_on
       AND (d.issuer_agency_code, d.issued_on, d.expires_on, d.licence_classes, d.revoked_at IS NOT NULL, d.backed_by_issuer)
           IS DISTINCT FROM (EXCLUDED.issuer_agency_code, EXCLUDED.issued_on, EXCLUDED.expires_on, EXCLUDED.licence_classes,
                             CASE WHEN EXCLUDED.issued_on > d.issued_on THEN EXCLUDED.revoked_at IS NOT NULL
                                  ELSE d.revoked_at IS NOT NULL OR EXCLUDED.revoked_at IS NOT NULL END, true)
     RETURNING id, type, number, (xmax = 0) AS inserted`,
    [column((r) => r.type), column((r) => r.number), column((r) => r.holderAccountId), column((r) => ISSUER_OF[r.type]),
      column((r) => r.issuedOn), column((r) => r.expiresOn), column((r) => r.licenceClasses.join(',')),
      column((r) => r.revoked), column((r) => (r.revoked ? r.revocationReason : null)), column((r) => (r.revoked ? r.revokedByAccountId : null))],
  )) as { id: string; type: string; number: string; inserted: boolean }[];

  const key = (type: string, number: string) => `${type} ${number}`;
  const outcomes = new Map<string, WriteOutcome>(written.map((w) => [key(w.type, w.number), { kind: w.inserted ? 'INSERTED' : 'UPDATED', id: w.id }]));
  const leftAlone = rows.filter((r) => !outcomes.has(key(r.type, r.number)));
  if (leftAlone.length) {
    const stored = (await manager.query(
      `SELECT id, type, number, holder_account_id, issued_on::text AS issued_on FROM documents.integrated_documents
        WHERE (type, number) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [leftAlone.map((r) => r.type), leftAlone.map((r) => r.number)],
    )) as { id: string; type: string; number: string; holder_account_id: string; issued_on: string }[];
    const storedByKey = new Map(stored.map((s) => [key(s.type, s.number), s]));
    for (const row of leftAlone) {
      const existing = storedByKey.get(key(row.type, row.number))!;
      const why = whyLeftAlone({ holderAccountId: existing.holder_account_id, issuedOn: existing.issued_on }, row);
      outcomes.set(key(row.type, row.number), why === 'UNCHANGED' ? { kind: why, id: existing.id } : { kind: why, id: existing.id, storedIssuedOn: existing.issued_on });
    }
  }
  return rows.map((r) => outcomes.get(key(r.type, r.number))!);
}
