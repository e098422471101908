import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { IdentityAttribute } from '../accounts/identity-attribute';
import { IntegratedDocumentType } from '../documents/integrated-document.stub';
import { Partner } from '../partners/partner.entity';

export enum ConsentStatus {
  ACTIVE = 'ACTIVE',
  EXPIRED = 'EXPIRED',
  /** The holder revoked it. */
  REVOKED = 'REVOKED',
  /** The holder granted the same partner a new consent for the same purpose, which took its place. */
  REPLACED = 'REPLACED',
}
registerEnumType(ConsentStatus, { name: 'ConsentStatus' });

/**
 * A holder's consent (sự đồng ý) that one partner may check some of their attributes, and receive their valid
 * integrated documents of some types, for one purpose, until a date. Checks compare only what it names; the holder can revoke it at any time. Rows are never deleted: the
 * holder's history of consents stays readable, as their access log does.
 */
@Entity({ name: 'consents' })
@ObjectType({ description: 'A consent the holder gave a partner: which attributes it may check, which kinds of documents it receives, for what purpose, until when.' })
export class Consent {
  @PrimaryGeneratedColumn('uuid')
  @Field(() => ID)
  id: string;

  /** The holder. */
  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @Column({ name: 'partner_id', type: 'uuid' })
  partnerId: string;

  @ManyToOne(() => Partner)
  @JoinColumn({ name: 'partner_id' })
  @Field(() => Partner)
  partner: Partner;

  @Column({ type: 'text', array: true })
  @Field(() => [IdentityAttribute], { description: 'What the partner may check; nothing else is ever answered.' })
  attributes: IdentityAttribute[];

  @Column({ name: 'document_types', type: 'text', array: true, default: () => "'{}'" })
  @Field(() => [IntegratedDocumentType], { description: 'The kinds of integrated documents the partner receives with a check (the holder\'s valid ones); none unless named.' })
  documentTypes: IntegratedDocumentType[];

  @Column({ type: 'text' })
  @Field({ description: 'The purpose the holder agreed to; a check must state the same purpose.' })
  purpose: string;

  /** The purpose folded (case, spacing, diacritics): what a check's stated purpose is compared on. */
  @Column({ name: 'purpose_key', type: 'text' })
  purposeKey: string;

  @Column({ name: 'granted_at', type: 'timestamptz' })
  @Field()
  grantedAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  @Field()
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'replaced_at', type: 'timestamptz', nullable: true })
  replacedAt: Date | null;

  /** Not stored: what the consent is at the moment it is read (see consentStatus). */
  @Field(() => ConsentStatus)
  status: ConsentStatus;
}
