import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { IdentityDocumentType } from './activation.rules';

export enum VerificationPurpose { ACTIVATION = 'ACTIVATION', REGISTRATION_AT_COUNTER = 'REGISTRATION_AT_COUNTER' }

/** One in-person check of a person's document by staff, matched or not (audit; never edited). */
@Entity({ name: 'account_verifications' })
export class AccountVerification {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'account_id', type: 'uuid' }) accountId: string;
  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' }) occurredAt: Date;
  @Column({ type: 'text' }) purpose: VerificationPurpose;
  @Column({ name: 'document_type', type: 'text' }) documentType: IdentityDocumentType;
  @Column({ name: 'document_number', type: 'text' }) documentNumber: string;
  @Column({ name: 'document_issue_date', type: 'date' }) documentIssueDate: string;
  @Column({ name: 'verified_by_account_id', type: 'uuid' }) verifiedByAccountId: string;
  @Column({ name: 'postal_point_code', type: 'text', nullable: true }) postalPointCode: string | null;
  @Column({ name: 'agency_code', type: 'text', nullable: true }) agencyCode: string | null;
  @Column({ type: 'boolean' }) matched: boolean;
  @Column({ name: 'mismatched_fields', type: 'text', array: true, default: () => "'{}'" }) mismatchedFields: string[];
}
