import type { DataSource } from 'typeorm';
import {
  assertCan, BadInputError, can, ConflictError, decodeCursor, isUuid, lockForTransaction, NotFoundError, pageSize, todayInVietnam, toConnection,
  UnauthenticatedError, type Connection, type FieldProblem, type Logger, type PageArgs, type Principal,
} from '../../../shared/src';
import { checkIssuedFacts, checkReason, DOCUMENT_TYPES, ISSUER_OF, normaliseNumber, numberProblem } from './document-rules';
import { stateDocument } from './integrated-document.service';
import { DocumentIntegrationRequest, DocumentIntegrationRequestStatus } from './integration-request.entity';
import type { RequestDocumentIntegrationInput } from './wallet.types';

/** Requests one holder may have waiting at once: a wallet holds a handful of documents, not hundreds. */
export const MAX_PENDING_REQUESTS = 20;

/** What the issuing agency's official confirms when approving: the facts from its records. */
export interface ApprovalFacts { issuedOn: string; expiresOn?: string | null; licenceClasses?: readonly string[] | null }

/**
 * Holders' requests to add a document to their wallet (yêu cầu tích hợp), decided once by a level-2 official
 * of the agency that issues documents of that type.
 */
export class IntegrationRequestService {
  constructor(private readonly db: DataSource, private readonly log: Logger) {}

  /**
   * A citizen asks for a document of their own. Asking again while the first request waits gives back the first.
   * A number already in another wallet is not told to the asker: the official, who sees the records, refuses it.
   */
  async request(principal: Principal | null, input: RequestDocumentIntegrationInput): Promise<DocumentIntegrationRequest> {
    if (!principal) throw new UnauthenticatedError();
    const holderAccountId = principal.accountId;
    assertCan(principal, 'integratedDocument.request', { holderAccountId }, 'Only a citizen asks for a document of their own to be added to their wallet.');
    const problems: FieldProblem[] = [];
    const number = normaliseNumber(input.number ?? '');
    if (!DOCUMENT_TYPES.includes(input.type)) problems.push({ field: 'type', message: `Not one of ${DOCUMENT_TYPES.join(', ')}.` });
    else {
      const bad = numberProblem(input.type, number);
      if (bad) problems.push({ field: 'number', message: bad });
    }
    if (problems.length) throw new BadInputError('The request has problems; see extensions.problems.', problems);
    if (!isUuid(holderAccountId)) throw new UnauthenticatedError('This access token names no account; log in again.');

    const request = await this.db.transaction(async (manager) => {
      // One holder's requests are made one at a time, so the pending count below holds.
      await lockForTransaction(manager, `documents:integration-request:${holderAccountId}`);
      const [held] = (await manager.query(`SELECT 1 FROM documents.integrated_documents WHERE type = $1 AND number = $2 AND holder_account_id = $3`, [input.type, number, holderAccountId])) as unknown[];
      if (held) throw new ConflictError('This document is already in your wallet.');
      const [inserted] = (await manager.query(
        `INSERT INTO documents.document_integration_requests (holder_account_id, type, number, issuer_agency_code, status)
         SELECT $1, $2, $3, $4, 'PENDING'
          WHERE (SELECT count(*) FROM documents.document_integration_requests WHERE holder_account_id = $1 AND status = 'PENDING') < $5
         ON CONFLICT (holder_account_id, type, number) WHERE status = 'PENDING' DO NOTHING
         RETURNING id`,
        [holderAccountId, input.type, number, ISSUER_OF[input.type], MAX_PENDING_REQUESTS],
      )) as { id: string }[];
      const repo = manager.getRepository(DocumentIntegrationRequest);
      if (inserted) return repo.findOneByOrFail({ id: inserted.id });
      const pending = await repo.findOneBy({ holderAccountId, type: input.type, number, status: DocumentIntegrationRequestStatus.PENDING });
      if (pending) return pending;
      throw new ConflictError(`You have ${MAX_PENDING_REQUESTS} requests waiting; ask again once some are decided.`);
    });
    this.log.info('document integration requested', { requestId: request.id, type: request.type });
    return request;
  }

  /**
   * Approves a request with the facts from the issuer's records: the document enters the holder's wallet and the
   * request is decided in one transaction. The request's row is locked first: of simultaneous decisions one
   * wins, the others find it decided (CONFLICT).
   */
  async approve(principal: Principal | null, requestId: string, facts: ApprovalFacts): Promise<DocumentIntegrationRequest> {
    const official = this.assertDecides(principal);
    if (!isUuid(requestId)) throw new NotFoundError('No such request.');
    const request = await this.db.transaction(async (manager) => {
      const repo = manager.getRepository(DocumentIntegrationRequest);
      const request = await repo.findOne({ where: { id: requestId }, lock: { mode: 'pessimistic_write' } });
      this.assertDecidable(official, request);
      const checked = checkIssuedFacts({ type: request!.type, number: request!.number, ...facts }, todayInVietnam());
      if (checked.problems.length) throw new BadInputError('The document has problems; see extensions.problems.', checked.problems);
      const document = await stateDocument(manager, request!.holderAccountId, checked.value);
      await manager.query(
        `UPDATE documents.document_integration_requests SET status = 'APPROVED', decided_at = now(), decided_by_account_id = $2, document_id = $3 WHERE id = $1`,
        [request!.id, official.accountId, document.id],
      );
      return repo.findOneByOrFail({ id: request!.id });
    });
    this.log.info('document integration approved', { requestId: request.id, documentId: request.documentId, by: official.accountId });
    return request;
  }

