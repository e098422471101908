import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Authorized, Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { bigintMoney, DateScalar, MoneyScalar, Role } from '../../../shared/src';
import { Account } from '../accounts/account.stub';
import { Organisation } from '../organisations/organisation.stub';
import { PublicService } from '../public-services/public-service.entity';
import type { CheckedFacts } from '../wallet/document-rules';
import { DossierStatus } from './dossier-lifecycle';

export enum SubmissionChannel { ONLINE = 'ONLINE', POSTAL_POINT = 'POSTAL_POINT' }
registerEnumType(SubmissionChannel, { name: 'SubmissionChannel' });

/** How the result comes back: picked up, or delivered by the public postal service (fees/COD at the door). */
export enum DeliveryMethod { PICKUP = 'PICKUP', POSTAL_DELIVERY = 'POSTAL_DELIVERY' }
registerEnumType(DeliveryMethod, { name: 'DeliveryMethod' });

@ObjectType({ description: 'A person without an account, identified at the counter by their ID card.' })
export class ApplicantWithoutAccount {
  @Field() fullName: string;
  @Field({ description: 'The 12-digit personal identification number on their ID card.' }) personalIdNumber: string;
}

/** A dossier (hồ sơ) submitted for a public service. */
@Entity({ name: 'dossiers' })
@ObjectType({ description: 'A dossier submitted for a public service (hồ sơ thủ tục hành chính).' })
@Directive('@key(fields: "id")')
export class Dossier {
  @PrimaryGeneratedColumn('uuid')
  @Field(() => ID)
  id: string;

  /** Printed on the receipt (phiếu tiếp nhận); what people quote on the phone. */
  @Column({ name: 'registration_code', type: 'text', unique: true })
  @Field({ description: 'Human-readable code printed on the receipt (phiếu tiếp nhận).' })
  registrationCode: string;

  @Column({ name: 'service_code', type: 'text' })
  @Field({ description: 'Code of the public service; payments uses it to say what is due.' })
  serviceCode: string;

  /** Null for a person without an account whose paper dossier a postal clerk took in (applicantName says who). */
  @Column({ name: 'applicant_account_id', type: 'uuid', nullable: true })
  applicantAccountId: string | null;

  @Column({ name: 'applicant_name', type: 'text', nullable: true })
  applicantName: string | null;

  @Column({ name: 'applicant_id_number', type: 'text', nullable: true })
  applicantIdNumber: string | null;

  /** The agency that handles it: its service's when it was submitted. */
  @Column({ name: 'agency_code', type: 'text' })
  @Field({ description: 'Code of the agency that handles it (its service\'s agency when it was submitted).' })
  agencyCode: string;

  @Column({ type: 'text' })
  @Field(() => DossierStatus)
  status: DossierStatus;

  @Column({ type: 'text' })
  @Field(() => SubmissionChannel)
  channel: SubmissionChannel;

  @Column({ name: 'appointment_date', type: 'date' })
  @Field(() => DateScalar, { description: 'The day the applicant chose to come or to receive the result.' })
  appointmentDate: string;

  @Column({ name: 'delivery_method', type: 'text' })
  @Field(() => DeliveryMethod)
  deliveryMethod: DeliveryMethod;

  @Column({ name: 'delivery_address', type: 'text', nullable: true })
  @Authorized()
  @Field(() => String, { nullable: true })
  deliveryAddress: string | null;

  /** A cash-on-delivery amount the postal service collects at the door with the result (POSTAL_DELIVERY only). */
  @Column({ name: 'cash_on_delivery', type: 'bigint', nullable: true, transformer: bigintMoney })
  @Field(() => MoneyScalar, { nullable: true, description: 'Collected at the door when the result is delivered by post (thu hộ COD).' })
  cashOnDelivery: bigint | null;

  @Column({ name: 'received_postal_point_code', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'The postal point that took it in, when it came through a counter.' })
  receivedPostalPointCode: string | null;

  /** A postal clerk who submitted it on the applicant's behalf (null: the applicant did, online). */
  @Column({ name: 'submitted_by_account_id', type: 'uuid', nullable: true })
  submittedByAccountId: string | null;

  @Column({ name: 'declared_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When the applicant took responsibility for the accuracy of the information (lời cam đoan); null only for dossiers older than the declaration.' })
  declaredAt: Date | null;

  /** What the agency stated about the document the result is (markResultReady); it enters the wallet on return. */
  @Column({ name: 'result_document_facts', type: 'jsonb', nullable: true })
  resultDocumentFacts: CheckedFacts | null;

  /** The wallet document the returned result became. */
  @Column({ name: 'result_document_id', type: 'uuid', nullable: true })
  resultDocumentId: string | null;

  @Column({ name: 'received_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When it was received (tiếp nhận); null until then.' })
  receivedAt: Date | null;

  /** The organisation the dossier was submitted for, by its representative or a delegate acting for it. */
  @Column({ name: 'organisation_id', type: 'uuid', nullable: true })
  organisationId: string | null;

  @Field(() => Organisation, { nullable: true, description: 'The organisation it was submitted for, if any (resolved by identity).' })
  get organisation(): Organisation | null { return this.organisationId ? { id: this.organisationId } : null; }

  @CreateDateColumn({ name: 'submitted_at', type: 'timestamptz' })
  @Field()
  submittedAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field()
  updatedAt: Date;

  @Field(() => Account, { nullable: true, description: 'The applicant, resolved by the identity subgraph; null for a person without an account (see applicantWithoutAccount).' })
  get applicant(): Account | null { return this.applicantAccountId ? { id: this.applicantAccountId } : null; }

  @Field(() => ApplicantWithoutAccount, { nullable: true, description: 'Who handed in a paper dossier at a counter without having an account.' })
  get applicantWithoutAccount(): ApplicantWithoutAccount | null {
    return this.applicantName && this.applicantIdNumber ? { fullName: this.applicantName, personalIdNumber: this.applicantIdNumber } : null;
  }
}

/** An integrated document of the applicant's, attached by reference. */
@Entity({ name: 'dossier_attachments' })
export class DossierAttachment {
  @PrimaryColumn({ name: 'dossier_id', type: 'uuid' }) dossierId: string;
  @PrimaryColumn({ name: 'document_id', type: 'uuid' }) documentId: string;
  @Column({ name: 'attached_with', type: 'text' }) attachedWith: 'SUBMISSION' | 'SUPPLEMENT';
  @CreateDateColumn({ name: 'attached_at', type: 'timestamptz' }) attachedAt: Date;
}

/** Who did what to a dossier, when and why: every transition is recorded. */
@Entity({ name: 'dossier_events' })
export class DossierEvent {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'dossier_id', type: 'uuid' }) dossierId: string;
  @Column({ name: 'from_status', type: 'text', nullable: true }) fromStatus: DossierStatus | null;
  @Column({ name: 'to_status', type: 'text' }) toStatus: DossierStatus;
  @Column({ name: 'actor_account_id', type: 'uuid' }) actorAccountId: string;
  /** Null only for events recorded before roles were. */
  @Column({ name: 'actor_role', type: 'text', nullable: true }) actorRole: Role | null;
  @Column({ type: 'text', nullable: true }) reason: string | null;
  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' }) occurredAt: Date;
}

export { PublicService };
