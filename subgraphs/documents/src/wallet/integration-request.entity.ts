import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Account } from '../accounts/account.stub';
import { IntegratedDocumentType } from './document-rules';

export enum DocumentIntegrationRequestStatus {
  PENDING = 'PENDING', // chờ xác nhận
  APPROVED = 'APPROVED', // đã tích hợp
  REFUSED = 'REFUSED', // từ chối
}
registerEnumType(DocumentIntegrationRequestStatus, { name: 'DocumentIntegrationRequestStatus', description: 'PENDING until an official of the issuer approves or refuses it, once.' });

/**
 * A holder asks for a document of theirs to be added to their wallet (yêu cầu tích hợp giấy tờ): an official of
 * the issuing agency checks it against the issuer's records and approves it (the document enters the wallet,
 * backed by the issuer) or refuses it with a reason. Decided once; rows are kept as the record of who decided.
 */
@Entity({ name: 'document_integration_requests' })
@ObjectType({ description: 'A holder\'s request to add a document to their wallet, decided once by an official of the issuing agency.' })
export class DocumentIntegrationRequest {
  @PrimaryGeneratedColumn('uuid')
  @Field(() => ID)
  id: string;

  @Column({ name: 'holder_account_id', type: 'uuid' })
  holderAccountId: string;

  @Column({ type: 'text' })
  @Field(() => IntegratedDocumentType)
  type: IntegratedDocumentType;

  @Column({ type: 'text' })
  @Field({ description: 'The number the holder gave, trimmed and upper-case.' })
  number: string;

  /** ISSUER_OF[type] when it was made: whose officials decide it. */
  @Column({ name: 'issuer_agency_code', type: 'text' })
  issuerAgencyCode: string;

  @Column({ type: 'text' })
  @Field(() => DocumentIntegrationRequestStatus)
  status: DocumentIntegrationRequestStatus;

  @CreateDateColumn({ name: 'requested_at', type: 'timestamptz' })
  @Field()
  requestedAt: Date;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  decidedAt: Date | null;

  @Column({ name: 'decided_by_account_id', type: 'uuid', nullable: true })
  decidedByAccountId: string | null;

  @Column({ name: 'refusal_reason', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why the official refused it.' })
  refusalReason: string | null;

  /** The document an approval put into the wallet. */
  @Column({ name: 'document_id', type: 'uuid', nullable: true })
  documentId: string | null;

  @Field(() => Account, { description: 'Who asked, resolved by the identity subgraph.' })
  get holder(): Account { return { id: this.holderAccountId }; }
}
