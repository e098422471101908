import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Authorized, Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateScalar } from '../../../shared/src';
import { Account } from '../accounts/account.stub';
import { Organisation } from '../organisations/organisation.stub';
import { PublicService } from '../public-services/public-service.entity';
import { DossierStatus } from './dossier-lifecycle';

export enum SubmissionChannel { ONLINE = 'ONLINE', POSTAL_POINT = 'POSTAL_POINT' }
registerEnumType(SubmissionChannel, { name: 'SubmissionChannel' });

/** How the result comes back: picked up, or delivered by the public postal service (fees/COD at the door). */
export enum DeliveryMethod { PICKUP = 'PICKUP', POSTAL_DELIVERY = 'POSTAL_DELIVERY' }
registerEnumType(DeliveryMethod, { name: 'DeliveryMethod' });

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

  @Column({ name: 'applicant_account_id', type: 'uuid' })
  applicantAccountId: string;

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

  @Column({ name: 'received_postal_point_code', type: 'text', nullable: true })
  receivedPostalPointCode: string | null;

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

  @Field(() => Account, { description: 'The applicant, resolved by the identity subgraph.' })
  get applicant(): Account { return { id: this.applicantAccountId }; }
}

/** Who did what to a dossier, when and why: every transition is recorded. */
@Entity({ name: 'dossier_events' })
export class DossierEvent {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'dossier_id', type: 'uuid' }) dossierId: string;
  @Column({ name: 'from_status', type: 'text', nullable: true }) fromStatus: DossierStatus | null;
  @Column({ name: 'to_status', type: 'text' }) toStatus: DossierStatus;
  @Column({ name: 'actor_account_id', type: 'uuid' }) actorAccountId: string;
  @Column({ type: 'text', nullable: true }) reason: string | null;
  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' }) occurredAt: Date;
}

export { PublicService };
