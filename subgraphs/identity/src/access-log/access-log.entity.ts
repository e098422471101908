import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { IdentityAttribute } from '../accounts/identity-attribute';
import { IntegratedDocumentType } from '../documents/integrated-document.stub';

/** Who looked: a partner bank's system, staff at a postal point or an agency, an administrator, a relying system. */
export enum AccessorKind {
  PARTNER = 'PARTNER',
  POSTAL_CLERK = 'POSTAL_CLERK',
  OFFICIAL = 'OFFICIAL',
  ADMINISTRATOR = 'ADMINISTRATOR',
  RELYING_SYSTEM = 'RELYING_SYSTEM',
}
registerEnumType(AccessorKind, { name: 'AccessorKind' });

/** What was done with the person's data. */
export enum AccessAction {
  /** A partner checked claimed attributes against the registry (eKYC). */
  VERIFY_IDENTITY = 'VERIFY_IDENTITY',
  /** Staff scanned the person's identity QR code. */
  VERIFY_QR = 'VERIFY_QR',
  /** Staff read the person's personal data. */
  READ_PERSONAL_DATA = 'READ_PERSONAL_DATA',
  /** Staff checked the person's documents and raised the account to level 2. */
  ACTIVATE = 'ACTIVATE',
  /** Staff registered the person at a counter. */
  REGISTER_AT_COUNTER = 'REGISTER_AT_COUNTER',
  /** An administrator suspended, reinstated or revoked the account. */
  CHANGE_STATUS = 'CHANGE_STATUS',
  /**
   * The person signed in to a connected system (single sign-on, sso/), which received the listed claims: one entry for
   * each authorization code the provider issued to it, with the scopes it was granted. REFUSED: the account's level was
   * below what the system requires.
   */
  SIGN_IN = 'SIGN_IN',
}
registerEnumType(AccessAction, {
  name: 'AccessAction',
  valuesConfig: { SIGN_IN: { description: 'The person signed in to a connected system, which received the listed claims.' } },
});

export enum AccessOutcome { ALLOWED = 'ALLOWED', REFUSED = 'REFUSED' }
registerEnumType(AccessOutcome, { name: 'AccessOutcome' });

/**
 * One access to a person's data (nhật ký truy cập): who, when, what, why, and how it ended. Append-only: no
 * mutation edits it, and the table refuses UPDATE and DELETE (see the migration). The holder reads it as
 * `me { accessLog }`, as Estonia's data tracker and Singpass Myinfo show theirs.
 */
@Entity({ name: 'access_log' })
@ObjectType({ description: 'Who accessed this account\'s data, when, what, why, and the outcome. Nobody can edit it.' })
export class AccessLogEntry {
  @PrimaryGeneratedColumn('uuid') @Field(() => ID) id: string;

  /** The order entries were written in; pages are cut on it (a bigint, read as a string). */
  @Column({ type: 'bigint', insert: false, update: false }) seq: string;

  /** The person whose data was accessed. */
  @Column({ name: 'account_id', type: 'uuid' }) accountId: string;

  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' }) @Field() occurredAt: Date;

  @Column({ name: 'accessor_kind', type: 'text' }) @Field(() => AccessorKind) accessorKind: AccessorKind;

  /** The accessor's account or partner id; kept for audit, not shown to the holder. */
  @Column({ name: 'accessor_id', type: 'text' }) accessorId: string;

  /** What the holder reads: a partner's name, "postal clerk at 001-BC-0001", an agency. Written once, as it was then. */
  @Column({ name: 'accessor_name', type: 'text' }) @Field({ description: 'Who, as the holder reads it (a partner\'s name, a postal point, an agency).' }) accessorName: string;

  @Column({ name: 'postal_point_code', type: 'text', nullable: true }) @Field(() => String, { nullable: true }) postalPointCode: string | null;

  @Column({ name: 'agency_code', type: 'text', nullable: true }) @Field(() => String, { nullable: true }) agencyCode: string | null;

  @Column({ type: 'text' }) @Field(() => AccessAction) action: AccessAction;

  @Column({ type: 'text', array: true, default: () => "'{}'" }) @Field(() => [IdentityAttribute]) attributes: IdentityAttribute[];

  @Column({ name: 'document_ids', type: 'uuid', array: true, default: () => "'{}'" })
  @Field(() => [ID], { description: 'The integrated documents presented (an identity QR scan), by the ids `me { documents }` shows.' })
  documentIds: string[];

  @Column({ name: 'document_types', type: 'text', array: true, default: () => "'{}'" })
  @Field(() => [IntegratedDocumentType], { description: 'The kinds of integrated documents a partner was given (an identity check).' })
  documentTypes: IntegratedDocumentType[];

  @Column({ type: 'text', nullable: true }) @Field(() => String, { nullable: true, description: 'The purpose the accessor stated.' }) purpose: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  @Field(() => [String], { description: 'The OpenID Connect scopes a connected system was granted at a sign-in (e.g. openid, profile, graph); empty otherwise.' })
  scopes: string[];

  @Column({ type: 'text' }) @Field(() => AccessOutcome) outcome: AccessOutcome;

  /** Why a check was refused, in the holder's terms (NO_CONSENT, CONSENT_EXPIRED, …); null when allowed. */
  @Column({ type: 'text', nullable: true }) @Field(() => String, { nullable: true }) reason: string | null;
}
