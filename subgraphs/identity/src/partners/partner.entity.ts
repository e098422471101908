import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { AllowedTo } from '../../../shared/src';
import { IdentityAttribute } from '../accounts/identity-attribute';
import { IntegratedDocumentType } from '../documents/integrated-document.stub';

/** What only administrators read of a partner: how it authenticates. */
const ManagedOnly = () => AllowedTo('partner.manage', (partner: Partner) => ({ partnerId: partner.id }));

/**
 * A partner (đối tác), typically a bank doing eKYC: a machine client registered by an administrator, with a
 * stated purpose, the attributes it may ask to check and the kinds of integrated documents it may receive. It never logs in as a person: it exchanges its client
 * id and secret for a short-lived token (issuePartnerToken), and what it learns of a person is decided, check
 * by check, by that person's consent.
 */
@Entity({ name: 'partners' })
@ObjectType({ description: 'A partner (a bank) that may check identities, each time only with the holder\'s consent (eKYC).' })
export class Partner {
  @PrimaryGeneratedColumn('uuid')
  @Field(() => ID)
  id: string;

  /** Public like a username; the secret is what proves the client. Administrators read it. */
  @Column({ name: 'client_id', type: 'text' })
  @ManagedOnly()
  @Field(() => String, { nullable: true, description: 'The client id it authenticates with (administrators only).' })
  clientId: string;

  @Column({ type: 'text' })
  @Field({ description: 'The name citizens see, in consents and in their access log.' })
  name: string;

  @Column({ type: 'text' })
  @Field({ description: 'What the partner checks identities for.' })
  purpose: string;

  @Column({ name: 'allowed_attributes', type: 'text', array: true })
  @Field(() => [IdentityAttribute], { description: 'The attributes it may ask to check; a consent names some of them.' })
  allowedAttributes: IdentityAttribute[];

  @Column({ name: 'allowed_document_types', type: 'text', array: true, default: () => "'{}'" })
  @Field(() => [IntegratedDocumentType], { description: 'The kinds of integrated documents it may receive with a check; a consent names some of them.' })
  allowedDocumentTypes: IntegratedDocumentType[];

  /** Read by the gateway from the partner's tokens (partner-token.ts): the limit holds from its next token on. */
  @Column({ name: 'requests_per_minute', type: 'integer', nullable: true })
  @ManagedOnly()
  @Field(() => Int, { nullable: true, description: 'Its own limit of requests per minute at the gateway; null: the gateway\'s default for every client (administrators only).' })
  requestsPerMinute: number | null;

  /** See partner-secret.ts. Never selected unless asked for (issuing a token), never in the graph. */
  @Column({ name: 'secret_hash', type: 'text', select: false })
  secretHash?: string;

  @Column({ name: 'secret_rotated_at', type: 'timestamptz' })
  @ManagedOnly()
  @Field(() => Date, { nullable: true, description: 'When its current secret was issued (administrators only).' })
  secretRotatedAt: Date;

  @Column({ type: 'boolean' })
  @Field({ description: 'An inactive partner gets no tokens, and its checks are refused.' })
  active: boolean;

  @Column({ name: 'created_by_account_id', type: 'uuid', nullable: true })
  createdByAccountId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field()
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
