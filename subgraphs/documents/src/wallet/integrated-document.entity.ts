import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { DateScalar, todayInVietnam } from '../../../shared/src';
import { Account } from '../accounts/account.stub';
import { documentStatus, IntegratedDocumentStatus, IntegratedDocumentType } from './document-rules';

/**
 * A document in a holder's wallet (giấy tờ tích hợp): one row per type and number, stated by its issuer.
 * Two keys. `id holderAccountId` is how identity hands a document over when its holder presents it (QR
 * verification, partner eKYC), and the only one the gateway may use to enter this subgraph: the query planner
 * takes the cheapest key the other subgraph can fill, so with `id` resolvable every hand-over would arrive as
 * `{ id }` and the holder could no longer be checked. `id` alone identifies a document too, and a representation
 * of it is answered as `integratedDocument(id)` would be (see integrated-document.reference.ts).
 */
@Entity({ name: 'integrated_documents' })
@ObjectType({ description: 'A document in a holder\'s wallet (giấy tờ tích hợp): ID card, driving licence, health insurance card, …' })
@Directive('@key(fields: "id holderAccountId")')
@Directive('@key(fields: "id", resolvable: false)')
export class IntegratedDocument {
  @PrimaryGeneratedColumn('uuid')
  @Field(() => ID)
  id: string;

  @Column({ type: 'text' })
  @Field(() => IntegratedDocumentType)
  type: IntegratedDocumentType;

  @Column({ name: 'holder_account_id', type: 'uuid' })
  @Field(() => ID, { description: 'The account whose wallet holds it.' })
  holderAccountId: string;

  /** Trimmed and upper-case (document-rules.ts normaliseNumber). */
  @Column({ type: 'text' })
  @Field({ description: 'The document\'s number, trimmed and upper-case.' })
  number: string;

  /** cơ quan cấp: always ISSUER_OF[type] (document-rules.ts). */
  @Column({ name: 'issuer_agency_code', type: 'text' })
  issuerAgencyCode: string;

  @Column({ name: 'issued_on', type: 'date' })
  @Field(() => DateScalar)
  issuedOn: string;

  @Column({ name: 'expires_on', type: 'date', nullable: true })
  @Field(() => DateScalar, { nullable: true, description: 'Null for a document that never expires (a tax code, a social insurance book).' })
  expiresOn: string | null;

  @Column({ name: 'licence_classes', type: 'text', array: true })
  @Field(() => [String], { description: 'Driving licence classes (A1, A, B, C, …), in the law\'s order; empty for other documents.' })
  licenceClasses: string[];

  /**
   * True when the issuer's own data stands behind it. Every way into the wallet today goes through the issuer (its
   * official issues it, its records are imported, or its official approves the holder's request), so it is true
   * for all of them; false is kept for documents a holder declares without the issuer's confirmation.
   */
  @Column({ name: 'backed_by_issuer', type: 'boolean' })
  @Field({ description: 'Whether the issuer\'s data stands behind it (it came from the issuer, or the issuer confirmed it).' })
  backedByIssuer: boolean;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When the issuer revoked it; null while not revoked.' })
  revokedAt: Date | null;

  @Column({ name: 'revocation_reason', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why the issuer revoked it.' })
  revocationReason: string | null;

  /** The issuer's official who revoked it; null when the issuer's records said so (import). */
  @Column({ name: 'revoked_by_account_id', type: 'uuid', nullable: true })
  revokedByAccountId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field({ description: 'When it came into the wallet.' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** Read at each request, never stored: a document expires without anyone writing to it. */
  @Field(() => IntegratedDocumentStatus, { description: 'VALID, REVOKED, or EXPIRED from the day after expiresOn (Vietnam time).' })
  get status(): IntegratedDocumentStatus { return documentStatus(this, todayInVietnam()); }

  @Field(() => Account, { description: 'The holder, resolved by the identity subgraph.' })
  get holder(): Account { return { id: this.holderAccountId }; }
}
