import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateScalar, Role } from '../../../shared/src';
import { IdentityAttribute } from './identity-attribute';
import { PersonalData } from './personal-data';
import { PostalPoint } from '../postal-points/postal-point.stub';

export enum AccountKind {
  /** công dân Việt Nam */
  CITIZEN = 'CITIZEN',
  /** người nước ngoài */
  FOREIGNER = 'FOREIGNER',
  /** tổ chức, doanh nghiệp */
  ORGANISATION = 'ORGANISATION',
}
registerEnumType(AccountKind, { name: 'AccountKind' });

export enum Gender { MALE = 'MALE', FEMALE = 'FEMALE' }
registerEnumType(Gender, { name: 'Gender' });

/** Mức độ 1: created online, phone verified. Mức độ 2: person and chip ID card checked in person. */
export enum AssuranceLevel { LEVEL_1 = 'LEVEL_1', LEVEL_2 = 'LEVEL_2' }
registerEnumType(AssuranceLevel, { name: 'AssuranceLevel' });

export enum AccountStatus {
  PENDING_PHONE_VERIFICATION = 'PENDING_PHONE_VERIFICATION',
  PENDING_IN_PERSON_VERIFICATION = 'PENDING_IN_PERSON_VERIFICATION',
  ACTIVE = 'ACTIVE',
  LOCKED = 'LOCKED',
  SUSPENDED = 'SUSPENDED',
  REVOKED = 'REVOKED',
}
registerEnumType(AccountStatus, { name: 'AccountStatus' });

// Personal data fields are guarded by 'account.readPersonalData' (shared/src/auth/authz.ts) and staff reads are
// logged for the holder (personal-data.ts).

/** An electronic identity account (tài khoản định danh điện tử). */
@Entity({ name: 'accounts' })
@ObjectType({ description: 'An electronic identity account (tài khoản định danh điện tử).' })
@Directive('@key(fields: "id")')
export class Account {
  @PrimaryGeneratedColumn('uuid')
  @Field(() => ID)
  id: string;

  @Column({ type: 'text' })
  @Field(() => AccountKind)
  kind: AccountKind;

  @Column({ type: 'text' })
  @Field(() => Role)
  role: Role;

  /** A citizen's username is their personal identification number; staff have their own. Unique case-insensitively (see the migration). */
  @Column({ type: 'text' })
  // A citizen's username is their ID number, a foreigner's their nationality and passport number.
  @PersonalData((account: Account) => (account.kind === AccountKind.FOREIGNER ? IdentityAttribute.PASSPORT : IdentityAttribute.PERSONAL_ID_NUMBER))
  @Field()
  username: string;

  @Column({ name: 'personal_id_number', type: 'text', nullable: true })
  @PersonalData(IdentityAttribute.PERSONAL_ID_NUMBER)
  @Field(() => String, { nullable: true, description: '12-digit personal identification number (số định danh cá nhân).' })
  personalIdNumber: string | null;

  @Column({ name: 'full_name', type: 'text' })
  @PersonalData(IdentityAttribute.FULL_NAME)
  @Field()
  fullName: string;

  @Column({ name: 'date_of_birth', type: 'date', nullable: true })
  @PersonalData(IdentityAttribute.DATE_OF_BIRTH)
  @Field(() => DateScalar, { nullable: true })
  dateOfBirth: string | null;

  @Column({ type: 'text', nullable: true })
  @PersonalData(IdentityAttribute.GENDER)
  @Field(() => Gender, { nullable: true })
  gender: Gender | null;

  /** E.164, e.g. +84912345678. */
  @Column({ type: 'text' })
  @PersonalData(IdentityAttribute.PHONE)
  @Field()
  phone: string;

  @Column({ type: 'text', nullable: true })
  @PersonalData(IdentityAttribute.EMAIL)
  @Field(() => String, { nullable: true })
  email: string | null;

  /** Never selected unless asked for explicitly (login), never cached, never in the graph. */
  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash?: string;

  /** Null until the phone is verified. */
  @Column({ type: 'text', nullable: true })
  @Field(() => AssuranceLevel, { nullable: true })
  level: AssuranceLevel | null;

  @Column({ type: 'text' })
  @Field(() => AccountStatus)
  status: AccountStatus;

  @Column({ name: 'verification_postal_point_code', type: 'text', nullable: true })
  verificationPostalPointCode: string | null;

  /** A postal clerk acts only at this postal point. */
  @Column({ name: 'postal_point_code', type: 'text', nullable: true })
  postalPointCode: string | null;

  /** An official processes only this agency's dossiers. */
  @Column({ name: 'agency_code', type: 'text', nullable: true })
  agencyCode: string | null;

  /** A foreigner's passport number (hộ chiếu), with its ISO 3166 nationality. */
  @Column({ name: 'passport_number', type: 'text', nullable: true })
  @PersonalData(IdentityAttribute.PASSPORT)
  @Field(() => String, { nullable: true })
  passportNumber: string | null;

  @Column({ type: 'text', nullable: true })
  @PersonalData(IdentityAttribute.PASSPORT)
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2, e.g. "JP" (foreigners).' })
  nationality: string | null;

  /** When, where and by whom the account was raised to level 2 (kích hoạt). */
  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  activatedAt: Date | null;

  @Column({ name: 'activated_by_account_id', type: 'uuid', nullable: true })
  activatedByAccountId: string | null;

  @Column({ name: 'activated_postal_point_code', type: 'text', nullable: true })
  activatedPostalPointCode: string | null;

  @Column({ name: 'activated_agency_code', type: 'text', nullable: true })
  activatedAgencyCode: string | null;

  /** Why the status last changed (an administrator's reason for a suspension, say). */
  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason: string | null;

  @Column({ name: 'status_changed_at', type: 'timestamptz', nullable: true })
  statusChangedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field()
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** The postal point chosen for in-person verification, resolved by the payments subgraph. */
  @Field(() => PostalPoint, { nullable: true })
  get verificationPostalPoint(): PostalPoint | null {
    return this.verificationPostalPointCode ? { code: this.verificationPostalPointCode } : null;
  }
}