  /** Refuses a request with a reason: one conditional UPDATE, so of simultaneous decisions one wins. */
  async refuse(principal: Principal | null, requestId: string, reason: string): Promise<DocumentIntegrationRequest> {
    const official = this.assertDecides(principal);
    const checked = checkReason(reason);
    if (checked.problems.length) throw new BadInputError('The refusal has problems; see extensions.problems.', checked.problems);
    if (!isUuid(requestId)) throw new NotFoundError('No such request.');
    const [refused] = (await this.db.query(
      `UPDATE documents.document_integration_requests SET status = 'REFUSED', decided_at = now(), decided_by_account_id = $2, refusal_reason = $3
        WHERE id = $1 AND status = 'PENDING' AND issuer_agency_code = $4 RETURNING id`,
      [requestId, official.accountId, checked.value, official.agencyCode],
    )) as [{ id: string }[], number];
    const request = await this.db.getRepository(DocumentIntegrationRequest).findOneBy({ id: requestId });
    if (!refused.length) this.assertDecidable(official, request);
    this.log.info('document integration refused', { requestId, by: official.accountId });
    return request!;
  }

  /** A holder's requests, newest first. */
  async forAccount(principal: Principal, accountId: string, page: PageArgs): Promise<Connection<DocumentIntegrationRequest>> {
    assertCan(principal, 'integratedDocument.listForAccount', { holderAccountId: accountId }, 'Only the holder sees their requests.');
    const size = pageSize(page.first);
    const cursor = decodeCursor(page.after, ['instant', 'uuid']);
    if (!isUuid(accountId)) return toConnection([], size, () => [], false);
    const query = this.db.getRepository(DocumentIntegrationRequest).createQueryBuilder('r')
      .where('r.holder_account_id = :accountId', { accountId })
      .orderBy('r.requested_at', 'DESC').addOrderBy('r.id', 'DESC')
      .limit(size + 1);
    if (cursor) query.andWhere('(r.requested_at, r.id) < (:at::timestamptz, :id::uuid)', { at: cursor[0], id: cursor[1] });
    return toConnection(await query.getMany(), size, (r) => [r.requestedAt.toISOString(), r.id], !!cursor);
  }

  /** The requests for the official's agency (the types it issues), oldest first: a queue to work through. */
  async forAgency(principal: Principal, status: DocumentIntegrationRequestStatus | null | undefined, page: PageArgs): Promise<Connection<DocumentIntegrationRequest>> {
    const official = this.assertDecides(principal);
    const size = pageSize(page.first);
    const cursor = decodeCursor(page.after, ['instant', 'uuid']);
    const query = this.db.getRepository(DocumentIntegrationRequest).createQueryBuilder('r')
      .where('r.issuer_agency_code = :agency', { agency: official.agencyCode })
      .orderBy('r.requested_at', 'ASC').addOrderBy('r.id', 'ASC')
      .limit(size + 1);
    if (status) query.andWhere('r.status = :status', { status });
    if (cursor) query.andWhere('(r.requested_at, r.id) > (:at::timestamptz, :id::uuid)', { at: cursor[0], id: cursor[1] });
    return toConnection(await query.getMany(), size, (r) => [r.requestedAt.toISOString(), r.id], !!cursor);
  }

  /** A level-2 official of some agency; whether of the request's agency is asked with the request at hand. */
  private assertDecides(principal: Principal | null): Principal & { agencyCode: string } {
    if (!principal) throw new UnauthenticatedError();
    assertCan(principal, 'integratedDocument.decideRequest', { issuerAgencyCode: principal.agencyCode ?? '' }, 'Only a level-2 official of the issuing agency decides requests to add a document.');
    return principal as Principal & { agencyCode: string };
  }

  /** Another agency's request is answered like one that does not exist; a decided one is CONFLICT. */
  private assertDecidable(official: Principal, request: DocumentIntegrationRequest | null): void {
    if (!request || !can(official, 'integratedDocument.decideRequest', { issuerAgencyCode: request.issuerAgencyCode })) throw new NotFoundError('No such request.');
    if (request.status !== DocumentIntegrationRequestStatus.PENDING) throw new ConflictError(`This request was already ${request.status === DocumentIntegrationRequestStatus.APPROVED ? 'approved' : 'refused'}.`);
  }
}
