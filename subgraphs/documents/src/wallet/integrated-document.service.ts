import type { DataSource, EntityManager } from 'typeorm';
import {
  assertCan, BadInputError, can, ConflictError, decodeCursor, isIsoDate, isUuid, NotFoundError, pageSize, todayInVietnam, toConnection, UnauthenticatedError,
  type Connection, type FieldProblem, type Logger, type Principal,
} from '../../../shared/src';
import type { DocumentsLoaders } from '../context';
import { checkIssuedFacts, checkReason, IntegratedDocumentStatus, ISSUER_OF, type CheckedFacts } from './document-rules';
import { writeDocuments } from './document-writer';
import { IntegratedDocument } from './integrated-document.entity';
import { visibleTo } from './integrated-document.policy';
import type { AccountDocumentsArgs, IssueIntegratedDocumentInput } from './wallet.types';

/**
 * Puts what the issuer states about one document into its holder's wallet, in the caller's transaction: the
 * document as it now stands (new, corrected, re-issued, or as it was for a retry). A number in another holder's
 * wallet, or a statement older than the issue the wallet holds, is CONFLICT and writes nothing.
 */
export async function stateDocument(manager: EntityManager, holderAccountId: string, facts: CheckedFacts): Promise<IntegratedDocument> {
  const [outcome] = await writeDocuments(manager, [{ ...facts, holderAccountId, revoked: false, revocationReason: null, revokedByAccountId: null }]);
  if (outcome.kind === 'OTHER_HOLDER') throw new ConflictError(`This ${facts.type} number is in another holder's wallet.`);
  if (outcome.kind === 'STALE') throw new ConflictError(`The wallet holds a later issue of this ${facts.type} (issued on ${outcome.storedIssuedOn}).`);
  return manager.getRepository(IntegratedDocument).findOneByOrFail({ id: outcome.id });
}

/** The wallet's documents: issued and revoked by officials of their issuer, read by their holder. */
export class IntegratedDocumentService {
  constructor(private readonly db: DataSource, private readonly log: Logger) {}

  /** Idempotent on (type, number): issuing the same facts again returns the document as it is. */
  async issue(principal: Principal | null, input: IssueIntegratedDocumentInput): Promise<IntegratedDocument> {
    if (!principal) throw new UnauthenticatedError();
    const issuer = ISSUER_OF[input.type];
    assertCan(principal, 'integratedDocument.issue', { issuerAgencyCode: issuer }, `Only a level-2 official of ${issuer} issues a ${input.type}.`);
    const problems: FieldProblem[] = [];
    if (!isUuid(input.holderAccountId)) problems.push({ field: 'holderAccountId', message: 'Not an account id.' });
    const checked = checkIssuedFacts(input, todayInVietnam());
    problems.push(...checked.problems);
    if (problems.length) throw new BadInputError('The document has problems; see extensions.problems.', problems);
    const document = await this.db.transaction((manager) => stateDocument(manager, input.holderAccountId.toLowerCase(), checked.value));
    this.log.info('integrated document issued', { documentId: document.id, type: document.type, by: principal.accountId });
    return document;
  }

  /** Revokes a document of the caller's agency, with a reason; revoking twice is CONFLICT. */
  async revoke(principal: Principal | null, id: string, reason: string): Promise<IntegratedDocument> {
    if (!principal) throw new UnauthenticatedError();
    assertCan(principal, 'integratedDocument.revoke', { issuerAgencyCode: principal.agencyCode ?? '' }, 'Only a level-2 official of the issuing agency revokes a document.');
    const checked = checkReason(reason);
    if (checked.problems.length) throw new BadInputError('The revocation has problems; see extensions.problems.', checked.problems);
    const document = isUuid(id) ? await this.db.getRepository(IntegratedDocument).findOneBy({ id }) : null;
    // Another agency's document is answered like one that does not exist.
    if (!document || !can(principal, 'integratedDocument.revoke', { issuerAgencyCode: document.issuerAgencyCode })) throw new NotFoundError('No such document.');
    const [revoked] = (await this.db.query(
      `UPDATE documents.integrated_documents SET revoked_at = now(), revocation_reason = $2, revoked_by_account_id = $3, updated_at = now()
        WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
      [document.id, checked.value, principal.accountId],
    )) as [{ id: string }[], number];
    if (!revoked.length) throw new ConflictError('This document is already revoked.');
    this.log.info('integrated document revoked', { documentId: document.id, type: document.type, by: principal.accountId });
    return this.db.getRepository(IntegratedDocument).findOneByOrFail({ id: document.id });
  }

  async byId(principal: Principal, id: string, loaders: DocumentsLoaders): Promise<IntegratedDocument | null> {
    return visibleTo(principal, await loaders.integratedDocuments.load(id));
  }

  /** A holder's wallet, newest issued first, keyset-paginated on (issued_on, id); filtered by type and status today. */
  async forAccount(principal: Principal, accountId: string, args: AccountDocumentsArgs): Promise<Connection<IntegratedDocument>> {
    assertCan(principal, 'integratedDocument.listForAccount', { holderAccountId: accountId }, 'Only the holder sees their wallet.');
    const size = pageSize(args.first);
    const cursor = decodeCursor(args.after, ['string', 'uuid']);
    if (cursor && !isIsoDate(String(cursor[0]))) throw new BadInputError('"after" is not a cursor this list gave out.', [{ field: 'after', message: 'unknown cursor' }]);
    if (!isUuid(accountId)) return toConnection([], size, () => [], false);
    const query = this.db.getRepository(IntegratedDocument).createQueryBuilder('d')
      .where('d.holder_account_id = :accountId', { accountId })
      .orderBy('d.issued_on', 'DESC').addOrderBy('d.id', 'DESC')
      .limit(size + 1);
    if (args.type) query.andWhere('d.type = :type', { type: args.type });
    const today = todayInVietnam();
    if (args.status === IntegratedDocumentStatus.REVOKED) query.andWhere('d.revoked_at IS NOT NULL');
    if (args.status === IntegratedDocumentStatus.EXPIRED) query.andWhere('d.revoked_at IS NULL AND d.expires_on < :today::date', { today });
    if (args.status === IntegratedDocumentStatus.VALID) query.andWhere('d.revoked_at IS NULL AND (d.expires_on IS NULL OR d.expires_on >= :today::date)', { today });
    if (cursor) query.andWhere('(d.issued_on, d.id) < (:on::date, :id::uuid)', { on: cursor[0], id: cursor[1] });
    return toConnection(await query.getMany(), size, (d) => [d.issuedOn, d.id], !!cursor);
  }
}
