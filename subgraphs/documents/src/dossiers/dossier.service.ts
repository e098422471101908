import { QueryFailedError, type DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import {
  assertCan, BadInputError, can, ConflictError, decodeCursor, DelegationScope, isUuid, NotFoundError, pageSize, todayInVietnam, toConnection,
  Role, type Connection, type FieldProblem, type Logger, type OutboxWriter, type Principal,
} from '../../../shared/src';
import type { DocumentsLoaders } from '../context';
import type { PublicService } from '../public-services/public-service.entity';
import { DossierStatus, DossierTransition, TRANSITIONS } from './dossier-lifecycle';
import { checkIssuedFacts, ISSUER_OF, type CheckedFacts } from '../wallet/document-rules';
import { stateDocument } from '../wallet/integrated-document.service';
import { DeliveryMethod, Dossier, DossierAttachment, DossierEvent, SubmissionChannel } from './dossier.entity';
import { dossierParties, dossierStatusChanged, organisationActed } from './dossier.events';
import { resourceOf } from './dossier.policy';
import { MAX_ATTACHMENTS, type CounterDossierInput, type DossierListFilter, type ResultDocumentInput, type SubmitDossierInput } from './dossier.types';
import { newRegistrationCode, REGISTRATION_CODE } from './registration-code';
import { appointmentProblem, appointmentWindow, type AppointmentWindow } from './working-days';

const MAX_REASON = 1000;
const PERSONAL_ID_NUMBER = /^[0-9]{12}$/;

/** What a new dossier is, whoever submits it. */
interface NewDossier {
  service: PublicService;
  applicantAccountId: string | null;
  applicantName: string | null;
  applicantIdNumber: string | null;
  status: DossierStatus.SUBMITTED | DossierStatus.RECEIVED;
  channel: SubmissionChannel;
  appointmentDate: string;
  deliveryMethod: DeliveryMethod;
  deliveryAddress: string | null;
  receivedPostalPointCode: string | null;
  submittedByAccountId: string | null;
  organisationId: string | null;
  attachmentDocumentIds: string[];
}

/** What a step may carry besides its reason. */
export interface StepExtras {
  cashOnDelivery?: bigint | null;
  resultDocument?: ResultDocumentInput | null;
  attachmentDocumentIds?: string[] | null;
}

/** The common part of a submission, checked: the service, the appointment, delivery and the declaration. */
interface CheckedSubmission { service: PublicService; appointmentDate: string; deliveryMethod: DeliveryMethod; deliveryAddress: string | null; attachmentDocumentIds: string[] }

export class DossierService {
  constructor(
    private readonly db: DataSource,
    private readonly log: Logger,
    private readonly outbox: OutboxWriter,
  ) {}

  /** The days an appointment for `service` may be made on, counted from today in Vietnam. */
  async appointmentWindow(service: PublicService, loaders: DocumentsLoaders): Promise<AppointmentWindow> {
    return appointmentWindow(todayInVietnam(), service.processingDays, await loaders.holidays());
  }

  /** Online submission by the applicant themself: status SUBMITTED, recorded as the first event. */
  async submit(principal: Principal, input: SubmitDossierInput, loaders: DocumentsLoaders): Promise<Dossier> {
    assertCan(principal, 'dossier.submit', { applicantAccountId: principal.accountId }, 'Only a citizen submits a dossier online for themself.');
    // A token acting for an organisation submits for it, when its delegation allows it.
    const organisationId = principal.actingFor?.organisationId ?? null;
    if (organisationId) assertCan(principal, 'organisation.act', { organisationId, scope: DelegationScope.SUBMIT_DOSSIERS }, 'Your delegation does not allow submitting dossiers for this organisation.');
    const checked = await this.check(input, [], principal.accountId, loaders);
    return this.create(principal, {
      ...checked, applicantAccountId: principal.accountId, applicantName: null, applicantIdNumber: null,
      status: DossierStatus.SUBMITTED, channel: SubmissionChannel.ONLINE, receivedPostalPointCode: null, submittedByAccountId: null, organisationId,
    }, 'submitDossier');
  }

  /**
   * A postal clerk takes a dossier in at their counter: on paper (received at once, status RECEIVED), for an
   * account holder or for a person without an account identified by their ID card; or submitted online on an
   * account holder's behalf (SUBMITTED, as if they had done it, with the clerk recorded).
   */
  async submitAtCounter(principal: Principal, input: CounterDossierInput, onPaper: boolean, loaders: DocumentsLoaders): Promise<Dossier> {
    assertCan(principal, 'dossier.receiveAtCounter', {}, 'Only a postal clerk with a level-2 account takes dossiers in at their postal point.');
    const problems: FieldProblem[] = [];
    const accountId = input.applicantAccountId?.trim().toLowerCase() || null;
    const without = input.applicantWithoutAccount ?? null;
    const name = without?.fullName.trim().replace(/\s+/g, ' ') ?? null;
    const idNumber = without?.personalIdNumber.trim() ?? null;
    if (!!accountId === !!without) problems.push({ field: 'applicantAccountId', message: 'Give either the applicant\'s account or, for a person without one, their name and ID number.' });
    if (accountId && !isUuid(accountId)) problems.push({ field: 'applicantAccountId', message: 'Not an account id.' });
    if (without && !onPaper) problems.push({ field: 'applicantWithoutAccount', message: 'Only a paper dossier can be taken in for a person without an account.' });
    if (name !== null && (name.length < 2 || name.length > 200)) problems.push({ field: 'applicantWithoutAccount.fullName', message: '2 to 200 characters.' });
    if (idNumber !== null && !PERSONAL_ID_NUMBER.test(idNumber)) problems.push({ field: 'applicantWithoutAccount.personalIdNumber', message: 'The 12 digits on the ID card.' });
    const checked = await this.check(input, problems, accountId && isUuid(accountId) ? accountId : null, loaders);
    return this.create(principal, {
      ...checked, applicantAccountId: accountId, applicantName: name, applicantIdNumber: idNumber,
      status: onPaper ? DossierStatus.RECEIVED : DossierStatus.SUBMITTED, channel: onPaper ? SubmissionChannel.POSTAL_POINT : SubmissionChannel.ONLINE,
      receivedPostalPointCode: principal.postalPointCode!, submittedByAccountId: principal.accountId, organisationId: null,
    }, onPaper ? 'receivePaperDossier' : 'submitDossierOnBehalf');
  }

  /** Takes one step of the life cycle (TRANSITIONS), under a row lock so that two steps never race. */
  async transition(principal: Principal, kind: DossierTransition, dossierId: string, reason: string | null | undefined, extra: StepExtras = {}): Promise<Dossier> {
    const rule = TRANSITIONS[kind];
    const why = reason?.trim() || null;
    const problems: FieldProblem[] = [];
    if (rule.reasonRequired && !why) problems.push({ field: 'reason', message: 'Say why: it is recorded in the dossier\'s history and shown to the applicant.' });
    if (why && why.length > MAX_REASON) problems.push({ field: 'reason', message: `At most ${MAX_REASON} characters.` });
    if (extra.cashOnDelivery !== undefined && extra.cashOnDelivery !== null && (extra.cashOnDelivery <= 0n || extra.cashOnDelivery > 100_000_000_000n)) {
      problems.push({ field: 'cashOnDelivery', message: 'A positive amount of đồng, at most 100 billion.' });
    }
    if (problems.length) throw new BadInputError('The request has problems; see extensions.problems.', problems);
    if (!isUuid(dossierId)) throw new NotFoundError('No dossier has this id.');

    return this.db.transaction(async (manager) => {
      const dossier = await manager.getRepository(Dossier).findOne({ where: { id: dossierId.toLowerCase() }, lock: { mode: 'pessimistic_write' } });
      const resource = dossier && resourceOf(dossier);
      // Whoever may not see the dossier is told it does not exist, as the queries do.
      if (!dossier || !can(principal, 'dossier.read', resource!)) throw new NotFoundError('No dossier has this id.');
      assertCan(principal, rule.action, resource!, `You may not ${describe(kind)} this dossier.`);
      if (!rule.from.includes(dossier.status)) {
        const error = new ConflictError(`A dossier that is ${dossier.status} cannot be ${pastTense(kind)}; it can be from ${rule.from.join(' or ')}.`);
        Object.assign(error.extensions, { status: dossier.status, allowedFrom: rule.from });
        throw error;
      }
      if (extra.cashOnDelivery && dossier.deliveryMethod !== DeliveryMethod.POSTAL_DELIVERY) {
        throw new BadInputError('Cash on delivery is only for a result delivered by post.', [{ field: 'cashOnDelivery', message: 'The dossier\'s result is picked up.' }]);
      }
      const from = dossier.status;
      const changes: Partial<Dossier> = { status: rule.to };
      if (rule.to === DossierStatus.RECEIVED) changes.receivedAt = new Date();
      if (extra.cashOnDelivery !== undefined) changes.cashOnDelivery = extra.cashOnDelivery;
      if (extra.resultDocument) changes.resultDocumentFacts = this.checkResultDocument(dossier, extra.resultDocument);
      const attachments = await this.checkAttachments(manager, dossier.applicantAccountId, extra.attachmentDocumentIds, dossier.id);
      // A result that is a document enters the applicant's wallet as it is handed over, in the same transaction.
      if (rule.to === DossierStatus.RESULT_RETURNED && dossier.resultDocumentFacts && dossier.applicantAccountId) {
        changes.resultDocumentId = (await stateDocument(manager, dossier.applicantAccountId, dossier.resultDocumentFacts)).id;
      }
      await manager.getRepository(Dossier).update({ id: dossier.id }, changes);
      await this.attach(manager, dossier.id, attachments, 'SUPPLEMENT');
      await this.record(manager, Object.assign(dossier, changes), from, rule.to, principal, why);
      this.log.info('dossier transition', { dossierId: dossier.id, from, to: rule.to, by: principal.role });
      return manager.getRepository(Dossier).findOneByOrFail({ id: dossier.id });
    });
  }

  /** The documents attached to a dossier, in the order they were attached. The dossier was shown to the caller already. */
  async attachments(dossierId: string): Promise<string[]> {
    const rows = await this.db.getRepository(DossierAttachment).find({ where: { dossierId }, order: { attachedAt: 'ASC', documentId: 'ASC' } });
    return rows.map((r) => r.documentId);
  }

  /** Every transition of a dossier, oldest first. The dossier was shown to the caller already. */
  history(dossierId: string): Promise<DossierEvent[]> {
    return this.db.getRepository(DossierEvent).find({ where: { dossierId }, order: { occurredAt: 'ASC', id: 'ASC' } });
  }

  async byCode(principal: Principal, code: string): Promise<Dossier | null> {
    if (!REGISTRATION_CODE.test(code)) return null;
    const dossier = await this.db.getRepository(Dossier).findOne({ where: { registrationCode: code } });
    return dossier && can(principal, 'dossier.read', resourceOf(dossier)) ? dossier : null;
  }

  /** An account's dossiers, newest first, keyset-paginated on (submitted_at, id). */
  async forAccount(principal: Principal, accountId: string, status: DossierStatus | undefined, first: number | undefined, after: string | undefined): Promise<Connection<Dossier>> {
    assertCan(principal, 'dossier.listForAccount', { applicantAccountId: accountId }, 'Only the account holder sees their dossiers.');
    if (!isUuid(accountId)) return toConnection([], pageSize(first), () => [], false);
    return this.page((q) => q.where('d.applicant_account_id = :accountId', { accountId }), status, first, after);
  }

  /** An organisation's dossiers, newest first, for whoever acts for it with VIEW_DOSSIERS. */
  async forOrganisation(principal: Principal | null, organisationId: string, first: number | undefined, after: string | undefined): Promise<Connection<Dossier>> {
    assertCan(principal, 'organisation.act', { organisationId, scope: DelegationScope.VIEW_DOSSIERS }, 'Act for the organisation with VIEW_DOSSIERS to see its dossiers.');
    if (!isUuid(organisationId)) return toConnection([], pageSize(first), () => [], false);
    return this.page((q) => q.where('d.organisation_id = :organisationId', { organisationId }), undefined, first, after);
  }

  /** An agency's dossiers (for its officials), or a postal point's (for its clerks), newest first. */
  async list(principal: Principal, filter: DossierListFilter, first: number | undefined, after: string | undefined): Promise<Connection<Dossier>> {
    const agencyCode = filter.agencyCode?.trim().toUpperCase();
    const postalPointCode = filter.postalPointCode?.trim().toUpperCase();
    if (!!agencyCode === !!postalPointCode) {
      throw new BadInputError('Give an agencyCode or a postalPointCode.', [{ field: 'agencyCode', message: 'Exactly one of agencyCode and postalPointCode.' }]);
    }
    if (agencyCode) {
      assertCan(principal, 'dossier.listForAgency', { agencyCode }, 'Only a level-2 official of this agency lists its dossiers.');
      return this.page((q) => q.where('d.agency_code = :agencyCode', { agencyCode }), filter.status ?? undefined, first, after);
    }
    assertCan(principal, 'dossier.listForPostalPoint', { postalPointCode: postalPointCode! }, 'Only a level-2 clerk of this postal point lists the dossiers it received.');
    return this.page((q) => q.where('d.received_postal_point_code = :postalPointCode', { postalPointCode }), filter.status ?? undefined, first, after);
  }

  private async page(scope: (q: SelectQueryBuilder<Dossier>) => SelectQueryBuilder<Dossier>, status: DossierStatus | undefined, first: number | undefined, after: string | undefined): Promise<Connection<Dossier>> {
    const size = pageSize(first);
    const cursor = decodeCursor(after, ['instant', 'uuid']);
    const query = scope(this.db.getRepository(Dossier).createQueryBuilder('d'))
      .orderBy('d.submitted_at', 'DESC').addOrderBy('d.id', 'DESC')
      .limit(size + 1);
    if (status) query.andWhere('d.status = :status', { status });
    if (cursor) query.andWhere('(d.submitted_at, d.id) < (:at::timestamptz, :id::uuid)', { at: cursor[0], id: cursor[1] });
    return toConnection(await query.getMany(), size, (d) => [d.submittedAt.toISOString(), d.id], !!cursor);
  }

  /**
   * The result document an official states at markResultReady: a type the dossier's agency issues, facts as the
   * wallet checks them, and an applicant with an account (a wallet) to receive it.
   */
  private checkResultDocument(dossier: Dossier, input: ResultDocumentInput): CheckedFacts {
    const checked = checkIssuedFacts(input, todayInVietnam());
    const problems = checked.problems.map((p) => ({ field: `resultDocument.${p.field}`, message: p.message }));
    if (ISSUER_OF[input.type] && ISSUER_OF[input.type] !== dossier.agencyCode) problems.push({ field: 'resultDocument.type', message: `${dossier.agencyCode} does not issue a ${input.type}.` });
    if (!dossier.applicantAccountId) problems.push({ field: 'resultDocument', message: 'The applicant has no account, hence no wallet: hand the document over on paper.' });
    if (problems.length) throw new BadInputError('The result document has problems; see extensions.problems.', problems);
    return checked.value;
  }

  /** Attachment ids, checked: at most ten, each a document in the applicant's own wallet (and not yet attached). */
  private async checkAttachments(manager: EntityManager, applicantAccountId: string | null, ids: readonly string[] | null | undefined, dossierId: string | null): Promise<string[]> {
    if (!ids?.length) return [];
    const wanted = [...new Set(ids.map((id) => id.trim().toLowerCase()))];
    const problem = (message: string) => new BadInputError('The attachments have problems; see extensions.problems.', [{ field: 'attachmentDocumentIds', message }]);
    if (wanted.length > MAX_ATTACHMENTS) throw problem(`At most ${MAX_ATTACHMENTS} documents.`);
    if (!applicantAccountId) throw problem('Only an applicant with an account has documents to attach.');
    const valid = wanted.filter((id) => isUuid(id));
    const owned: { id: string }[] = valid.length
      ? await manager.query(`SELECT id FROM documents.integrated_documents WHERE id = ANY($1::uuid[]) AND holder_account_id = $2`, [valid, applicantAccountId])
      : [];
    // Another person's document is answered like one that does not exist.
    const missing = wanted.filter((id) => !owned.some((o) => o.id === id));
    if (missing.length) throw problem(`${missing.join(', ')}: no document of the applicant's has ${missing.length > 1 ? 'these ids' : 'this id'}.`);
    if (!dossierId) return wanted;
    const already: { document_id: string }[] = await manager.query(`SELECT document_id FROM documents.dossier_attachments WHERE dossier_id = $1`, [dossierId]);
    return wanted.filter((id) => !already.some((a) => a.document_id === id));
  }

  private async attach(manager: EntityManager, dossierId: string, documentIds: readonly string[], attachedWith: DossierAttachment['attachedWith']): Promise<void> {
    if (!documentIds.length) return;
    await manager.getRepository(DossierAttachment).insert(documentIds.map((documentId) => ({ dossierId, documentId, attachedWith })));
  }

  private async check(input: SubmitDossierInput, problems: FieldProblem[], applicantAccountId: string | null, loaders: DocumentsLoaders): Promise<CheckedSubmission> {
    if (input.acceptDeclaration !== true) problems.push({ field: 'acceptDeclaration', message: 'The applicant must take responsibility for the accuracy of the information (lời cam đoan).' });
    const service = await loaders.services.load(input.serviceCode);
    if (!service) problems.push({ field: 'serviceCode', message: 'No public service has this code.' });
    else if (!service.isActive) problems.push({ field: 'serviceCode', message: 'This service does not take dossiers now.' });
    let appointmentDate = input.appointmentDate ?? null;
    if (appointmentDate !== null && appointmentDate < todayInVietnam()) problems.push({ field: 'appointmentDate', message: 'The appointment date is in the past.' });
    else if (service) {
      const holidays = await loaders.holidays();
      const window = appointmentWindow(todayInVietnam(), service.processingDays, holidays);
      appointmentDate ??= window.earliest;
      const problem = appointmentProblem(appointmentDate, window, holidays);
      if (problem) problems.push({ field: 'appointmentDate', message: problem });
    }
    const deliveryMethod = input.deliveryMethod ?? DeliveryMethod.PICKUP;
    const address = input.deliveryAddress?.trim() || null;
    if (deliveryMethod === DeliveryMethod.POSTAL_DELIVERY && (!address || address.length < 10)) problems.push({ field: 'deliveryAddress', message: 'A delivery address is needed for postal delivery.' });
    if (address && address.length > 500) problems.push({ field: 'deliveryAddress', message: 'The delivery address is longer than 500 characters.' });
    if (problems.length) throw new BadInputError('The dossier has problems; see extensions.problems.', problems);
    const attachmentDocumentIds = await this.checkAttachments(this.db.manager, applicantAccountId, input.attachmentDocumentIds, null);
    return { service: service!, appointmentDate: appointmentDate!, deliveryMethod, deliveryAddress: deliveryMethod === DeliveryMethod.POSTAL_DELIVERY ? address : null, attachmentDocumentIds };
  }

  private async create(principal: Principal, d: NewDossier, operation: string): Promise<Dossier> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (manager) => {
          const now = new Date();
          const dossier = manager.getRepository(Dossier).create({
            registrationCode: newRegistrationCode(), serviceCode: d.service.code, agencyCode: d.service.agencyCode,
            applicantAccountId: d.applicantAccountId, applicantName: d.applicantName, applicantIdNumber: d.applicantIdNumber,
            status: d.status, channel: d.channel, appointmentDate: d.appointmentDate, deliveryMethod: d.deliveryMethod, deliveryAddress: d.deliveryAddress,
            receivedPostalPointCode: d.receivedPostalPointCode, submittedByAccountId: d.submittedByAccountId, organisationId: d.organisationId,
            declaredAt: now, receivedAt: d.status === DossierStatus.RECEIVED ? now : null, cashOnDelivery: null,
          });
          await manager.getRepository(Dossier).insert(dossier);
          await this.attach(manager, dossier.id, d.attachmentDocumentIds, 'SUBMISSION');
          await this.record(manager, dossier, null, d.status, principal, null);
          // Identity relates the applicant to the agency and the postal point; a person without an account has no relations.
          if (dossier.applicantAccountId) {
            await this.outbox.write(manager, dossierParties({
              dossierId: dossier.id, applicantAccountId: dossier.applicantAccountId, agencyCode: dossier.agencyCode, receivedPostalPointCode: dossier.receivedPostalPointCode,
            }));
          }
          // What is done for an organisation goes into its activity log, which identity keeps.
          if (d.organisationId) {
            await this.outbox.write(manager, organisationActed({
              organisationId: d.organisationId, actorAccountId: principal.accountId, delegationId: principal.actingFor!.delegationId, operation, subjectId: dossier.id,
            }));
          }
          this.log.info('dossier created', { dossierId: dossier.id, service: dossier.serviceCode, status: dossier.status, channel: dossier.channel });
          return dossier;
        });
      } catch (error) {
        const duplicateCode = error instanceof QueryFailedError && (error.driverError as { constraint?: string }).constraint === 'dossiers_registration_code_key';
        if (!duplicateCode || attempt >= 3) throw error;
      }
    }
  }

  /** One line of the history, and the event other subgraphs learn the new status from, with the change itself. */
  private async record(manager: EntityManager, dossier: Dossier, from: DossierStatus | null, to: DossierStatus, principal: Principal, reason: string | null): Promise<void> {
    await manager.getRepository(DossierEvent).insert({ dossierId: dossier.id, fromStatus: from, toStatus: to, actorAccountId: principal.accountId, actorRole: principal.role, reason });
    await this.outbox.write(manager, dossierStatusChanged({
      dossierId: dossier.id, serviceCode: dossier.serviceCode, agencyCode: dossier.agencyCode,
      applicantAccountId: dossier.applicantAccountId, organisationId: dossier.organisationId,
      deliveryMethod: dossier.deliveryMethod, receivedPostalPointCode: dossier.receivedPostalPointCode,
      cashOnDelivery: dossier.cashOnDelivery === null ? null : dossier.cashOnDelivery.toString(),
      fromStatus: from, toStatus: to,
      actorPostalPointCode: principal.role === Role.POSTAL_CLERK ? principal.postalPointCode ?? null : null,
      submittedAt: dossier.submittedAt.toISOString(), occurredAt: new Date().toISOString(),
    }));
  }
}

const VERBS: Record<DossierTransition, [string, string]> = {
  [DossierTransition.RECEIVE]: ['receive', 'received'],
  [DossierTransition.START_PROCESSING]: ['start processing', 'taken into processing'],
  [DossierTransition.REQUEST_SUPPLEMENT]: ['ask for a supplement to', 'sent back for a supplement'],
  [DossierTransition.SUPPLY]: ['supply', 'supplied'],
  [DossierTransition.MARK_RESULT_READY]: ['mark the result of', 'marked result ready'],
  [DossierTransition.RETURN_RESULT]: ['return the result of', 'returned'],
  [DossierTransition.REJECT]: ['reject', 'rejected'],
  [DossierTransition.CANCEL]: ['cancel', 'cancelled'],
};
const describe = (kind: DossierTransition) => VERBS[kind][0];
const pastTense = (kind: DossierTransition) => VERBS[kind][1];

