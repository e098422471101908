import { ArgsType, Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType, DateScalar, MoneyScalar, PageArgs, Role } from '../../../shared/src';
import { Account } from '../accounts/account.stub';
import { IntegratedDocumentType } from '../wallet/document-rules';
import { DossierStatus } from './dossier-lifecycle';
import { DeliveryMethod, Dossier } from './dossier.entity';

export const MAX_ATTACHMENTS = 10;

@InputType()
export class SubmitDossierInput {
  @Field({ description: 'Code of a public service of the catalogue.' }) serviceCode: string;
  @Field(() => DateScalar, {
    nullable: true,
    description: 'A working day inside the service\'s appointmentWindow (PublicService.appointmentWindow); its earliest day when omitted.',
  }) appointmentDate?: string | null;
  @Field(() => DeliveryMethod, { nullable: true, description: 'PICKUP when omitted.' }) deliveryMethod?: DeliveryMethod | null;
  @Field(() => String, { nullable: true, description: 'Required for POSTAL_DELIVERY.' }) deliveryAddress?: string | null;
  @Field({ description: 'Must be true: "I take responsibility for the accuracy of the information" (Tôi xin cam đoan…).' }) acceptDeclaration: boolean;
  @Field(() => [ID], { nullable: true, description: `Up to ${MAX_ATTACHMENTS} of the applicant's own integrated documents, attached by reference instead of paper copies.` })
  attachmentDocumentIds?: string[] | null;
}

@InputType({ description: 'A person without an account, identified at the counter by their ID card.' })
export class ApplicantWithoutAccountInput {
  @Field() fullName: string;
  @Field({ description: 'The 12 digits on their ID card.' }) personalIdNumber: string;
}

@InputType({ description: 'A dossier a postal clerk takes in at their counter.' })
export class CounterDossierInput extends SubmitDossierInput {
  @Field(() => ID, { nullable: true, description: 'The applicant\'s account, once the clerk has checked their ID card against it.' })
  applicantAccountId?: string | null;
  @Field(() => ApplicantWithoutAccountInput, { nullable: true, description: 'Instead of applicantAccountId, for a person without an account (paper dossiers only).' })
  applicantWithoutAccount?: ApplicantWithoutAccountInput | null;
}

@InputType({ description: 'The document a result is (a new licence, a reissued card): it enters the applicant\'s wallet when the result is returned.' })
export class ResultDocumentInput {
  @Field(() => IntegratedDocumentType, { description: 'A type the dossier\'s agency issues.' }) type: IntegratedDocumentType;
  @Field() number: string;
  @Field(() => DateScalar) issuedOn: string;
  @Field(() => DateScalar, { nullable: true }) expiresOn?: string | null;
  @Field(() => [String], { nullable: true, description: 'DRIVING_LICENCE only.' }) licenceClasses?: string[] | null;
}

@InputType()
export class MarkResultReadyInput {
  @Field(() => ID) dossierId: string;
  @Field(() => String, { nullable: true, description: 'Recorded in the history.' }) reason?: string | null;
  @Field(() => MoneyScalar, { nullable: true, description: 'For a result delivered by post: the amount the postman collects at the door.' })
  cashOnDelivery?: bigint | null;
  @Field(() => ResultDocumentInput, { nullable: true, description: 'When the result is itself a document.' })
  resultDocument?: ResultDocumentInput | null;
}

@ArgsType()
export class DossierListArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'An agency\'s dossiers, for its level-2 officials (or an administrator).' }) agencyCode?: string | null;
  @Field(() => String, { nullable: true, description: 'The dossiers a postal point took in, for its level-2 clerks (or an administrator).' }) postalPointCode?: string | null;
  @Field(() => DossierStatus, { nullable: true }) status?: DossierStatus | null;
}

export type DossierListFilter = Pick<DossierListArgs, 'agencyCode' | 'postalPointCode' | 'status'>;

@ObjectType()
export class DossierConnection extends ConnectionType(Dossier, 'Dossier') {}

@ObjectType({ description: 'One step of a dossier\'s life cycle: who took it, when and why.' })
export class DossierHistoryEntry {
  @Field(() => DossierStatus, { nullable: true, description: 'Null for the step that created the dossier.' }) fromStatus: DossierStatus | null;
  @Field(() => DossierStatus) toStatus: DossierStatus;
  @Field() occurredAt: Date;
  @Field(() => Role, { nullable: true, description: 'The actor\'s role when they acted; null for steps recorded before roles were.' }) actorRole: Role | null;
  @Field(() => Account, { nullable: true, description: 'Who took the step (identity says what the caller may see of them).' }) actor: Account | null;
  @Field(() => String, { nullable: true }) reason: string | null;
}

@ObjectType({ description: 'The days an appointment may be made on: working days from earliest to latest.' })
export class AppointmentWindowType {
  @Field(() => DateScalar, { description: 'The day the processing time, in working days from today, ends.' }) earliest: string;
  @Field(() => DateScalar) latest: string;
}
