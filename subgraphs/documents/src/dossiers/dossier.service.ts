import { QueryFailedError, type DataSource } from 'typeorm';
import { assertCan, BadInputError, decodeCursor, DelegationScope, isUuid, pageSize, todayInVietnam, toConnection, type Connection, type FieldProblem, type Logger, type OutboxWriter, type Principal } from '../../../shared/src';
import type { DocumentsLoaders } from '../context';
import { DossierStatus } from './dossier-lifecycle';
import { DeliveryMethod, Dossier, DossierEvent, SubmissionChannel } from './dossier.entity';
import { visibleTo } from './dossier.policy';
import type { SubmitDossierInput } from './dossier.types';
import { dossierParties, organisationActed } from './dossier.events';
import { newRegistrationCode, REGISTRATION_CODE } from './registration-code';

export const MAX_APPOINTMENT_DAYS_AHEAD = 60;

function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export class DossierService {
  constructor(private readonly db: DataSource, private readonly log: Logger, private readonly outbox: OutboxWriter) {}

  /** Online submission by the applicant themself: status SUBMITTED, recorded as the first event. */
  async submit(principal: Principal, input: SubmitDossierInput, loaders: DocumentsLoaders): Promise<Dossier> {
    assertCan(principal, 'dossier.submit', { applicantAccountId: principal.accountId }, 'Only a citizen submits a dossier online for themself.');
    // A token acting for an organisation submits for it, when its delegation allows it.
    const organisationId = principal.actingFor?.organisationId ?? null;
    if (organisationId) assertCan(principal, 'organisation.act', { organisationId, scope: DelegationScope.SUBMIT_DOSSIERS }, 'Your delegation does not allow submitting dossiers for this organisation.');
    const problems: FieldProblem[] = [];
    const service = await loaders.services.load(input.serviceCode);
    if (!service) problems.push({ field: 'serviceCode', message: 'No public service has this code.' });
    else if (!service.isActive) problems.push({ field: 'serviceCode', message: 'This service does not take dossiers now.' });
    const today = todayInVietnam();
    if (input.appointmentDate < today) problems.push({ field: 'appointmentDate', message: 'The appointment date is in the past.' });
    if (input.appointmentDate > addDays(today, MAX_APPOINTMENT_DAYS_AHEAD)) problems.push({ field: 'appointmentDate', message: `Choose a day within ${MAX_APPOINTMENT_DAYS_AHEAD} days.` });
    const deliveryMethod = input.deliveryMethod ?? DeliveryMethod.PICKUP;
    const address = input.deliveryAddress?.trim() || null;
    if (deliveryMethod === DeliveryMethod.POSTAL_DELIVERY && (!address || address.length < 10)) problems.push({ field: 'deliveryAddress', message: 'A delivery address is needed for postal delivery.' });
    if (address && address.length > 500) problems.push({ field: 'deliveryAddress', message: 'The delivery address is longer than 500 characters.' });
    if (problems.length) throw new BadInputError('The dossier has problems; see extensions.problems.', problems);

    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (manager) => {
          const dossier = manager.getRepository(Dossier).create({
            registrationCode: newRegistrationCode(), serviceCode: service!.code, applicantAccountId: principal.accountId,
            status: DossierStatus.SUBMITTED, channel: SubmissionChannel.ONLINE, appointmentDate: input.appointmentDate,
            deliveryMethod, deliveryAddress: deliveryMethod === DeliveryMethod.POSTAL_DELIVERY ? address : null, receivedPostalPointCode: null,
            organisationId,
          });
          await manager.getRepository(Dossier).insert(dossier);
          await manager.getRepository(DossierEvent).insert({ dossierId: dossier.id, fromStatus: null, toStatus: DossierStatus.SUBMITTED, actorAccountId: principal.accountId, reason: null });
          await this.outbox.write(manager, dossierParties({
            dossierId: dossier.id, applicantAccountId: dossier.applicantAccountId, agencyCode: service!.agencyCode, receivedPostalPointCode: dossier.receivedPostalPointCode,
          }));
          // What is done for an organisation goes into its activity log, which identity keeps.
          if (organisationId) {
            await this.outbox.write(manager, organisationActed({
              organisationId, actorAccountId: principal.accountId, delegationId: principal.actingFor!.delegationId, operation: 'submitDossier', subjectId: dossier.id,
            }));
          }
          this.log.info('dossier submitted', { dossierId: dossier.id, service: dossier.serviceCode });
          return dossier;
        });
      } catch (error) {
        const duplicateCode = error instanceof QueryFailedError && (error.driverError as { constraint?: string }).constraint === 'dossiers_registration_code_key';
        if (!duplicateCode || attempt >= 3) throw error;
      }
    }
  }

  async byCode(principal: Principal, code: string, loaders: DocumentsLoaders): Promise<Dossier | null> {
    if (!REGISTRATION_CODE.test(code)) return null;
    return visibleTo(principal, await this.db.getRepository(Dossier).findOne({ where: { registrationCode: code } }), loaders.services);
  }

  /** An account's dossiers, newest first, keyset-paginated on (submitted_at, id). */
  async forAccount(principal: Principal, accountId: string, first: number | undefined, after: string | undefined): Promise<Connection<Dossier>> {
    assertCan(principal, 'dossier.listForAccount', { applicantAccountId: accountId }, 'Only the account holder sees their dossiers.');
    const size = pageSize(first);
    const cursor = decodeCursor(after, ['instant', 'uuid']);
    if (!isUuid(accountId)) return toConnection([], size, () => [], false);
    const query = this.db.getRepository(Dossier).createQueryBuilder('d')
      .where('d.applicant_account_id = :accountId', { accountId })
      .orderBy('d.submitted_at', 'DESC').addOrderBy('d.id', 'DESC')
      .limit(size + 1);
    if (cursor) query.andWhere('(d.submitted_at, d.id) < (:at::timestamptz, :id::uuid)', { at: cursor[0], id: cursor[1] });
    const rows = await query.getMany();
    return toConnection(rows, size, (d) => [d.submittedAt.toISOString(), d.id], !!cursor);
  }

  /** An organisation's dossiers, newest first, for whoever acts for it with VIEW_DOSSIERS. */
  async forOrganisation(principal: Principal | null, organisationId: string, first: number | undefined, after: string | undefined): Promise<Connection<Dossier>> {
    assertCan(principal, 'organisation.act', { organisationId, scope: DelegationScope.VIEW_DOSSIERS }, 'Act for the organisation with VIEW_DOSSIERS to see its dossiers.');
    const size = pageSize(first);
    const cursor = decodeCursor(after, ['instant', 'uuid']);
    if (!isUuid(organisationId)) return toConnection([], size, () => [], false);
    const query = this.db.getRepository(Dossier).createQueryBuilder('d')
      .where('d.organisation_id = :organisationId', { organisationId })
      .orderBy('d.submitted_at', 'DESC').addOrderBy('d.id', 'DESC')
      .limit(size + 1);
    if (cursor) query.andWhere('(d.submitted_at, d.id) < (:at::timestamptz, :id::uuid)', { at: cursor[0], id: cursor[1] });
    const rows = await query.getMany();
    return toConnection(rows, size, (d) => [d.submittedAt.toISOString(), d.id], !!cursor);
  }
}
